// Building blocks for the delivery tests: a paid event as the ledger would hand it to delivery,
// the Standard Webhooks headers of a built attempt, in the shape `standardwebhooks` verifies, and
// an origin that never answers. Pure (no cloudflare:test), so unit tests import it too.
import type { DeliveryEvent } from '../../src/delivery/payload';

/** A first attempt at a paid event of an RSA2, v1 notification; each test sets what it is about. */
export function paidEvent(fields: Pick<DeliveryEvent, 'rawBody'> & Partial<DeliveryEvent>): DeliveryEvent {
  return {
    webhookId: 'msg_00112233445566778899aabbccddeeff',
    orderKey: '2021000000000001:T1',
    eventKey: 'paid',
    kind: 'paid',
    attempt: 1,
    notifyId: 'N1',
    signType: 'RSA2',
    contentRule: 'v1',
    charset: 'utf-8',
    params: {},
    ...fields,
  };
}

/** An origin that never answers (until the attempt's timeout aborts the request). */
export function hangingResponse(signal: AbortSignal | null | undefined): Promise<Response> {
  return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
}

/** The three webhook-* headers of a built request, for `new Webhook(secret).verify(payload, headers)`. */
export function webhookHeaders(headers: Readonly<Record<string, string>>): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return { 'webhook-id': headers['webhook-id']!, 'webhook-timestamp': headers['webhook-timestamp']!, 'webhook-signature': headers['webhook-signature']! };
}
