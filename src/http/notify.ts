// POST NOTIFY_PATH: the endpoint Alipay calls. Verify, decode, check, classify, hand the
// notification to its order's ledger, and answer Alipay by the rules of docs/ARCHITECTURE.md
// "Answering Alipay": `success` only for a verified notification that is durably recorded (or,
// in after-delivery mode, acknowledged by the origin). Every other answer makes Alipay send it
// again later.
import { feedRejection, type AlertedRejection } from '../alerts/rejection-feed';
import { processNotification, type ProcessFailure, type ProcessFailureReason } from '../alipay/process';
import type { VerifySuccess } from '../alipay/types';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import type { AcceptResult } from '../orders/ledger-types';
import { orderKeyFor } from '../orders/order-key';
import { countRejection } from '../payments/rejections';
import { readBodyCapped, type BodyLimits, type BodyProblem } from '../utils/read-capped';
import { hintForGateway } from '../config/advice';
import { recordedNotifications, type RecordedNotifications } from './recorded-notifications';
import { textResponse } from './responses';

/**
 * Real notifications are a few KiB (fund_bill_list and passback_params keep them well under the
 * cap) and arrive at once; a sender still sending after the deadline is cut off, so a client
 * trickling a byte a second cannot hold a request open.
 */
export const NOTIFY_BODY_LIMITS: BodyLimits = { maxBytes: 64 * 1024, deadlineMs: 10_000 };
const MAX_CONTENT_TYPE_CHARS = 200;

const SUCCESS = 'success';

/** Alipay reads only the body: exactly `success`, or anything else for "send it again". */
const reply = textResponse;

type OrderKeyFailureReason = Extract<ReturnType<typeof orderKeyFor>, { ok: false }>['reason'];

/**
 * The answer to every refusal, by reason. The compiler checks it is complete: a reason added to
 * the core without a status here does not build. 4xx: this body will never be accepted (Alipay
 * retries anyway, which is harmless); 503: the gateway's own problem, so Alipay keeps the message.
 */
const REJECTION_STATUS = {
  // The body (parse)
  'malformed-body': 400,
  'duplicate-key': 400,
  // The signature (verify)
  'missing-signature': 403,
  'sign-type-not-accepted': 403,
  'signature-encoding': 403,
  'signature-mismatch': 403,
  // No configured key can check this sign type: the gateway's problem, and Alipay should keep the message.
  'no-usable-key': 503,
  // Certificate mode: signed with a certificate the gateway does not have (renewed?): keep it until it is added.
  'unknown-cert-sn': 503,
  // The signed values (decode)
  'unknown-charset': 400,
  'charset-decode': 400,
  'invalid-field': 400,
  // Alipay's checks (business) and the order key
  'missing-field': 422,
  'app-id-mismatch': 409,
  'seller-id-mismatch': 409,
  'notify-time-invalid': 422,
  'notify-too-old': 422,
} as const satisfies Record<ProcessFailureReason | OrderKeyFailureReason, number>;

/** Reading the body (src/utils/read-capped.ts). */
const BODY_STATUS = {
  'too-large': 413,
  'too-slow': 408,
  unreadable: 400,
} as const satisfies Record<BodyProblem, number>;

/** Every reason a refused notification is counted under (the console's health page says each in words). */
export const COUNTED_REJECTION_REASONS: readonly string[] = [...Object.keys(BODY_STATUS), ...Object.keys(REJECTION_STATUS)];

/** First 16 hex characters of the key's SHA-256 SPKI fingerprint (/health shows it in full); null for MD5 (no public key). */
function keyFingerprintOf(verified: VerifySuccess): string | null {
  return verified.keyFingerprint?.slice(0, 16) ?? null;
}

/** What a refusal's log line says beyond its reason: the operator's advice in settings' words, the field, the key that verified. */
function rejectionDetails(result: ProcessFailure): Record<string, unknown> {
  const advice = result.stage === 'decode' ? undefined : result.advice;
  const details: Record<string, unknown> = { stage: result.stage, reason: result.reason, hint: hintForGateway(result.hint, advice) };
  // A malformed field is logged by name only: its value may be anything a sender chose.
  if (result.stage === 'decode' && result.field !== undefined) details.field = result.field;
  if (result.stage !== 'verify') {
    details.key_fingerprint = keyFingerprintOf(result.verified);
    details.content_rule = result.verified.rule;
  }
  return details;
}

/**
 * What the alerts count of a rejection, or null: past the signature, Alipay really sent it, and
 * refusing it loses a payment unless somebody acts (`genuine-refused`); at the signature, a
 * failure to verify, or an unknown certificate with its SN (from the advice, which carries it).
 */
function alertedRejectionOf(result: ProcessFailure): AlertedRejection | null {
  if (result.stage !== 'verify') return { reason: 'genuine-refused', refusal: result.reason };
  if (result.reason === 'unknown-cert-sn' && result.advice?.kind === 'update-alipay-cert') return { reason: 'unknown-cert-sn', sn: result.advice.sn };
  if (result.reason === 'signature-encoding') return { reason: 'signature-encoding' };
  return result.reason === 'signature-mismatch' || result.reason === 'unknown-cert-sn' ? { reason: 'signature-mismatch' } : null;
}

/**
 * `ctx` (the request's ExecutionContext) lets work continue after the answer: rejections are
 * counted (payments index) and alerted (alert desk); without it (a caller outside a Worker
 * request) they are only logged.
 */
