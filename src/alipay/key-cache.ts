// CryptoKeys, made once per isolate: the cache behind importVerifyKey. keys.ts also imports each
// key as it loads (to prove WebCrypto accepts it) and seeds the cache with that import.

import type { AlipayPublicKey } from './types';

export type VerifyHash = 'SHA-256' | 'SHA-1';

export async function importForVerify(spki: Uint8Array, hash: VerifyHash): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
}

// Importing a key costs far more than verifying with it, so each (key, hash) is imported once per
// isolate and shared by every request. Promises are cached so concurrent first requests share one import.
const MAX_CACHED_KEYS = 64;
const cryptoKeys = new Map<string, Promise<CryptoKey>>();

export function rememberKey(fingerprint: string, hash: VerifyHash, key: Promise<CryptoKey>): void {
  const id = `${fingerprint}:${hash}`;
  cryptoKeys.delete(id);
  cryptoKeys.set(id, key);
  // Bounded because config reloads and tests can bring new keys; the oldest entry goes first.
  if (cryptoKeys.size > MAX_CACHED_KEYS) cryptoKeys.delete(cryptoKeys.keys().next().value!);
}

/** The verify-only CryptoKey for `key` and `hash`, imported on first use and cached per isolate. */
export function importVerifyKey(key: AlipayPublicKey, hash: VerifyHash): Promise<CryptoKey> {
  const id = `${key.fingerprint}:${hash}`;
  const cached = cryptoKeys.get(id);
  if (cached) return cached;
  const made = importForVerify(key.spki, hash);
  rememberKey(key.fingerprint, hash, made);
  // A failed import is not cached: the next call tries again instead of failing forever.
  made.catch(() => {
    if (cryptoKeys.get(id) === made) cryptoKeys.delete(id);
  });
  return made;
}

/** How many CryptoKeys this isolate holds (for tests that prove keys are imported once). */
export function cachedKeyCount(): number {
  return cryptoKeys.size;
}
