// Standard Webhooks signing (https://www.standardwebhooks.com): the origin verifies
// `v1,<base64 HMAC-SHA256(secret, "id.timestamp.body")>` with any reference library.
import { base64Encode, concatBytes, utf8Encode } from '../alipay/bytes';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * One `v1,` entry per secret, space-separated: during rotation the origin may hold either
 * secret and still verifies. Recomputed for every attempt because the timestamp changes.
 */
export async function signWebhook(
  secrets: readonly Uint8Array[],
  webhookId: string,
  timestampSec: number,
  body: Uint8Array,
): Promise<WebhookHeaders> {
  const timestamp = String(Math.floor(timestampSec));
  const signed = concatBytes(utf8Encode(`${webhookId}.${timestamp}.`), body);
  const entries = await Promise.all(secrets.map(async (secret) => `v1,${await hmacSha256Base64(secret, signed)}`));
  return { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': entries.join(' ') };
}

async function hmacSha256Base64(secret: Uint8Array, data: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return base64Encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, data)));
}
