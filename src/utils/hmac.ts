// HMAC-SHA256 with WebCrypto, one imported CryptoKey per secret.

// Secrets come from the per-isolate config, so each one's CryptoKey is imported once and kept
// beside it (keyed by the secret's own bytes object: no copy of a secret is made to look it up).
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** HMAC-SHA256 keyed with `secret` (e.g. a FORWARD_SECRET entry); `secret` must not be modified afterwards. */
export async function hmacSha256(secret: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    hmacKeys.set(secret, key);
  }
  return new Uint8Array(await crypto.subtle.sign('HMAC', await key, data));
}
