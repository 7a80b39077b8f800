// An independent Alipay signer for the tests: plays Alipay with any RSA key (throwaway ones from
// makeSigner, or the fixture key via test/support/notifications.ts) and with legacy MD5 keys.
//
// Deliberately plain and written apart from src/alipay: the content is built by filtering,
// sorting the keys with a plain string compare (keys hold one char per byte, so that is byte
// order) and joining the bytes; RSA signatures come from WebCrypto and MD5 from node:crypto. If
// the gateway's own content builder were wrong, its verdicts would disagree with these signatures
// instead of agreeing with its own mistakes. test/node/independent-signer.test.ts checks this
// signer against the published vectors with node:crypto, and that it loads no src code.
import { createHash } from 'node:crypto';
import type { AlipayPublicKey } from '../../src/alipay/types';
import { base64, concat, latin1Bytes, sha256Hex, utf8 } from './encoding';
import { parseFormBody, type TestPair } from './form';
import { throwawayRsaKeys } from './throwaway-keys';

export { pairsOf } from './form';
/** parseFormBody under its earlier name, kept while other branches still import it from here. */
export const mustParse = parseFormBody;

/** v1 leaves out `sign` and `sign_type`; v2 leaves out only `sign`. Both leave out empty values. */
export type TestContentRule = 'v1' | 'v2';
export type RsaSignType = 'RSA2' | 'RSA';

/**
 * The bytes Alipay signs. For v2, a message without `sign_type` is signed as if it held
 * `sign_type=<signType>` (what the SDKs do when they leave the field out of what they send).
 */
export function plainSignContent(pairs: readonly TestPair[], rule: TestContentRule = 'v1', signType?: string): Uint8Array {
  const kept = pairs.filter((p) => p.value.length > 0 && p.key !== 'sign' && !(rule === 'v1' && p.key === 'sign_type'));
  if (rule === 'v2' && signType !== undefined && !kept.some((p) => p.key === 'sign_type')) kept.push({ key: 'sign_type', value: utf8(signType) });
  kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts: Uint8Array[] = [];
  kept.forEach((p, i) => parts.push(latin1Bytes(`${i > 0 ? '&' : ''}${p.key}=`), p.value));
  return concat(...parts);
}

/** Anything that can make an RSA signature over signed content (RSA2 = SHA-256, RSA = SHA-1). */
export interface ContentSigner {
  sign(content: Uint8Array, hash?: 'SHA-256' | 'SHA-1'): Promise<Uint8Array>;
}

export interface TestSigner extends ContentSigner {
  /** The public half as the verifier takes it (VerifyOptions.keys). */
  readonly publicKey: AlipayPublicKey;
  /** base64 SPKI, as pasted into ALIPAY_PUBLIC_KEY. */
  readonly publicKeyText: string;
}

const RSASSA = 'RSASSA-PKCS1-v1_5';

/** A signer for one imported private key; it refuses a hash the key was not imported for. */
export function keySigner(key: CryptoKey): ContentSigner {
  const keyHash = (key.algorithm as { hash?: { name?: string } }).hash?.name;
  return {
    async sign(content, hash = 'SHA-256') {
      if (hash !== keyHash) throw new Error(`test key signs with ${keyHash}, not ${hash}`);
      return new Uint8Array(await crypto.subtle.sign(RSASSA, key, content));
    },
  };
}

/** A fresh key pair that signs with SHA-256 and SHA-1. */
export async function makeSigner(modulusLength = 2048): Promise<TestSigner> {
  const { pair, spki } = await throwawayRsaKeys(modulusLength);
  const pkcs8 = (await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer;
  const sha1Key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: RSASSA, hash: 'SHA-1' }, false, ['sign']);
  // Made here rather than by the gateway's key loader, so this module loads no src code at all.
  const publicKey: AlipayPublicKey = { form: 'base64-spki', spki, modulusBits: modulusLength, fingerprint: await sha256Hex(spki) };
  return {
    publicKey,
    publicKeyText: base64(spki),
    async sign(content, hash = 'SHA-256') {
      const key = hash === 'SHA-256' ? pair.privateKey : sha1Key;
      return new Uint8Array(await crypto.subtle.sign(RSASSA, key, content));
    },
  };
}

/** Signs `pairs` the way Alipay does and returns them with `sign_type` (unless left out) and `sign` appended. */
export async function signPairs(
  signer: ContentSigner,
  pairs: readonly TestPair[],
  opts: { signType?: RsaSignType; rule?: TestContentRule; includeSignType?: boolean } = {},
): Promise<TestPair[]> {
  const signType = opts.signType ?? 'RSA2';
  const unsigned = pairs.filter((p) => p.key !== 'sign' && p.key !== 'sign_type');
  const withType = opts.includeSignType === false ? unsigned : [...unsigned, { key: 'sign_type', value: utf8(signType) }];
  const content = plainSignContent(withType, opts.rule ?? 'v1', signType);
  const signature = await signer.sign(content, signType === 'RSA2' ? 'SHA-256' : 'SHA-1');
  return [...withType, { key: 'sign', value: utf8(base64(signature)) }];
}

/** The legacy mapi MD5 sign: lowercase hex md5(content + partner key), the key appended with no separator. */
export function legacyMd5Sign(content: Uint8Array, key: string | Uint8Array): string {
  return createHash('md5')
    .update(concat(content, typeof key === 'string' ? utf8(key) : key))
    .digest('hex');
}

/** Signs `pairs` the mapi way: `sign_type=MD5` and the MD5 `sign` appended (any old ones dropped). */
export function md5SignPairs(pairs: readonly TestPair[], key: string | Uint8Array): TestPair[] {
  const unsigned = pairs.filter((p) => p.key !== 'sign' && p.key !== 'sign_type');
  const sign = legacyMd5Sign(plainSignContent(unsigned, 'v1'), key);
  return [...unsigned, { key: 'sign_type', value: utf8('MD5') }, { key: 'sign', value: utf8(sign) }];
}
