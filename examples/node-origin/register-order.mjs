// Telling the gateway about an order before the buyer pays (POST /alipay/orders), so that a
// payment whose notification never arrives is still found, by asking Alipay, and so that a
// payment of another amount is held for a person instead of being forwarded as paid.
//
// Call it when the order is created, just before redirecting the buyer to Alipay. The gateway
// checks the signature, made with STATUS_SECRET (the gateway's secret of that name):
//   sig = lowercase hex HMAC-SHA256(key = UTF-8 of STATUS_SECRET,
//                                   message = "order." app_id "." out_trade_no "." total_amount "." expire)
// total_amount is yuan with exactly two decimals ("88.80"); expire is Unix seconds, when the order
// can no longer be paid (as the timeout you give Alipay). Registering never stands in the way of
// checkout: if the gateway cannot be reached, go on and pay anyway (the notification still works).
//
// Test vector: secret "status-secret-example-0123456789abcdef", app_id "2021000000000000",
// out_trade_no "DEMO-20260501-0001", total_amount "88.80", expire 1777600000
//   -> 4d3f9cf2b7ebca08de3c5c422dd68844bb2a5726b150fedb00c057834f79e608
import { createHmac } from 'node:crypto';

/** "88.8", 88.8 or 8880n cents are not accepted: pass the amount as the string you send to Alipay. */
const AMOUNT = /^\d{1,11}\.\d{2}$/;
/** Unix seconds stay below this until the year 5138; Date.now() milliseconds are far above it. */
const MAX_EXPIRE_SECONDS = 1e11;

/**
 * @param {{ secret: string, appId: string, outTradeNo: string, totalAmount: string, expire: number }} order
 * @returns {string} the signature
 */
export function signOrderRegistration({ secret, appId, outTradeNo, totalAmount, expire }) {
  const key = String(secret ?? '').trim(); // the gateway trims STATUS_SECRET too
  if (!key) throw new Error('signOrderRegistration: STATUS_SECRET is required');
  if (!AMOUNT.test(totalAmount)) throw new Error('signOrderRegistration: totalAmount must be yuan with two decimals, e.g. "88.80"');
  // The signed text holds expire as written here: 1777600000.5 or "1777600000" would not be what
  // the gateway checks, and Date.now() is milliseconds.
  if (!Number.isInteger(expire) || expire <= 0) {
    throw new Error(`signOrderRegistration: expire must be whole Unix seconds, e.g. Math.floor(Date.now() / 1000) + 30 * 60 (got ${String(expire)})`);
  }
  if (expire >= MAX_EXPIRE_SECONDS) {
    throw new Error(`signOrderRegistration: expire ${expire} looks like milliseconds; it is Unix seconds: Math.floor(Date.now() / 1000) + 30 * 60`);
  }
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(`order.${appId}.${outTradeNo}.${totalAmount}.${expire}`, 'utf8').digest('hex');
}

/**
 * Registers the order with the gateway. Resolves to the gateway's JSON answer, or to
 * `{ ok: false, error }` when it could not be reached in time (never throws: checkout goes on).
 * @param {{ gatewayUrl: string, secret: string, appId: string, outTradeNo: string, totalAmount: string,
 *           expire: number, timeoutMs?: number, fetch?: typeof fetch }} options
 */
export async function registerOrder({ gatewayUrl, secret, appId, outTradeNo, totalAmount, expire, timeoutMs = 5_000, fetch: doFetch = fetch }) {
  const sig = signOrderRegistration({ secret, appId, outTradeNo, totalAmount, expire });
  const body = new URLSearchParams({ app_id: appId, out_trade_no: outTradeNo, total_amount: totalAmount, expire: String(expire), sig });
  try {
    const response = await doFetch(`${gatewayUrl.replace(/\/+$/, '')}/alipay/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return await response.json();
  } catch (error) {
    return { ok: false, error: `the gateway could not be reached: ${error instanceof Error ? error.message : String(error)}` };
  }
}
