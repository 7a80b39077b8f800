// CryptoKeys, made once per isolate: the cache behind importVerifyKey and the verifier's
// verifyKeyFor. keys.ts also imports each key as it loads (to prove WebCrypto accepts it) and
// seeds the cache with that import.

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

// The verifier's fast path: the resolved CryptoKey kept next to the key object, so a verification
// after the first needs no lookup string and no await. Misses fall back to importVerifyKey.
const resolvedKeys = new WeakMap<AlipayPublicKey, Map<VerifyHash, CryptoKey>>();

/** The CryptoKey itself once this key object has used it, else the (cached) import in flight. */
export function verifyKeyFor(key: AlipayPublicKey, hash: VerifyHash): CryptoKey | Promise<CryptoKey> {
  const known = resolvedKeys.get(key)?.get(hash);
  if (known !== undefined) return known;
  return importVerifyKey(key, hash).then((cryptoKey) => {
    let byHash = resolvedKeys.get(key);
    if (byHash === undefined) resolvedKeys.set(key, (byHash = new Map()));
    byHash.set(hash, cryptoKey);
    return cryptoKey;
  });
}