export async function handleNotify(
  request: Request,
  env: GatewayEnv,
  configResult: ConfigResult,
  ctx?: Pick<ExecutionContext, 'waitUntil'>,
  recorded: RecordedNotifications = recordedNotifications,
): Promise<Response> {
  const started = Date.now();
  const count = (reason: string) => ctx && countRejection(env, reason, ctx);
  const log = (fields: Record<string, unknown>) => logLine({ msg: 'notification', latency_ms: Date.now() - started, ...fields });

  if (request.method !== 'POST') return reply(405, 'fail: method not allowed', { allow: 'POST' });
  // Alipay never sends Standard Webhooks headers; the gateway's own deliveries do. One arriving
  // here is a delivery looping back (ORIGIN_URL pointing at this notify path): it would dedupe as
  // a re-send and be answered `success` while the origin never gets the event. Fail it loudly, so
  // the delivery is retried and dead-lettered where the operator sees it.
  if (request.headers.has('webhook-id') || request.headers.has('webhook-signature')) {
    log({
      level: 'error',
      outcome: 'loop-detected',
      status: 508,
      reason: 'loop-detected',
      hint: 'a gateway delivery came back to the notify path: ORIGIN_URL must be the merchant page, not the gateway',
    });
    return reply(508, 'loop-detected');
  }
  if (!configResult.ok) {
    log({ level: 'error', outcome: 'misconfigured', status: 503, problems: configResult.problems.map((p) => p.setting) });
    return reply(503, 'fail: gateway misconfigured');
  }
  const config = configResult.config;

  const read = await readBodyCapped(request, NOTIFY_BODY_LIMITS);
  if (!read.ok) {
    const status = BODY_STATUS[read.reason];
    log({ level: 'warn', outcome: 'rejected', status, reason: read.reason });
    count(read.reason);
    return reply(status, `fail: ${read.reason}`);
  }

  const result = await processNotification(read.body, config.alipay, Date.now());
  if (!result.ok) {
    const status = REJECTION_STATUS[result.reason];
    log({ level: 'warn', outcome: 'rejected', status, ...rejectionDetails(result), bytes: read.body.byteLength });
    count(result.reason);
    const alerted = alertedRejectionOf(result);
    if (ctx && config.alerts !== null && alerted !== null) feedRejection(env, alerted, ctx);
    return reply(status, `fail: ${result.reason}`);
  }

  const n = result.notification;
  const key = orderKeyFor(n);
  if (!key.ok) {
    const status = REJECTION_STATUS[key.reason];
    // A field too long to be an id is logged by name only, like the core's invalid fields.
    const notifyId = key.field === 'notify_id' ? {} : { notify_id: n.notifyId };
    log({ level: 'warn', outcome: 'rejected', status, reason: key.reason, field: key.field, hint: key.hint, ...notifyId });
    count(key.reason);
    if (ctx && config.alerts !== null) feedRejection(env, { reason: 'genuine-refused', refusal: key.reason }, ctx);
    return reply(status, `fail: ${key.reason}`);
  }

  const forward = config.forward.events.has(result.event.kind);
  const waitForDelivery = config.ackMode === 'after-delivery' && forward;
  const context = {
    order: key.key,
    notify_id: n.notifyId,
    event: result.event.key,
    kind: result.event.kind,
    trade_status: n.tradeStatus,
    sign_type: result.verified.signType,
    // Which key and content rule verified it: during a key rotation this shows when the old key stops being used.
    key_fingerprint: keyFingerprintOf(result.verified),
    content_rule: result.verified.rule,
    forwarded: forward,
    ack_mode: config.ackMode,
  };

  // A copy of a notification this isolate saw recorded needs no call to the ledger. Not while the
  // answer waits for the origin (after-delivery), and not without ctx: its count goes out after the answer.
  const copy = ctx && !waitForDelivery ? { orderKey: key.key, notifyId: key.notifyId } : null;
  if (copy && (await recorded.isRecorded(copy))) {
    recorded.countCopy(copy, context, env, ctx!);
    return reply(200, SUCCESS);
  }

  let accepted: AcceptResult;
  try {
    const ledger = env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(key.key));
    const call = ledger.accept({
      orderKey: key.key,
      app: key.app,
      outTradeNo: key.outTradeNo,
      notifyId: key.notifyId,
      event: result.event,
      forward,
      waitForDelivery,
      rawBody: read.body,
      contentType: request.headers.get('content-type')?.slice(0, MAX_CONTENT_TYPE_CHARS) ?? null,
      charset: result.charset,
      signType: result.verified.signType,
      contentRule: result.verified.rule,
      keyFingerprint: context.key_fingerprint,
      params: n.params,
    });
    if (copy) recorded.track(copy, call);
    accepted = await call;
  } catch (error) {
    log({ level: 'error', outcome: 'unavailable', status: 503, reason: 'ledger-unavailable', error, ...context });
    return reply(503, 'fail: storage unavailable');
  }

  if (!accepted.ok) {
    const { reason, hint, duplicate, state } = accepted;
    log({ level: 'warn', outcome: 'not-acknowledged', status: 503, reason, hint, duplicate, state, ...context });
    return reply(503, `fail: ${accepted.reason}`);
  }
  log({ outcome: accepted.duplicate ? 'duplicate' : 'accepted', status: 200, duplicate: accepted.duplicate, state: accepted.state, ...context });
  return reply(200, SUCCESS);
}
