// Test-only signing: plays Alipay with any RSA key (throwaway ones from makeSigner, or the
// fixture key via test/support/notifications.ts), so tests can make any notification.

import { base64Encode } from '../../src/utils/base64';
import { buildSignContent } from '../../src/alipay/content';
import { loadPublicKeys } from '../../src/alipay/keys';
import { parseForm } from '../../src/alipay/parse';
import type { AlipayPublicKey, ContentRule, FormPair } from '../../src/alipay/types';
import { throwawayRsaKeys } from './throwaway-keys';

/** Anything that can make an RSA signature over signed content (RSA2 = SHA-256, RSA = SHA-1). */
export interface ContentSigner {
  sign(content: Uint8Array, hash?: 'SHA-256' | 'SHA-1'): Promise<Uint8Array>;
}

export interface TestSigner extends ContentSigner {
  readonly publicKey: AlipayPublicKey;
  /** base64 SPKI, as pasted into ALIPAY_PUBLIC_KEY. */
  readonly publicKeyText: string;
}

/** A signer for one imported private key; it refuses a hash the key was not imported for. */
export function keySigner(key: CryptoKey): ContentSigner {
  const keyHash = (key.algorithm as { hash?: { name?: string } }).hash?.name;
  return {
    async sign(content, hash = 'SHA-256') {
      if (hash !== keyHash) throw new Error(`test key signs with ${keyHash}, not ${hash}`);
      return new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, content));
    },
  };
}

export async function makeSigner(modulusLength = 2048): Promise<TestSigner> {
  const { pair, spki } = await throwawayRsaKeys(modulusLength);
  const pkcs8 = (await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer;
  const sha1Key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']);
  const publicKeyText = base64Encode(spki);
  const loaded = await loadPublicKeys(publicKeyText);
  if (!loaded.ok) throw new Error(`test key did not load: ${loaded.problems.join('; ')}`);
  return {
    publicKey: loaded.keys[0]!,
    publicKeyText,
    async sign(content, hash = 'SHA-256') {
      const key = hash === 'SHA-256' ? pair.privateKey : sha1Key;
      return new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, content));
    },
  };
}

export function pairsOf(params: Record<string, string>): FormPair[] {
  const enc = new TextEncoder();
  return Object.entries(params).map(([key, value]) => ({ key, value: enc.encode(value) }));
}

/** Parse a body this test built (throws: a test bug, not a verdict). */
export function mustParse(body: Uint8Array): FormPair[] {
  const r = parseForm(body);
  if (!r.ok) throw new Error(r.hint);
  return r.pairs;
}

/** Signs `pairs` the way Alipay does and returns them with `sign` (and `sign_type` unless omitted) appended. */
export async function signPairs(
  signer: ContentSigner,
  pairs: FormPair[],
  opts: { signType?: 'RSA2' | 'RSA'; rule?: ContentRule; includeSignType?: boolean } = {},
): Promise<FormPair[]> {
  const signType = opts.signType ?? 'RSA2';
  const enc = new TextEncoder();
  const unsigned = pairs.filter((p) => p.key !== 'sign' && p.key !== 'sign_type');
  const withType = opts.includeSignType === false ? unsigned : [...unsigned, { key: 'sign_type', value: enc.encode(signType) }];
  const content = buildSignContent(withType, opts.rule ?? 'v1', signType);
  const sig = await signer.sign(content, signType === 'RSA2' ? 'SHA-256' : 'SHA-1');
  return [...withType, { key: 'sign', value: enc.encode(base64Encode(sig)) }];
}
