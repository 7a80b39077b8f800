// An order the merchant's site expects to be paid (POST /alipay/orders), signed with STATUS_SECRET
// like the buyer's status links, so only the merchant can register one:
//
//   sig = lowercase hex of HMAC-SHA256(key = UTF-8 bytes of STATUS_SECRET,
//                                      message = "order.<app_id>.<out_trade_no>.<total_amount>.<expire>")
//
// `total_amount` is yuan with exactly two decimals ("88.80", as the site passes it to Alipay's
// page-pay call) and `expire` is Unix seconds: when the order can no longer be paid. Both are
// digits around one ".", and app_id is digits, so the message splits back in only one way whatever
// out_trade_no holds; the "order." prefix keeps it apart from a status link's message, which
// starts with a digit. Pure: the route (src/http/orders.ts) hands the result to the order's ledger.
import { parseAmountCents } from '../alipay/amount';
import { MAX_OUT_TRADE_NO_CHARS } from '../alipay/fields';
import { utf8Encode } from '../utils/bytes';
import { timingSafeEqual } from '../utils/constant-time';
import { hexEncode } from '../utils/hex';
import { hmacSha256 } from '../utils/hmac';
import { DAY_MS } from '../utils/duration';

export interface OrderRegistration {
  readonly appId: string;
  readonly outTradeNo: string;
  /** As sent: "88.80". */
  readonly totalAmount: string;
  readonly totalCents: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export type RegistrationReason = 'missing-parameter' | 'malformed-parameter' | 'bad-signature' | 'expired' | 'expiry-too-far';

export type RegistrationCheck = { ok: true; order: OrderRegistration } | { ok: false; reason: RegistrationReason; error: string };

/** Alipay's longest payment window (timeout_express 15d): an order that stays payable longer is a mistake. */
export const MAX_EXPIRY_MS = 15 * DAY_MS;

const APP_ID = /^\d{1,32}$/;
// The merchant's order number as the core accepts it in a notification (printable ASCII without "&").
const OUT_TRADE_NO = new RegExp(`^[\\x20-\\x25\\x27-\\x7e]{1,${MAX_OUT_TRADE_NO_CHARS}}$`);
const TOTAL_AMOUNT = /^\d{1,11}\.\d{2}$/;
const EXPIRE = /^\d{1,12}$/;
const SIG = /^[0-9a-fA-F]{64}$/;

export async function signOrderRegistration(secret: Uint8Array, appId: string, outTradeNo: string, totalAmount: string, expire: number): Promise<string> {
  return hexEncode(await hmacSha256(secret, utf8Encode(`order.${appId}.${outTradeNo}.${totalAmount}.${expire}`)));
}

/** Checks the form's fields; the signature before the expiry, so "expired" is only said of a genuine registration. */
export async function checkOrderRegistration(params: URLSearchParams, secret: Uint8Array, nowMs: number): Promise<RegistrationCheck> {
  const appId = params.get('app_id');
  const outTradeNo = params.get('out_trade_no');
  const totalAmount = params.get('total_amount');
  const expireText = params.get('expire');
  const sig = params.get('sig');
  if (!appId || !outTradeNo || !totalAmount || !expireText || !sig) {
    return { ok: false, reason: 'missing-parameter', error: 'an order registration needs app_id, out_trade_no, total_amount, expire and sig' };
  }
  for (const [name, value, format, what] of [
    ['app_id', appId, APP_ID, 'digits'],
    ['out_trade_no', outTradeNo, OUT_TRADE_NO, `printable ASCII without "&", at most ${MAX_OUT_TRADE_NO_CHARS} characters`],
    ['total_amount', totalAmount, TOTAL_AMOUNT, 'yuan with exactly two decimals, e.g. 88.80'],
    ['expire', expireText, EXPIRE, 'Unix seconds'],
    ['sig', sig, SIG, '64 hex characters'],
  ] as const) {
    if (!format.test(value)) return { ok: false, reason: 'malformed-parameter', error: `${name} must be ${what}` };
  }
  const cents = parseAmountCents(totalAmount);
  if (cents === null || cents === 0n) return { ok: false, reason: 'malformed-parameter', error: 'total_amount must be more than 0.00' };
  const expire = Number(expireText);
  const expected = await signOrderRegistration(secret, appId, outTradeNo, totalAmount, expire);
  if (!timingSafeEqual(utf8Encode(sig.toLowerCase()), utf8Encode(expected))) {
    return { ok: false, reason: 'bad-signature', error: 'the signature does not match (HMAC-SHA256 with STATUS_SECRET over order.<app_id>.<out_trade_no>.<total_amount>.<expire>)' };
  }
  const expiresAt = expire * 1000;
  if (expiresAt <= nowMs) return { ok: false, reason: 'expired', error: 'expire is in the past: the order can no longer be paid' };
  if (expiresAt > nowMs + MAX_EXPIRY_MS) return { ok: false, reason: 'expiry-too-far', error: 'expire is more than 15 days ahead (Alipay\'s longest payment window)' };
  return { ok: true, order: { appId, outTradeNo, totalAmount, totalCents: Number(cents), expiresAt } };
}
