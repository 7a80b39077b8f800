// Test-only signer: plays Alipay with throwaway keys, so verify tests can make any notification.

import { base64Encode } from '../../src/alipay/bytes';
import { buildSignContent } from '../../src/alipay/content';
import { loadPublicKeys } from '../../src/alipay/keys';
import { parseForm } from '../../src/alipay/parse';
import type { AlipayPublicKey, ContentRule, FormPair } from '../../src/alipay/types';

export interface TestSigner {
  readonly publicKey: AlipayPublicKey;
  /** base64 SPKI, as pasted into ALIPAY_PUBLIC_KEY. */
  readonly publicKeyText: string;
  sign(content: Uint8Array, hash?: 'SHA-256' | 'SHA-1'): Promise<Uint8Array>;
}

export async function makeSigner(modulusLength = 2048): Promise<TestSigner> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
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
  signer: TestSigner,
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
