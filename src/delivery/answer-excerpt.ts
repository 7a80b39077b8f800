// The start of an origin's answer as logs and the console show it: one short printable line
// without buyer identities. A legacy page that fails often echoes the form it was posted
// (`Response.Write Request.Form`), URL-encoded or as JSON, so the buyer's fields are masked by
// name in every spelling, and bare ids, e-mail addresses and mobile numbers wherever they appear.
// Every pattern is bounded, so masking is linear in the (already capped) answer.

import { BUYER_IDENTITY_MASKS, maskBuyerId, maskLogonId } from '../log';

export const EXCERPT_CHARS = 200;

/** `buyer_id=v`, `buyer_id%3Dv`, `"buyer_id":"v"`, `buyer_id: v`: the name, what joins it to its value, the value. */
const BUYER_FIELD = /\b(buyer_[a-z_]{2,12})((?:["']?\s{0,3}[:=]\s{0,3}["']?)|%3[Dd])([^\s&"'<>,;]{1,256})/g;
/** Alipay user ids: 2088 and 12 more digits. */
const ALIPAY_USER_ID = /(?<!\d)2088\d{12}(?!\d)/g;
/** An e-mail address, its "@" as such or percent-encoded. */
const EMAIL = /[^\s@&=;:,"'<>()%]{1,64}(?:@|%40)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
/** A mainland mobile number (what buyer_logon_id often is). */
const MOBILE = /(?<![\d*])1[3-9]\d{9}(?!\d)/g;

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function maskField(_match: string, name: string, joint: string, value: string): string {
  const mask = BUYER_IDENTITY_MASKS.get(name);
  return mask === undefined ? `${name}${joint}${value}` : `${name}${joint}${mask(percentDecoded(value))}`;
}

export function answerExcerpt(text: string): string {
  const oneLine = text
    .replace(/[\s\u0000-\u001f\u007f]+/g, ' ')
    .replace(BUYER_FIELD, maskField)
    .replace(ALIPAY_USER_ID, maskBuyerId)
    .replace(EMAIL, (email) => maskLogonId(email.replace(/%40/, '@')))
    .replace(MOBILE, maskLogonId)
    .trim();
  return oneLine.length > EXCERPT_CHARS ? `${oneLine.slice(0, EXCERPT_CHARS)}…` : oneLine;
}
