// Standard Webhooks signing (https://www.standardwebhooks.com): the origin verifies
// `v1,<base64 HMAC-SHA256(secret, "id.timestamp.body")>` with any reference library.
import { base64Encode, concatBytes, utf8Encode } from '../alipay/bytes';

interface WebhookHeaders {
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
  const entries = await Promise.all(secrets.map(async (secret) => `v1,${base64Encode(await hmacSha256(secret, signed))}`));
  return { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': entries.join(' ') };
}

// The secrets come from the per-isolate config, so each one's CryptoKey is imported once and kept
// beside it (keyed by the secret's own bytes object: no copy of a secret is made to look it up).
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** HMAC-SHA256 with a FORWARD_SECRET entry (webhook signatures and the return page's verdict). */
export async function hmacSha256(secret: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    hmacKeys.set(secret, key);
  }
  return new Uint8Array(await crypto.subtle.sign('HMAC', await key, data));
}
