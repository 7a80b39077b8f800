// DingTalk's signed group robot ("加签"): the webhook URL gets `timestamp` (epoch ms) and `sign`,
// base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)), URL-encoded. DingTalk
// refuses a timestamp more than an hour away from its clock, so each attempt signs afresh.

import { base64Encode } from '../utils/base64';
import { utf8Encode } from '../utils/bytes';

export async function dingTalkSign(secret: string, timestampMs: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8Encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8Encode(`${timestampMs}\n${secret}`)));
  return base64Encode(mac);
}

/** The robot URL with `timestamp` and `sign` appended; the rest of its query (access_token) is left as it is. */
export async function dingTalkSignedUrl(url: string, secret: string, timestampMs: number): Promise<string> {
  const sign = encodeURIComponent(await dingTalkSign(secret, timestampMs));
  const [base, fragment] = splitFragment(url);
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}timestamp=${timestampMs}&sign=${sign}${fragment}`;
}

function splitFragment(url: string): [string, string] {
  const at = url.indexOf('#');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
