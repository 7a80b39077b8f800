// GET /alipay/return (when ORIGIN_RETURN_URL is set): the buyer's browser comes back from Alipay
// with a signed query string. The gateway checks that signature (same core as notifications:
// v1 then v2 content, the sign types of ALIPAY_SIGN_TYPES, every configured key) and redirects
// the browser to ORIGIN_RETURN_URL with Alipay's query unchanged plus a verdict the origin can
// check with the forward secret. A failed check is redirected too, saying so: never silently.
//
// The return is a DISPLAY HINT, never proof of payment: the buyer can stop, replay or share the
// URL. Only a forwarded notification (webhook) may credit an order.
//
// What the origin receives, and how it checks it (docs/DEPLOY.md "Return page verification"):
//
//   <ORIGIN_RETURN_URL>?<covered>&gw_verified=<1|0>[&gw_reason=<reason>]&gw_ts=<ts>&gw_sig=<sig>
//
//   covered  = everything in the redirect's query before "&gw_verified=": ORIGIN_RETURN_URL's own
//              query (if it has one) and "&", then Alipay's query exactly as the gateway received
//              it (empty when both are empty; then the query starts with "gw_verified=")
//   canonical = "gw-return-v1" LF covered LF verified LF reason LF ts
//              (LF = one 0x0A byte; reason is "" when verified = 1; ts is decimal Unix seconds)
//   gw_sig   = base64url without padding of HMAC-SHA256(key, canonical as ASCII bytes), where key
//              is the first FORWARD_SECRET entry decoded (the bytes after "whsec_", base64-decoded)
//
// The "gw-return-v1" line keeps these signatures apart from Standard Webhooks ones made with the
// same secret: a webhook-id header cannot contain a line feed, so neither kind can pass as the other.
//
// With STATUS_SECRET set, a verified return also carries a buyer status link for the order, after
// gw_sig (not covered by it: it is signed on its own, see src/http/status-link.ts):
//
//   ...&gw_sig=<sig>&gw_status_exp=<Unix seconds>&gw_status_sig=<hex>
//
// so the landing page can show the live status (GET /alipay/status?app_id=<app_id or seller_id>
// &out_trade_no=<out_trade_no>&exp=<gw_status_exp>&sig=<gw_status_sig>, or the status.js widget)
// without signing anything itself. The link is valid for STATUS_LINK_TTL_S.
import { parseBeijingTime } from '../alipay/beijing-time';
import { base64Encode } from '../utils/base64';
import { latin1Decode, utf8Encode } from '../utils/bytes';
import { getParam, parseForm } from '../alipay/parse';
import { checkIdentity } from '../alipay/checks';
import type { BusinessCheckReason, BusinessRules, VerifyFailureReason, VerifyOptions } from '../alipay/types';
import { verifyPairs } from '../alipay/verify';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { orderKey } from '../orders/order-key';
import { hmacSha256 } from '../utils/hmac';
import { logLine } from '../log';
import { hintForGateway } from '../config/advice';
import { methodNotAllowed, notFound, redirect, textResponse } from './responses';
import { signStatusLink } from './status-link';

/** A real return query is well under 2 KiB; browsers and servers start failing around 8 KiB. */
const MAX_RETURN_QUERY_CHARS = 8 * 1024;
const RETURN_SIGNATURE_CONTEXT = 'gw-return-v1';
/** Parameters the gateway adds; a query that already has one is refused, so the origin never sees two. */
const RESERVED_PREFIX = 'gw_';
/** Long enough for a buyer to leave the tab open while the notification arrives; a fresh return mints a new one. */
export const STATUS_LINK_TTL_S = 24 * 3600;
/** out_trade_no as Alipay allows it; anything else gets no status link (the page still gets the verdict). */
const PLAIN_OUT_TRADE_NO = /^[\x21-\x7e]{1,64}$/;

/** Why a return is not verified: the core's reasons, except that a query is not a body. Sent to the origin as gw_reason. */
type ReturnFailureReason = Exclude<VerifyFailureReason, 'malformed-body'> | 'malformed-query' | 'reserved-parameter' | 'return-too-old' | BusinessCheckReason;

/**
 * A return is Alipay's redirect of the buyer's browser: followed at once. One older than this
 * (by its own signed time) is a URL from the browser's history or one passed around, and gets no
 * fresh verdict or status link.
 */
const MAX_RETURN_AGE_MS = 24 * 60 * 60_000;

/** A verified return names its order (app_id, or seller_id for legacy mapi), when the query has one. */
type ReturnCheck =
  | { verified: true; order: { app: string; outTradeNo: string } | null }
  | { verified: false; reason: ReturnFailureReason; hint: string };

/** The query exactly as it reached the Worker (no "?"), without any fragment. */
function rawQueryOf(url: string): string {
  const withoutFragment = url.split('#', 1)[0]!;
  const at = withoutFragment.indexOf('?');
  return at < 0 ? '' : withoutFragment.slice(at + 1);
}

