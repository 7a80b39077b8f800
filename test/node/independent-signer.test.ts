// The tests' own Alipay signer (test/support/alipay-sign.ts, form.ts) is checked here against the
// published vectors with node:crypto alone: no src code is loaded by this file or the helpers it
// tests (this file imports nothing from src, and a test below makes sure the helpers do not
// either). The gateway's verdicts on signer-made notifications are only worth something if this
// signer agrees with Alipay.
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keySigner, legacyMd5Sign, md5SignPairs, plainSignContent, signPairs } from '../support/alipay-sign';
import { fromBase64, latin1, utf8 } from '../support/encoding';
import { formBody, formBodyOf, formValue, pairsOf, parseFormBody, type TestPair } from '../support/form';
import { signedVectors, vectorBody, type SignedVector } from '../support/vectors';

const text = (bytes: Uint8Array, charset = 'utf-8') => new TextDecoder(/^gb/i.test(charset) ? 'gb18030' : 'utf-8').decode(bytes);
const ruleOf = (v: SignedVector) => (v.content_rule.startsWith('v2') ? 'v2' : 'v1');

function publicKeyOf(v: SignedVector): KeyObject {
  const material = v.alipay_public_key ?? v.alipay_public_cert_pem!;
  // A PEM public key or certificate as it is; a bare base64 key is DER SubjectPublicKeyInfo.
  return material.includes('-----BEGIN')
    ? createPublicKey(material)
    : createPublicKey({ key: Buffer.from(material, 'base64'), format: 'der', type: 'spki' });
}

function rsaVerifies(v: SignedVector, pairs: TestPair[], content: Uint8Array): boolean {
  const sign = Buffer.from(formValue(pairs, 'sign') ?? '', 'base64');
  return verify(v.sign_type === 'RSA2' ? 'sha256' : 'sha1', content, publicKeyOf(v), sign);
}

describe('the independent signer against the published vectors', () => {
  const rsa = signedVectors.filter((v) => v.sign_type !== 'MD5');
  const md5 = signedVectors.filter((v) => v.sign_type === 'MD5');

  it('covers every vector kind', () => {
    expect(rsa.filter((v) => v.expected_valid).length).toBeGreaterThanOrEqual(8);
    expect(md5.filter((v) => v.expected_valid).length).toBeGreaterThanOrEqual(3);
    expect(signedVectors.filter((v) => !v.expected_valid).length).toBeGreaterThanOrEqual(3);
  });

  it.each(rsa.map((v) => [v.id, v] as const))('%s: its content builder gives the signed bytes', (_id, v) => {
    const pairs = parseFormBody(vectorBody(v));
    const content = plainSignContent(pairs, ruleOf(v), v.sign_type);
    if (v.expected_sign_content !== undefined) expect(text(content, v.charset)).toBe(v.expected_sign_content);
    expect(rsaVerifies(v, pairs, content)).toBe(v.expected_valid);
  });

  it.each(md5.map((v) => [v.id, v] as const))('%s: its MD5 sign is the published one', (_id, v) => {
    const pairs = parseFormBody(vectorBody(v));
    const content = plainSignContent(pairs, 'v1');
    if (v.expected_sign_content !== undefined) expect(text(content)).toBe(v.expected_sign_content);
    if (v.expected_md5_input !== undefined) expect(text(content) + v.md5_key).toBe(v.expected_md5_input);
    expect(legacyMd5Sign(content, v.md5_key!) === formValue(pairs, 'sign')!.toLowerCase()).toBe(v.expected_valid);
  });

  it('md5SignPairs reproduces a published MD5 sign from the unsigned pairs', () => {
    const v = md5.find((x) => x.expected_valid)!;
    const pairs = parseFormBody(vectorBody(v));
    expect(formValue(md5SignPairs(pairs, v.md5_key!), 'sign')).toBe(formValue(pairs, 'sign')!.toLowerCase());
  });

  it('writes the captured bodies back byte for byte (it encodes as Alipay does)', () => {
    const captured = signedVectors.filter((v) => v.raw_body !== undefined);
    expect(captured.length).toBeGreaterThanOrEqual(2);
    for (const v of captured) expect(latin1(formBody(parseFormBody(utf8(v.raw_body!)))), v.id).toBe(v.raw_body);
  });
});

