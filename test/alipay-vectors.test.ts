// Every signed vector in test/fixtures/vectors gives its expected answer through parseForm + verifyForm.
import { describe, expect, it } from 'vitest';
import { loadPublicKeys } from '../src/alipay/keys';
import { parseForm } from '../src/alipay/parse';
import { SIGN_TYPES, type AlipayPublicKey, type SignType, type VerifyOptions } from '../src/alipay/types';
import { verifyForm } from '../src/alipay/verify';
import { utf8 } from './support/encoding';
import { formBodyOf, parseFormBody } from './support/form';
import { signedVectors as vectors, vectorBody, type SignedVector } from './support/vectors';

async function keysOf(v: SignedVector): Promise<AlipayPublicKey[]> {
  const text = v.alipay_public_key ?? v.alipay_public_cert_pem;
  if (text === undefined) return [];
  const loaded = await loadPublicKeys(text);
  if (!loaded.ok) throw new Error(`${v.id}: key did not load: ${loaded.problems.join('; ')}`);
  return loaded.keys;
}

async function optionsFor(v: SignedVector, signTypes: readonly SignType[]): Promise<VerifyOptions> {
  return { keys: await keysOf(v), signTypes, ...(v.md5_key === undefined ? {} : { md5Key: utf8(v.md5_key) }) };
}

/** The content as text in the vector's own charset (GBK vectors are signed over GBK bytes). */
function contentText(content: Uint8Array, charset: string): string {
  return new TextDecoder(/^gb/i.test(charset) ? 'gb18030' : 'utf-8', { fatal: true, ignoreBOM: true }).decode(content);
}

describe('signed vectors', () => {
  it('are all here', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    it(`is ${v.expected_valid ? 'valid' : 'invalid'} with only its own sign type accepted`, async () => {
      expect(parseForm(vectorBody(v)).ok).toBe(true);
      const r = await verifyForm(vectorBody(v), await optionsFor(v, [v.sign_type]));
      expect(r.ok, r.ok ? 'verified' : `${r.reason}: ${r.hint}`).toBe(v.expected_valid);
      if (!r.ok) {
        expect(r.reason).toBe('signature-mismatch');
        return;
      }
      expect(r.signType).toBe(v.sign_type);
      expect(r.rule).toBe(v.content_rule === 'v2' ? 'v2' : 'v1');
      if (v.expected_sign_content !== undefined) expect(contentText(r.signContent, v.charset)).toBe(v.expected_sign_content);
      if (v.expected_md5_input !== undefined) expect(contentText(r.signContent, v.charset) + v.md5_key).toBe(v.expected_md5_input);
    });

    it(`is ${v.expected_valid ? 'valid' : 'invalid'} with every sign type accepted`, async () => {
      const r = await verifyForm(vectorBody(v), await optionsFor(v, SIGN_TYPES));
      expect(r.ok, r.ok ? 'verified' : `${r.reason}: ${r.hint}`).toBe(v.expected_valid);
    });

    if (v.expected_valid && v.sign_type !== 'MD5') {
      it('is refused when its sign type is not accepted', async () => {
        const others = SIGN_TYPES.filter((t) => t !== v.sign_type);
        const r = await verifyForm(vectorBody(v), await optionsFor(v, others));
        expect(r.ok ? 'ok' : r.reason).toBe('sign-type-not-accepted');
      });
    }
  });

  it('the GBK vector fails once its body is re-encoded as UTF-8', async () => {
    const v = vectors.find((x) => x.id === 'synthetic_gbk_notify_rsa2_v1')!;
    const gbk = new TextDecoder('gb18030');
    const reencoded = formBodyOf(parseFormBody(vectorBody(v)).map((p) => [p.key, gbk.decode(p.value)] as [string, string]));
    const r = await verifyForm(reencoded, await optionsFor(v, ['RSA2']));
    expect(r.ok ? 'ok' : r.reason).toBe('signature-mismatch');
  });
});
