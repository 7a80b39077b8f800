// Standard Webhooks signing (https://www.standardwebhooks.com): the origin verifies
// `v1,<base64 HMAC-SHA256(secret, "id.timestamp.body")>` with any reference library.
import { base64Encode } from '../utils/base64';
import { hmacSha256 } from '../utils/hmac';
import { concatBytes, utf8Encode } from '../utils/bytes';

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
