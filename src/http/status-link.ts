// The buyer's status link: the merchant's page signs which order it shows and until when, so the
// gateway answers status questions only for links a merchant made.
//
//   sig = lowercase hex of HMAC-SHA256(key = UTF-8 bytes of STATUS_SECRET, message = "<app_id>.<out_trade_no>.<exp>")
//
// `exp` is Unix seconds. app_id (or, for legacy mapi, the seller id) is digits and exp is digits,
// so the message splits back in only one way whatever out_trade_no holds.
import { MAX_OUT_TRADE_NO_CHARS } from '../alipay/fields';
import { utf8Encode } from '../utils/bytes';
import { timingSafeEqual } from '../utils/constant-time';
import { hexEncode } from '../utils/hex';
import { hmacSha256 } from '../utils/hmac';

export interface StatusLink {
  appId: string;
  outTradeNo: string;
  /** Unix seconds. */
  exp: number;
}

export type StatusLinkReason = 'missing-parameter' | 'malformed-parameter' | 'bad-signature' | 'expired';

export type StatusLinkCheck = { ok: true; link: StatusLink } | { ok: false; reason: StatusLinkReason; error: string };

const APP_ID = /^\d{1,32}$/;
/** An out_trade_no as the gateway accepts one in a notification (length), with no control characters. */
const OUT_TRADE_NO = new RegExp(`^[^\\u0000-\\u001f\\u007f]{1,${MAX_OUT_TRADE_NO_CHARS}}$`);
const EXP = /^\d{1,12}$/;
const SIG = /^[0-9a-fA-F]{64}$/;

export async function signStatusLink(secret: Uint8Array, appId: string, outTradeNo: string, exp: number): Promise<string> {
  return hexEncode(await hmacSha256(secret, utf8Encode(`${appId}.${outTradeNo}.${exp}`)));
}

/** Checks the link's parameters; the signature before the expiry, so "expired" is only said of a genuine link. */
export async function checkStatusLink(params: URLSearchParams, secret: Uint8Array, nowMs: number): Promise<StatusLinkCheck> {
  const appId = params.get('app_id');
  const outTradeNo = params.get('out_trade_no');
  const expText = params.get('exp');
  const sig = params.get('sig');
  if (!appId || !outTradeNo || !expText || !sig) {
    return { ok: false, reason: 'missing-parameter', error: 'the link needs app_id, out_trade_no, exp and sig' };
  }
  if (!APP_ID.test(appId) || !OUT_TRADE_NO.test(outTradeNo) || !EXP.test(expText) || !SIG.test(sig)) {
    return { ok: false, reason: 'malformed-parameter', error: 'a link parameter is malformed' };
  }
  const exp = Number(expText);
  const expected = await signStatusLink(secret, appId, outTradeNo, exp);
  if (!timingSafeEqual(utf8Encode(sig.toLowerCase()), utf8Encode(expected))) {
    return { ok: false, reason: 'bad-signature', error: 'the link signature does not match' };
  }
  if (exp * 1000 <= nowMs) return { ok: false, reason: 'expired', error: 'the link has expired' };
  return { ok: true, link: { appId, outTradeNo, exp } };
}
