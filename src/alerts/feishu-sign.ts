// Feishu/Lark's signed custom bot (签名校验): the JSON body gets `timestamp` (epoch seconds, a string)
// and `sign`, base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = nothing)): key and message
// the other way round from DingTalk's. Feishu refuses a timestamp more than an hour away from its
// clock, so each attempt signs afresh.

import { base64Encode } from '../utils/base64';
import { utf8Encode } from '../utils/bytes';

export async function feishuSign(secret: string, timestampSeconds: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8Encode(`${timestampSeconds}\n${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return base64Encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, new Uint8Array(0))));
}

/** The formatted message (a JSON object) with `timestamp` and `sign` added. */
export async function feishuSignedBody(body: string, secret: string, timestampMs: number): Promise<string> {
  const timestamp = Math.floor(timestampMs / 1000);
  const message = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify({ timestamp: String(timestamp), sign: await feishuSign(secret, timestamp), ...message });
}