/** Alipay's signature over the query, then that the return is for this merchant (as for notifications). */
async function checkReturnQuery(query: string, rules: VerifyOptions & BusinessRules, nowMs: number): Promise<ReturnCheck> {
  if (query === '') return { verified: false, reason: 'missing-signature', hint: 'the return URL has no query string' };
  const parsed = parseForm(utf8Encode(query));
  if (!parsed.ok) return { verified: false, reason: parsed.reason === 'malformed-body' ? 'malformed-query' : parsed.reason, hint: parsed.hint };
  const pairs = parsed.pairs;
  if (pairs.some((p) => p.key.startsWith(RESERVED_PREFIX))) {
    return { verified: false, reason: 'reserved-parameter', hint: `the query already has a ${RESERVED_PREFIX}* parameter: not made by Alipay` };
  }
  const result = await verifyPairs(parsed, rules);
  if (!result.ok) {
    const reason = result.reason === 'malformed-body' ? 'malformed-query' : result.reason;
    return { verified: false, reason, hint: hintForGateway(result.hint, result.advice) };
  }
  // The ids are ASCII digits, so one char per byte is exact.
  const idOf = (key: string) => {
    const v = getParam(pairs, key);
    return v === undefined || v.length === 0 ? null : latin1Decode(v);
  };
  const identity = checkIdentity({ appId: idOf('app_id'), sellerId: idOf('seller_id') }, rules);
  if (!identity.ok) return { verified: false, reason: identity.reason, hint: hintForGateway(identity.hint, identity.advice) };
  // OpenAPI returns carry `timestamp`, legacy mapi ones `notify_time` (both signed, Beijing time).
  const signedTime = idOf('timestamp') ?? idOf('notify_time');
  const signedAt = signedTime === null ? null : parseBeijingTime(signedTime);
  if (signedAt !== null && nowMs - signedAt > MAX_RETURN_AGE_MS) {
    return { verified: false, reason: 'return-too-old', hint: `the return was made at ${signedTime} (Beijing time), more than a day ago: an old URL, not a buyer coming back from Alipay now` };
  }
  const app = idOf('app_id') ?? idOf('seller_id');
  const outTradeNo = idOf('out_trade_no');
  const named = app !== null && outTradeNo !== null && PLAIN_OUT_TRADE_NO.test(outTradeNo);
  return { verified: true, order: named ? { app, outTradeNo } : null };
}

/** gw_sig for the canonical string described at the top of this file. */
async function signReturnVerdict(secret: Uint8Array, covered: string, verified: boolean, reason: string, ts: number): Promise<string> {
  const canonical = [RETURN_SIGNATURE_CONTEXT, covered, verified ? '1' : '0', verified ? '' : reason, String(ts)].join('\n');
  const mac = await hmacSha256(secret, utf8Encode(canonical));
  return base64Encode(mac).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** ORIGIN_RETURN_URL + covered query + the signed verdict (the fragment, if any, stays last). */
async function returnRedirectLocation(
  returnUrl: string,
  alipayQuery: string,
  check: ReturnCheck,
  secret: Uint8Array,
  nowMs: number,
  statusSecret: Uint8Array | null,
): Promise<string> {
  const url = new URL(returnUrl);
  const bare = new URL(returnUrl);
  bare.search = '';
  bare.hash = '';
  const base = bare.href;
  const covered = [url.search.slice(1), alipayQuery].filter((part) => part !== '').join('&');
  const ts = Math.floor(nowMs / 1000);
  const reason = check.verified ? '' : check.reason;
  const sig = await signReturnVerdict(secret, covered, check.verified, reason, ts);
  let trailer = check.verified
    ? `gw_verified=1&gw_ts=${ts}&gw_sig=${sig}`
    : `gw_verified=0&gw_reason=${encodeURIComponent(reason)}&gw_ts=${ts}&gw_sig=${sig}`;
  if (check.verified && check.order !== null && statusSecret !== null) {
    const exp = ts + STATUS_LINK_TTL_S;
    trailer += `&gw_status_exp=${exp}&gw_status_sig=${await signStatusLink(statusSecret, check.order.app, check.order.outTradeNo, exp)}`;
  }
  return `${base}?${covered === '' ? '' : `${covered}&`}${trailer}${url.hash}`;
}

/**
 * `env` and `later` (the request's waitUntil): a verified return of an order with no payment
 * recorded asks its ledger to ask Alipay soon (the buyer says they paid; the notification may be
 * late or lost). The redirect never waits for it.
 */
export async function handleReturn(request: Request, configResult: ConfigResult, env?: GatewayEnv, later?: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  const started = Date.now();
  const log = (fields: Record<string, unknown>) => logLine({ msg: 'return', latency_ms: Date.now() - started, ...fields });

  // Not configured: the route does not exist (even while other settings are broken).
  const configured = configResult.ok ? configResult.config.returnUrl !== null : configResult.routes.returnPage;
  if (!configured) return notFound();
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');

  const query = rawQueryOf(request.url);
  if (query.length > MAX_RETURN_QUERY_CHARS) {
    log({ level: 'warn', outcome: 'rejected', status: 414, reason: 'query-too-long', query_chars: query.length });
    return textResponse(414, 'query too long');
  }
  if (!configResult.ok) {
    log({ level: 'error', outcome: 'misconfigured', status: 503, problems: configResult.problems.map((p) => p.setting) });
    return textResponse(503, 'gateway misconfigured');
  }
  const config = configResult.config;

  const now = Date.now();
  const check = await checkReturnQuery(query, config.alipay, now);
  if (check.verified && check.order !== null && config.reconcile !== null && env && later) {
    const order = { orderKey: orderKey(check.order.app, check.order.outTradeNo), app: check.order.app, outTradeNo: check.order.outTradeNo };
    later.waitUntil(
      env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(order.orderKey))
        .askSoon('return', order)
        .catch((error: unknown) => log({ level: 'warn', outcome: 'ask-failed', order: order.orderKey, error })),
    );
  }
  const location = await returnRedirectLocation(config.returnUrl!, query, check, config.forward.secrets[0]!, now, config.visibility.statusSecret);
  log({
    level: check.verified ? 'info' : 'warn',
    outcome: check.verified ? 'verified' : 'not-verified',
    status: 302,
    ...(check.verified ? {} : { reason: check.reason, hint: check.hint }),
    query_chars: query.length,
  });
  return redirect(location, { 'referrer-policy': 'no-referrer' });
}
