// What the origin receives for one event. A builder turns a recorded event into body bytes +
// headers; signing is a separate step (src/delivery/request.ts), so another scheme can reuse
// the builders or replace them without touching the ledger.
import { utf8Encode } from '../utils/bytes';
import type { Charset, ContentRule, EventKind, SignType } from '../alipay/types';
import type { ForwardFormat } from '../config/types';

/**
 * Where an event came from: Alipay's notification, or Alipay's verified answer to the gateway's
 * alipay.trade.query (a payment whose notification never arrived). The origin may tell them apart
 * (`x-alipay-event-source`); it never has to: both carry the same event, once.
 */
export type EventSource = 'notification' | 'query';

/** Everything the ledger knows about an event that a payload may need. */
export interface DeliveryEvent {
  /** Stable per event: the origin's idempotency key (`webhook-id`). */
  readonly webhookId: string;
  readonly orderKey: string;
  readonly eventKey: string;
  readonly kind: EventKind;
  /** 1-based number of this attempt (across redeliveries). */
  readonly attempt: number;
  /** Default `notification`. */
  readonly source?: EventSource;
  /** The notification's notify_id; empty for an event found by a query. */
  readonly notifyId: string;
  readonly signType: SignType;
  /** The content rule that verified the notification; `query-answer` for a query's answer. */
  readonly contentRule: ContentRule | 'query-answer';
  /** The signed `charset`, normalised. */
  readonly charset: Charset;
  /** The notification body exactly as Alipay sent it; for a query, a UTF-8 form of the answer's fields. */
  readonly rawBody: Uint8Array;
  /** Every parameter, decoded by the signed charset. */
  readonly params: Readonly<Record<string, string>>;
}

export interface OutboundPayload {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

export type PayloadBuilder = (event: DeliveryEvent) => OutboundPayload;

/**
 * `form`: the original bytes, so a legacy page's `Request.Form` (or a receiver's own Alipay
 * signature check) sees exactly what Alipay sent; the charset parameter tells it how to decode.
 */
export function buildFormPayload(event: DeliveryEvent): OutboundPayload {
  return {
    body: event.rawBody,
    headers: { 'content-type': `application/x-www-form-urlencoded; charset=${event.charset}`, ...informationalHeaders(event) },
  };
}

/** Fields lifted to the top of the JSON event; all of them stay in `params` too. */
const JSON_FIELDS = [
  'app_id', 'seller_id', 'out_trade_no', 'trade_no', 'notify_id', 'notify_type', 'notify_time', 'trade_status',
  'total_amount', 'receipt_amount', 'buyer_pay_amount', 'refund_fee', 'out_biz_no', 'gmt_refund', 'gmt_payment',
] as const;

/**
 * A lifted field as the gateway read it: an empty value is absent (it was not signed), so null;
 * the amount of a legacy mapi notification is its `total_fee`.
 */
function liftedField(params: Readonly<Record<string, string>>, field: (typeof JSON_FIELDS)[number]): string | null {
  const value = params[field] || (field === 'total_amount' ? params['total_fee'] : undefined);
  return value ? value : null;
}

/** `json`: a normalised UTF-8 event. Amounts stay strings (decimal text, never floats). */
export function buildJsonPayload(event: DeliveryEvent): OutboundPayload {
  const doc: Record<string, unknown> = { type: event.kind, event_key: event.eventKey, order_key: event.orderKey };
  for (const field of JSON_FIELDS) doc[field] = liftedField(event.params, field);
  doc['source'] = event.source ?? 'notification';
  doc['verified'] =
    event.source === 'query'
      ? { sign_type: event.signType, signed: 'alipay_trade_query_response', charset: event.charset }
      : { sign_type: event.signType, content_rule: event.contentRule, charset: event.charset };
  doc['params'] = { ...event.params };
  return {
    body: utf8Encode(JSON.stringify(doc)),
    headers: { 'content-type': 'application/json; charset=utf-8', ...informationalHeaders(event) },
  };
}

export function payloadBuilder(format: ForwardFormat): PayloadBuilder {
  return format === 'json' ? buildJsonPayload : buildFormPayload;
}

/** Not signed by Standard Webhooks: hints for logs and routing at the origin, never trusted for money. */
function informationalHeaders(event: DeliveryEvent): Record<string, string> {
  const query = event.source === 'query';
  return {
    'x-alipay-event-kind': event.kind,
    'x-alipay-event-key': asciiHeader(event.eventKey),
    'x-alipay-event-source': query ? 'query' : 'notification',
    ...(query ? {} : { 'x-alipay-notify-id': asciiHeader(event.notifyId) }),
    'x-alipay-verified-by': `${event.signType}/${event.contentRule}`,
    'x-delivery-attempt': String(event.attempt),
  };
}

/** Header values must be ByteStrings; event keys can carry out_biz_no in any script. */
function asciiHeader(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}
