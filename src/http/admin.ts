// Operator API, only when ADMIN_TOKEN is set (404 otherwise, so it does not advertise itself):
//   GET  /admin/orders/:app/:out_trade_no                  the ledger of one order
//   POST /admin/orders/:app/:out_trade_no/redeliver[?event=KEY]   deliver again now
//   POST /admin/orders/:app/:out_trade_no/ask                     ask Alipay about the order now (alipay.trade.query)
//   POST /admin/orders/:app/:out_trade_no/release[?event=paid]    forward a payment held for its amount
//   POST /admin/orders/:app/:out_trade_no/refuse[?event=paid]     never forward it
//   GET  /admin/messages/:app/:notify_id                   the same for a message with no out_trade_no
//   POST /admin/messages/:app/:notify_id/redeliver[?event=KEY]
//   GET  /admin/dead-letters[?limit=N]                     events that exhausted their retries (a view of the payments index)
//   /admin/api/*                                           the payments index: history, totals, series, rejections, bulk redelivery;
//                                                          the delivery hold (admin-api.ts)
// Ids are percent-encoded path segments; an id that is empty, `.`, `..` or starts with `~` is
// written with one more `~` in front (`/admin/orders/APP/~..`), because URL parsers resolve dot
// segments before the gateway sees them (src/orders/order-key.ts, idSegment).
// Buyer identities are masked in everything shown. Bearer ADMIN_TOKEN or the console's session
// cookie (src/http/admin-auth.ts).
import { Router, type IRequest } from 'itty-router';
import type { Config, ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { maskParams } from '../log';
import type { AmountDecision, LedgerSnapshot, OrderRef, RedeliverResult } from '../orders/ledger-types';
import { MAX_NOTIFY_ID_CHARS, MAX_OUT_TRADE_NO_CHARS, idFromSegment, idLength, messageKey, orderKey } from '../orders/order-key';
import { timelineOf } from '../orders/timeline';
import { authorizeAdmin } from './admin-auth';
import { adminApiRouter, deadLettersHandler } from './admin-api';
import { jsonResponse } from './responses';

/** App ids are configured values (app_id is String(32)); anything much longer names nothing. */
const MAX_APP_CHARS = 64;
/** Percent-encoded, one character is at most 12 (4 UTF-8 bytes), plus the `~` escape. */
const MAX_ENCODED_CHARS_PER_CHAR = 12;

const json = jsonResponse;

const notFound = () => json(404, { ok: false, error: 'not found' });

type Located = { ok: true; key: string } | { ok: false; response: Response };

/**
 * The id in a path segment (written by idSegment), or a 400 saying why no acknowledged order or
 * message can have it: the notify path refuses ids over these limits (orderKeyFor).
 */
function idParam(request: IRequest, name: string, field: string, maxChars: number): { ok: true; id: string } | { ok: false; response: Response } {
  const raw = request.params[name] ?? '';
  const tooLong = () => ({
    ok: false as const,
    response: json(400, { ok: false, error: `${field} longer than ${maxChars} characters: the gateway refuses such notifications, so none was recorded` }),
  });
  if (raw.length > maxChars * MAX_ENCODED_CHARS_PER_CHAR + 3) return tooLong();
  const id = idFromSegment(raw);
  if (id === null) return { ok: false, response: json(400, { ok: false, error: `bad path segment: ${field} is not valid percent-encoded UTF-8` }) };
  if (idLength(id) > maxChars) return tooLong();
  return { ok: true, id };
}

function keyOf(request: IRequest, id: { name: string; field: string; maxChars: number }, key: (app: string, id: string) => string): Located {
  const app = idParam(request, 'app', 'app', MAX_APP_CHARS);
  if (!app.ok) return app;
  const second = idParam(request, id.name, id.field, id.maxChars);
  if (!second.ok) return second;
  return { ok: true, key: key(app.id, second.id) };
}

const orderKeyOf = (r: IRequest) => keyOf(r, { name: 'outTradeNo', field: 'out_trade_no', maxChars: MAX_OUT_TRADE_NO_CHARS }, orderKey);

/** The order a path names, with its parts (a ledger that never recorded anything does not know them). */
function orderRefOf(r: IRequest): { ok: true; order: OrderRef } | { ok: false; response: Response } {
  const app = idParam(r, 'app', 'app', MAX_APP_CHARS);
  if (!app.ok) return app;
  const outTradeNo = idParam(r, 'outTradeNo', 'out_trade_no', MAX_OUT_TRADE_NO_CHARS);
  if (!outTradeNo.ok) return outTradeNo;
  return { ok: true, order: { orderKey: orderKey(app.id, outTradeNo.id), app: app.id, outTradeNo: outTradeNo.id } };
}

/** The operator's "ask Alipay now": the query runs during this request, and its answer is shown. */
async function askAlipay(env: GatewayEnv, config: Config, located: ReturnType<typeof orderRefOf>): Promise<Response> {
  if (!located.ok) return located.response;
  if (!config.alipay.appIds.includes(located.order.app)) {
    return json(400, { ok: false, reason: 'not-queryable', error: 'the app is not one of ALIPAY_APP_ID: alipay.trade.query is asked as one of them' });
  }
  const result = await ledgerFor(env, located.order.orderKey).askNow(located.order);
  if (result.ok) return json(200, { ok: true, orderKey: located.order.orderKey, ...result.run, reconcile: result.reconcile });
  const status = result.reason === 'misconfigured' ? 503 : result.reason === 'busy' ? 409 : result.reason === 'not-configured' ? 501 : 400;
  return json(status, { ok: false, reason: result.reason, error: result.hint });
}

/** Release or refuse a payment held because its amount is not the one the site registered. */
async function decideHeld(request: IRequest, env: GatewayEnv, located: Located, decision: AmountDecision): Promise<Response> {
  if (!located.ok) return located.response;
  const event = new URL(request.url).searchParams.get('event') ?? 'paid';
  const result = await ledgerFor(env, located.key).resolveAmount(event, decision);
  if (result.ok) return json(200, { ok: true, orderKey: located.key, results: result.results });
  return json(result.reason === 'not-held' ? 409 : 404, { ok: false, reason: result.reason, error: result.hint });
}
const messageKeyOf = (r: IRequest) => keyOf(r, { name: 'notifyId', field: 'notify_id', maxChars: MAX_NOTIFY_ID_CHARS }, messageKey);

function ledgerFor(env: GatewayEnv, key: string) {
  return env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(key));
}