describe('the content rules, written out', () => {
  const pairs = pairsOf([
    ['trade_status', 'TRADE_SUCCESS'],
    ['sign', 'abc'],
    ['app_id', '2021'],
    ['sign_type', 'RSA2'],
    ['body', ''],
    ['subject', 'a b&c=d'],
  ]);

  it('v1 leaves out sign, sign_type and empty values, sorts by key bytes, joins k=v with &', () => {
    expect(text(plainSignContent(pairs, 'v1'))).toBe('app_id=2021&subject=a b&c=d&trade_status=TRADE_SUCCESS');
    expect(text(plainSignContent(pairsOf({ ab: '1', a_b: '2', B: '3', a: '4' }), 'v1'))).toBe('B=3&a=4&a_b=2&ab=1');
  });

  it('v2 keeps sign_type, or signs sign_type=<type> when the message has none', () => {
    expect(text(plainSignContent(pairs, 'v2', 'RSA'))).toBe('app_id=2021&sign_type=RSA2&subject=a b&c=d&trade_status=TRADE_SUCCESS');
    const withoutType = pairs.filter((p) => p.key !== 'sign_type');
    expect(text(plainSignContent(withoutType, 'v2', 'RSA2'))).toBe('app_id=2021&sign_type=RSA2&subject=a b&c=d&trade_status=TRADE_SUCCESS');
  });

  it('copies value bytes untouched (GBK stays GBK)', () => {
    const gbk: TestPair[] = [{ key: 'subject', value: Uint8Array.of(0xd6, 0xa7, 0xb8, 0xb6) }, ...pairsOf({ charset: 'GBK' })];
    expect(Array.from(plainSignContent(gbk, 'v1'))).toEqual([...utf8('charset=GBK&subject='), 0xd6, 0xa7, 0xb8, 0xb6]);
  });
});

describe('signing and the form round trip', () => {
  it('signPairs makes a signature node:crypto accepts over the content, for RSA2 and RSA', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    for (const [signType, hash] of [['RSA2', 'SHA-256'], ['RSA', 'SHA-1']] as const) {
      const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
      const signed = await signPairs(keySigner(key), pairsOf({ b: '2', a: '1', empty: '' }), { signType });
      expect(signed.map((p) => p.key)).toEqual(['b', 'a', 'empty', 'sign_type', 'sign']);
      const sign = fromBase64(formValue(signed, 'sign')!);
      expect(verify(hash === 'SHA-256' ? 'sha256' : 'sha1', utf8('a=1&b=2'), publicKey, sign)).toBe(true);
    }
  });

  it('encodes any value bytes and parses them back unchanged', () => {
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    const pairs: TestPair[] = [{ key: 'all', value: everyByte }, ...pairsOf({ text: '语雀 a+b=c&d%', empty: '' })];
    const body = formBody(pairs);
    expect(body.every((b) => b < 0x80)).toBe(true);
    expect(parseFormBody(body)).toEqual(pairs);
    expect(latin1(formBodyOf({ s: 'a b*-._~' }))).toBe('s=a+b*-._%7E');
  });

  it('the helpers load no code from src/ (a verdict on their output would be the code agreeing with itself)', () => {
    for (const file of ['alipay-sign.ts', 'form.ts', 'encoding.ts', 'notifications.ts', 'gbk-notifications.ts', 'vectors.ts', 'throwaway-keys.ts']) {
      const source = readFileSync(new URL(`../support/${file}`, import.meta.url), 'utf8');
      const fromSrc = [...source.matchAll(/^import (?!type )[^;]*from '([^']*src\/[^']*)'/gm)].map((m) => m[1]);
      expect(fromSrc, file).toEqual([]);
    }
  });
});
