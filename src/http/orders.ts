// POST /alipay/orders (when STATUS_SECRET is set): the merchant's site registers an order it
// expects to be paid, signed like the buyer's status links (src/http/order-registration.ts). The
// order's ledger keeps the amount (a payment of another amount is held for a person) and, when
// asking Alipay is configured, asks on RECONCILE_SCHEDULE until the order is paid, closed or
// expired: a payment whose notification never arrives is still found and forwarded.
//
//   form fields: app_id, out_trade_no, total_amount ("88.80"), expire (Unix seconds), sig
//   200 {"ok":true,"orderKey","status":"expected"|"paid"|"closed","asking","nextQueryAt"}
//   400 malformed / 403 bad signature / 404 while STATUS_SECRET is unset / 409 app_id not configured / 422 expired
import { ORDERS_PATH } from '../config/names';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { orderKey } from '../orders/order-key';
import { readBodyCapped, type BodyLimits } from '../utils/read-capped';
import { checkOrderRegistration, type RegistrationReason } from './order-registration';
import { jsonResponse } from './responses';

/** Five short fields: anything bigger or slower is not a site registering an order. */
const REGISTRATION_BODY_LIMITS: BodyLimits = { maxBytes: 2 * 1024, deadlineMs: 5_000 };

const REGISTRATION_STATUS = {
  'missing-parameter': 400,
  'malformed-parameter': 400,
  'bad-signature': 403,
  expired: 422,
  'expiry-too-far': 422,
} as const satisfies Record<RegistrationReason, number>;

export async function handleOrders(request: Request, env: GatewayEnv, configResult: ConfigResult): Promise<Response> {
  if (!configResult.ok) return jsonResponse(503, { ok: false, error: 'the gateway settings have problems (see /health)' });
  const config = configResult.config;
  const secret = config.visibility.statusSecret;
  if (secret === null) return jsonResponse(404, { ok: false, error: 'not found' });
  if (request.method !== 'POST') return jsonResponse(405, { ok: false, error: 'POST a form' }, { allow: 'POST' });
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return jsonResponse(415, { ok: false, error: 'the body must be a form (application/x-www-form-urlencoded)' });
  }
  const read = await readBodyCapped(request, REGISTRATION_BODY_LIMITS);
  if (!read.ok) return jsonResponse(read.reason === 'too-large' ? 413 : 400, { ok: false, error: `body ${read.reason}` });

  const check = await checkOrderRegistration(new URLSearchParams(new TextDecoder().decode(read.body)), secret, Date.now());
  if (!check.ok) {
    logLine({ level: 'warn', msg: 'order registration refused', path: ORDERS_PATH, reason: check.reason });
    return jsonResponse(REGISTRATION_STATUS[check.reason], { ok: false, reason: check.reason, error: check.error });
  }
  const order = check.order;
  if (!config.alipay.appIds.includes(order.appId) && !config.alipay.sellerIds.includes(order.appId)) {
    return jsonResponse(409, { ok: false, reason: 'unknown-app', error: 'app_id is not one of the gateway\'s ALIPAY_APP_ID (or ALIPAY_SELLER_ID)' });
  }
  const key = orderKey(order.appId, order.outTradeNo);
  try {
    const ledger = env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(key));
    const result = await ledger.expect({
      orderKey: key,
      app: order.appId,
      outTradeNo: order.outTradeNo,
      totalAmount: order.totalAmount,
      totalCents: order.totalCents,
      expiresAt: order.expiresAt,
    });
    if (!result.ok) return jsonResponse(503, { ok: false, error: result.hint });
    return jsonResponse(200, { ok: true, orderKey: key, status: result.status, asking: result.asking, nextQueryAt: result.nextQueryAt });
  } catch (error) {
    logLine({ level: 'error', msg: 'order registration unavailable', order: key, error });
    return jsonResponse(503, { ok: false, error: 'storage unavailable, try again' });
  }
}
