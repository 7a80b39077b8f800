// Operator API, only when ADMIN_TOKEN is set (404 otherwise, so it does not advertise itself):
//   GET  /admin/orders/:app/:out_trade_no                  the ledger of one order
//   POST /admin/orders/:app/:out_trade_no/redeliver[?event=KEY]   deliver again now
//   GET  /admin/messages/:app/:notify_id                   the same for a message with no out_trade_no
//   POST /admin/messages/:app/:notify_id/redeliver[?event=KEY]
//   GET  /admin/dead-letters[?limit=N]                     events that exhausted their retries
// Buyer identities are masked in everything shown. Bearer ADMIN_TOKEN or the console's session
// cookie (src/http/admin-auth.ts).
import { Router, type IRequest } from 'itty-router';
import type { Config, ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { maskParams } from '../log';
import { deadLetterIndex } from '../orders/dead-letters';
import type { LedgerSnapshot, RedeliverResult } from '../orders/ledger-types';
import { messageKey, orderKey } from '../orders/order-key';
import { authorizeAdmin } from './admin-auth';
import { jsonResponse } from './responses';

const MAX_PARAM_CHARS = 256;

const json = jsonResponse;

const notFound = () => json(404, { ok: false, error: 'not found' });

/** Path segments arrive percent-encoded; an out_trade_no may need it. */
function segment(request: IRequest, name: string): string | null {
  const raw = request.params[name];
  if (raw === undefined || raw.length > MAX_PARAM_CHARS) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function ledgerFor(env: GatewayEnv, key: string) {
  return env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(key));
}

function maskSnapshot(snapshot: LedgerSnapshot): LedgerSnapshot {
  return {
    ...snapshot,
    notifications: snapshot.notifications.map((n) => ({ ...n, params: n.params === null ? null : maskParams(n.params) })),
  };
}

async function showLedger(env: GatewayEnv, key: string | null): Promise<Response> {
  if (key === null) return json(400, { ok: false, error: 'bad path segment' });
  const snapshot = await ledgerFor(env, key).snapshot();
  if (snapshot === null) return json(404, { ok: false, error: 'no notification was ever recorded for this order' });
  return json(200, { ok: true, ...maskSnapshot(snapshot) });
}

async function redeliver(request: IRequest, env: GatewayEnv, key: string | null): Promise<Response> {
  if (key === null) return json(400, { ok: false, error: 'bad path segment' });
  const event = new URL(request.url).searchParams.get('event') ?? undefined;
  const result: RedeliverResult = await ledgerFor(env, key).redeliver(event);
  if (result.ok) return json(200, { ok: true, orderKey: key, results: result.results });
  const status = result.reason === 'misconfigured' ? 503 : 404;
  return json(status, { ok: false, reason: result.reason, error: result.hint });
}

const orderKeyOf = (r: IRequest) => {
  const app = segment(r, 'app');
  const outTradeNo = segment(r, 'outTradeNo');
  return app === null || outTradeNo === null ? null : orderKey(app, outTradeNo);
};
const messageKeyOf = (r: IRequest) => {
  const app = segment(r, 'app');
  const notifyId = segment(r, 'notifyId');
  return app === null || notifyId === null ? null : messageKey(app, notifyId);
};

const router = Router<IRequest, [GatewayEnv, Config]>({ base: '/admin' })
  .get('/orders/:app/:outTradeNo', (r, env) => showLedger(env, orderKeyOf(r)))
  .post('/orders/:app/:outTradeNo/redeliver', (r, env) => redeliver(r, env, orderKeyOf(r)))
  .get('/messages/:app/:notifyId', (r, env) => showLedger(env, messageKeyOf(r)))
  .post('/messages/:app/:notifyId/redeliver', (r, env) => redeliver(r, env, messageKeyOf(r)))
  .get('/dead-letters', async (r, env) => {
    const limit = Number(new URL(r.url).searchParams.get('limit') ?? '100');
    const deadLetters = await deadLetterIndex(env).list(Number.isInteger(limit) && limit > 0 ? limit : 100);
    return json(200, { ok: true, deadLetters });
  });

export async function handleAdmin(request: Request, env: GatewayEnv, configResult: ConfigResult): Promise<Response> {
  if (!configResult.ok) return json(503, { ok: false, error: 'the gateway settings have problems (see /health)' });
  const config = configResult.config;
  if (config.adminToken === null) return notFound();
  const authorization = await authorizeAdmin(request, config);
  if (!authorization.ok) {
    const challenge: Record<string, string> = authorization.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
    return json(authorization.status, { ok: false, error: authorization.error }, challenge);
  }
  try {
    return ((await router.fetch(request, env, config)) as Response | undefined) ?? notFound();
  } catch (error) {
    return json(503, { ok: false, error: `storage unavailable (${error instanceof Error ? error.name : 'error'})` });
  }
}
