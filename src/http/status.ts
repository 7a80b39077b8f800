// GET /alipay/status?app_id=&out_trade_no=&exp=&sig= (when STATUS_SECRET is set): the payment
// status of one order for the buyer's page, `{ status, amount, paidAt }` and nothing about the
// buyer. The link is signed by the merchant's page (src/http/status-link.ts); a wrong, expired
// or missing signature gets 403. Pages on STATUS_ALLOWED_ORIGINS, and pages of the gateway's own
// origin, may read it (CORS; the WebSocket's Origin check).
//
// The same URL with `Upgrade: websocket` joins the order's OrderLedger (WebSocket Hibernation
// API): it sends the same JSON at once and again whenever the status changes. Polling the plain
// GET is the fallback.
import { STATUS_PATH } from '../config/names';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { orderKey } from '../orders/order-key';
import { LEDGER_STATUS_SOCKET_URL, LINK_EXPIRY_HEADER } from '../orders/status-watchers';
import type { BuyerStatus } from '../payments/types';
import { isSameOrigin } from './same-origin';
import { checkStatusLink } from './status-link';
import { jsonResponse, noContent, textResponse } from './responses';

/** A real link is a few hundred characters. */
const MAX_QUERY_CHARS = 1024;
const PREFLIGHT_MAX_AGE_S = 600;


/**
 * Whether the page the browser says the request comes from (`Origin`) may read the status: a
 * listed origin, or the gateway's own (the merchant routed the Worker in front of the shop's
 * host, so its "thank you" page shares the gateway's origin; reading it is not cross-site).
 *
 * "Own" is the origin of the URL the request was made to (request.url, as the Worker sees it),
 * never a Host or X-Forwarded-Host header. That adds nothing to what the browser already allows: a
 * browser sets both the Origin and the address it connects to, and no page can change either, so
 * the two match only when the page really is of that origin, a page whose same-origin fetch the
 * browser would let read the answer anyway. Cloudflare runs the Worker only for the hosts of its
 * routes, so a foreign host (DNS pointed at Cloudflare) does not reach it. A client other than a
 * browser can send any Origin, or none (allowed too): this check only keeps other sites' pages in
 * a buyer's browser out, and the signed link is what guards the status itself.
 */
function mayRead(request: Request, allowed: readonly string[]): boolean {
  const origin = request.headers.get('origin');
  return origin !== null && (allowed.includes(origin) || isSameOrigin(request));
}

/**
 * CORS for an origin that may read; nothing for any other (the browser then keeps the answer from
 * the page). A same-origin GET usually carries no Origin and is readable without CORS; one that
 * does carry it gets the header too, so polling and the socket follow the one rule of mayRead.
 */
function corsHeaders(request: Request, allowed: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = { vary: 'Origin' };
  if (mayRead(request, allowed)) headers['access-control-allow-origin'] = request.headers.get('origin')!;
  return headers;
}

/**
 * `later` (the request's waitUntil): while the order is not paid, its ledger is asked to ask
 * Alipay soon (bounded per order: a page left open does not query forever). The answer never waits.
 */
export async function handleStatus(request: Request, env: GatewayEnv, configResult: ConfigResult, later?: Pick<ExecutionContext, 'waitUntil'>): Promise<Response> {
  if (!configResult.ok) return jsonResponse(503, { ok: false, error: 'the gateway settings have problems (see /health)' });
  const { statusSecret, statusAllowedOrigins } = configResult.config.visibility;
  if (statusSecret === null) return jsonResponse(404, { ok: false, error: 'not found' });

  const cors = corsHeaders(request, statusAllowedOrigins);
  if (request.method === 'OPTIONS') {
    return noContent({ ...cors, 'access-control-allow-methods': 'GET', 'access-control-max-age': String(PREFLIGHT_MAX_AGE_S) });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'method not allowed', { allow: 'GET, HEAD, OPTIONS', ...cors });

  const url = new URL(request.url);
  if (url.search.length > MAX_QUERY_CHARS) return jsonResponse(414, { ok: false, error: 'query too long' }, cors);
  const check = await checkStatusLink(url.searchParams, statusSecret, Date.now());
  if (!check.ok) {
    logLine({ level: 'warn', msg: 'status link refused', path: STATUS_PATH, reason: check.reason });
    return jsonResponse(403, { ok: false, error: check.error }, cors);
  }

  const { appId, outTradeNo, exp } = check.link;
  const key = orderKey(appId, outTradeNo);
  const ledger = env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(key));
  // The buyer is waiting on a payment nobody has recorded yet: ask Alipay (bounded, after the answer).
  const askIfWaiting = (status: BuyerStatus['status']) => {
    if (later && configResult.config.reconcile !== null && (status === 'waiting' || status === 'unknown')) {
      later.waitUntil(ledger.askSoon('status', { orderKey: key, app: appId, outTradeNo }).catch(() => undefined));
    }
  };
  try {
    if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
      // CORS does not cover WebSockets (a browser opens one from any page and sends its Origin):
      // a page that may not read the status is refused here instead. No Origin: not a browser page.
      if (request.headers.has('origin') && !mayRead(request, statusAllowedOrigins)) return jsonResponse(403, { ok: false, error: 'this origin may not read the status' });
      const socket = await ledger.fetch(new Request(LEDGER_STATUS_SOCKET_URL, { headers: { upgrade: 'websocket', [LINK_EXPIRY_HEADER]: String(exp) } }));
      if (socket.status === 101) askIfWaiting('waiting');
      return socket;
    }
    const status = await ledger.buyerStatus();
    askIfWaiting(status.status);
    return jsonResponse(200, status, cors);
  } catch (error) {
    logLine({ level: 'error', msg: 'status unavailable', error });
    return jsonResponse(503, { ok: false, error: 'status unavailable, try again' }, cors);
  }
}