function maskSnapshot(snapshot: LedgerSnapshot): LedgerSnapshot {
  return {
    ...snapshot,
    notifications: snapshot.notifications.map((n) => ({ ...n, params: n.params === null ? null : maskParams(n.params) })),
  };
}

async function showLedger(env: GatewayEnv, located: Located): Promise<Response> {
  if (!located.ok) return located.response;
  const snapshot = await ledgerFor(env, located.key).snapshot();
  if (snapshot === null) return json(404, { ok: false, error: 'no notification was ever recorded for this order' });
  const masked = maskSnapshot(snapshot);
  return json(200, { ok: true, ...masked, timeline: timelineOf(masked) });
}

async function redeliver(request: IRequest, env: GatewayEnv, located: Located): Promise<Response> {
  if (!located.ok) return located.response;
  const event = new URL(request.url).searchParams.get('event') ?? undefined;
  const result: RedeliverResult = await ledgerFor(env, located.key).redeliver(event);
  if (result.ok) return json(200, { ok: true, orderKey: located.key, results: result.results });
  const status = result.reason === 'misconfigured' ? 503 : 404;
  return json(status, { ok: false, reason: result.reason, error: result.hint });
}

const router = Router<IRequest, [GatewayEnv, Config]>({ base: '/admin' })
  .get('/orders/:app/:outTradeNo', (r, env) => showLedger(env, orderKeyOf(r)))
  .post('/orders/:app/:outTradeNo/redeliver', (r, env) => redeliver(r, env, orderKeyOf(r)))
  .post('/orders/:app/:outTradeNo/ask', (r, env, config) => askAlipay(env, config, orderRefOf(r)))
  .post('/orders/:app/:outTradeNo/release', (r, env) => decideHeld(r, env, orderKeyOf(r), 'release'))
  .post('/orders/:app/:outTradeNo/refuse', (r, env) => decideHeld(r, env, orderKeyOf(r), 'refuse'))
  .get('/messages/:app/:notifyId', (r, env) => showLedger(env, messageKeyOf(r)))
  .post('/messages/:app/:notifyId/redeliver', (r, env) => redeliver(r, env, messageKeyOf(r)))
  .get('/dead-letters', deadLettersHandler)
  .all('/api/*', (r, env, config) => adminApiRouter.fetch(r, env, config));

export async function handleAdmin(request: Request, env: GatewayEnv, configResult: ConfigResult): Promise<Response> {
  if (!configResult.ok) return json(503, { ok: false, error: 'the gateway settings have problems (see /health)' });
  const config = configResult.config;
  if (config.adminToken === null) return notFound();
  const authorization = await authorizeAdmin(request, config, env.ADMIN_API_LIMITER);
  if (!authorization.ok) {
    const headers: Record<string, string> =
      authorization.status === 401 ? { 'www-authenticate': 'Bearer' } : authorization.status === 429 ? { 'retry-after': '60' } : {};
    return json(authorization.status, { ok: false, error: authorization.error }, headers);
  }
  try {
    return ((await router.fetch(request, env, config)) as Response | undefined) ?? notFound();
  } catch (error) {
    return json(503, { ok: false, error: `storage unavailable (${error instanceof Error ? error.name : 'error'})` });
  }
}
