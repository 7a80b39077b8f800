import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FormPair, VerifyOptions, VerifyResult } from '../src/alipay/types';
import { verifyForm, verifyPairs } from '../src/alipay/verify';
import { legacyMd5Sign, makeSigner, signPairs, type TestSigner } from './support/alipay-sign';
import { base64, utf8 } from './support/encoding';
import { formBody, formBodyOf, pairsOf } from './support/form';

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const NOTIFY = {
  app_id: '2021000000000001',
  notify_id: 'N-0001',
  notify_time: '2024-01-01 10:00:06',
  out_trade_no: 'ORDER-1',
  subject: 'a+b & c=d 中文',
  total_amount: '1.00',
  trade_status: 'TRADE_SUCCESS',
  body: '',
};

let alipay: TestSigner;
let rotated: TestSigner;
let appKey: TestSigner;
let legacy1024: TestSigner;
beforeAll(async () => {
  [alipay, rotated, appKey, legacy1024] = await Promise.all([makeSigner(), makeSigner(), makeSigner(), makeSigner(1024)]);
});
afterEach(() => vi.restoreAllMocks());

const rsa2 = (): VerifyOptions => ({ keys: [alipay.publicKey], signTypes: ['RSA2'] });
const setParam = (pairs: FormPair[], key: string, value: string) =>
  pairs.map((p) => (p.key === key ? { key, value: utf8(value) } : p));
function expectFailure(r: VerifyResult, reason: string): asserts r is Extract<VerifyResult, { ok: false }> {
  expect(r.ok ? 'ok' : r.reason).toBe(reason);
  expect(!r.ok && r.hint.length).toBeGreaterThan(10);
}

describe('verifyForm: success', () => {
  it('verifies an RSA2 notification over the v1 content and says what matched', async () => {
    const body = formBody(await signPairs(alipay, pairsOf(NOTIFY)));
    const r = await verifyForm(body, rsa2());
    expect(r).toMatchObject({ ok: true, signType: 'RSA2', rule: 'v1', keyIndex: 0, keyFingerprint: alipay.publicKey.fingerprint });
    expect(r.ok && text(r.signContent)).toBe(
      'app_id=2021000000000001&notify_id=N-0001&notify_time=2024-01-01 10:00:06&out_trade_no=ORDER-1&subject=a+b & c=d 中文&total_amount=1.00&trade_status=TRADE_SUCCESS',
    );
    expect(r.ok && r.pairs.length).toBe(Object.keys(NOTIFY).length + 2);
  });

  it('falls back to the v2 content (sign_type kept)', async () => {
    const body = formBody(await signPairs(alipay, pairsOf(NOTIFY), { rule: 'v2' }));
    expect(await verifyForm(body, rsa2())).toMatchObject({ ok: true, rule: 'v2', signType: 'RSA2' });
  });

  it('v2 without sign_type in the message: inserts sign_type=<type tried>', async () => {
    const signed = await signPairs(alipay, pairsOf(NOTIFY), { rule: 'v2', includeSignType: false });
    const r = await verifyPairs(signed, rsa2());
    expect(r).toMatchObject({ ok: true, rule: 'v2', signType: 'RSA2' });
    expect(r.ok && text(r.signContent)).toContain('&sign_type=RSA2&');
  });

  it('no sign_type: tries the accepted public-key types, RSA2 then RSA', async () => {
    const sha1Signed = await signPairs(alipay, pairsOf(NOTIFY), { signType: 'RSA', includeSignType: false });
    expect(await verifyPairs(sha1Signed, { keys: [alipay.publicKey], signTypes: ['RSA2', 'RSA'] })).toMatchObject({ ok: true, signType: 'RSA' });
    expectFailure(await verifyPairs(sha1Signed, rsa2()), 'signature-mismatch');
  });

  it('reads sign_type case-insensitively (the pinned list still decides)', async () => {
    const signed = setParam(await signPairs(alipay, pairsOf(NOTIFY)), 'sign_type', 'rsa2');
    expect(await verifyPairs(signed, rsa2())).toMatchObject({ ok: true, signType: 'RSA2' });
    expectFailure(await verifyPairs(setParam(signed, 'sign_type', 'rsa'), rsa2()), 'sign-type-not-accepted');
  });

  it('verifies legacy RSA (SHA-1) with a 1024-bit key when RSA is accepted', async () => {
    const body = formBody(await signPairs(legacy1024, pairsOf(NOTIFY), { signType: 'RSA' }));
    expect(await verifyForm(body, { keys: [legacy1024.publicKey], signTypes: ['RSA'] })).toMatchObject({ ok: true, signType: 'RSA', rule: 'v1' });
  });

  it('rotation: tries every key, and the second key verifies', async () => {
    const body = formBody(await signPairs(rotated, pairsOf(NOTIFY)));
    const r = await verifyForm(body, { keys: [alipay.publicKey, rotated.publicKey], signTypes: ['RSA2'] });
    expect(r).toMatchObject({ ok: true, keyIndex: 1, keyFingerprint: rotated.publicKey.fingerprint });
    expectFailure(await verifyForm(body, rsa2()), 'signature-mismatch');
  });

  it('verifies value bytes as sent: a GBK value is signed and checked as GBK bytes', async () => {
    const gbk: FormPair[] = [...pairsOf({ charset: 'GBK', app_id: '1' }), { key: 'subject', value: new Uint8Array([0xd6, 0xa7, 0xb8, 0xb6]) }];
    const body = formBody(await signPairs(alipay, gbk));
    const r = await verifyForm(body, rsa2());
    expect(r.ok && Array.from(r.signContent.slice(-4))).toEqual([0xd6, 0xa7, 0xb8, 0xb6]);
  });

  it('relies on WebCrypto copying its inputs when verify is called (the verifier reuses its buffers)', async () => {
    const content = utf8('a=1&b=2');
    const signature = await alipay.sign(content);
    const key = await crypto.subtle.importKey('spki', alipay.publicKey.spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    const [sigBuf, contentBuf] = [signature.slice(), content.slice()];
    const pending = crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, sigBuf, contentBuf);
    sigBuf.fill(0);
    contentBuf.fill(0x41);
    expect(await pending).toBe(true);
  });

  it('gives the verified content to a caller that reads it later, after other verifications', async () => {
    const first = await verifyForm(formBody(await signPairs(alipay, pairsOf(NOTIFY))), rsa2());
    await verifyForm(formBody(await signPairs(alipay, pairsOf({ ...NOTIFY, notify_id: 'OTHER' }))), rsa2());
    expect(first.ok && text(first.signContent)).toContain('notify_id=N-0001&');
    expect(first.ok && first.signContent).toBeInstanceOf(Uint8Array);
  });

  it('keeps concurrent verifications apart (different keys, bodies and outcomes at once)', async () => {
    const signers = [alipay, rotated, appKey];
    const bodies = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const signer = signers[i % 3]!;
        const body = formBody(await signPairs(signer, pairsOf({ ...NOTIFY, notify_id: `N-${i}` })));
        return { i, body, expectedKey: i % 3 };
      }),
    );
    const options: VerifyOptions = { keys: [alipay.publicKey, rotated.publicKey], signTypes: ['RSA2'] };
    const results = await Promise.all(bodies.map(({ body }) => verifyForm(body, options)));
    results.forEach((r, i) => {
      const expectedKey = bodies[i]!.expectedKey;
      if (expectedKey === 2) expect(r.ok ? 'ok' : r.reason).toBe('signature-mismatch');
      else expect(r).toMatchObject({ ok: true, keyIndex: expectedKey });
      expect(text(r.ok ? r.signContent : r.signContent)).toContain(`notify_id=N-${i}&`);
    });
  });

  it('keeps concurrent verifications apart with one key (the reused-buffer path), from a cold key import on', async () => {
    const fresh = await makeSigner(); // never imported for verifying: the first calls all wait for the import
    const bodies = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const signed = await signPairs(fresh, pairsOf({ ...NOTIFY, notify_id: `C-${i}` }));
        const body = formBody(signed);
        return i % 4 === 3 ? utf8(new TextDecoder().decode(body).replace('total_amount=1.00', 'total_amount=2.00')) : body;
      }),
    );
    const results = await Promise.all(bodies.map((body) => verifyForm(body, { keys: [fresh.publicKey], signTypes: ['RSA2'] })));
    results.forEach((r, i) => {
      expect(r.ok, `body ${i}`).toBe(i % 4 !== 3);
      expect(text(r.ok ? r.signContent : r.signContent)).toContain(`notify_id=C-${i}&`);
    });
  });

  it('imports each CryptoKey once, not once per verification', async () => {
    const body = formBody(await signPairs(alipay, pairsOf(NOTIFY)));
    expect((await verifyForm(body, rsa2())).ok).toBe(true);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    for (let i = 0; i < 3; i++) expect((await verifyForm(body, rsa2())).ok).toBe(true);
    expect(importKey).not.toHaveBeenCalled();
  });
});

describe('verifyForm: failures', () => {
  it('malformed-body and duplicate-key come from the parser', async () => {
    expectFailure(await verifyForm(utf8('a=%zz&sign=x'), rsa2()), 'malformed-body');
    expectFailure(await verifyForm(utf8('a=1&a=1&sign=x'), rsa2()), 'duplicate-key');
  });

  it('missing-signature: no sign, or an empty one', async () => {
    expectFailure(await verifyForm(formBodyOf(NOTIFY), rsa2()), 'missing-signature');
    expectFailure(await verifyForm(formBodyOf({ ...NOTIFY, sign: '' }), rsa2()), 'missing-signature');
  });

  it('sign-type-not-accepted: a genuine RSA (SHA-1) message cannot downgrade an RSA2-only gateway', async () => {
    const signed = await signPairs(alipay, pairsOf(NOTIFY), { signType: 'RSA' });
    expect((await verifyPairs(signed, { keys: [alipay.publicKey], signTypes: ['RSA'] })).ok).toBe(true);
    const r = await verifyPairs(signed, rsa2());
    expectFailure(r, 'sign-type-not-accepted');
    expect(r.hint).toMatch(/says RSA but only RSA2 is accepted/);
    expect(r.advice).toEqual({ kind: 'accept-sign-type', signType: 'RSA', accepted: ['RSA2'] });
    expect(r.claimedSignType).toBe('RSA');
  });

  it('sign-type-not-accepted: MD5 is refused unless accepted, even with a correct MD5 sign', async () => {
    const key = utf8('partnerkey');
    const content = utf8('app_id=1&total_amount=1.00');
    const sign = legacyMd5Sign(content, key);
    const body = formBodyOf({ app_id: '1', total_amount: '1.00', sign_type: 'MD5', sign });
    expectFailure(await verifyForm(body, { ...rsa2(), md5Key: key }), 'sign-type-not-accepted');
  });

  it('sign-type-not-accepted: an unknown sign_type, or none when only MD5 is accepted', async () => {
    const r = await verifyForm(formBodyOf({ ...NOTIFY, sign_type: 'SM2', sign: 'AAAA' }), rsa2());
    expectFailure(r, 'sign-type-not-accepted');
    expect(r.hint).toMatch(/SM2/);
    expectFailure(await verifyForm(formBodyOf({ ...NOTIFY, sign: 'AAAA' }), { keys: [], signTypes: ['MD5'], md5Key: utf8('k') }), 'sign-type-not-accepted');
  });

  it('signature-encoding: a sign that is not base64', async () => {
    expectFailure(await verifyForm(formBodyOf({ ...NOTIFY, sign_type: 'RSA2', sign: 'not*base64' }), rsa2()), 'signature-encoding');
  });

  it('signature-encoding: a "+" sent raw (so it arrived as a space) is named in the hint', async () => {
    const sign = 'AB+C'.repeat(86).slice(0, 342) + '==';
    const raw = utf8(`${new TextDecoder().decode(formBodyOf({ ...NOTIFY, sign_type: 'RSA2' }))}&sign=${sign}`);
    const r = await verifyForm(raw, rsa2());
    expectFailure(r, 'signature-encoding');
    expect(r.hint).toMatch(/not percent-encoded/);
  });

  it('signature-mismatch: a tampered value', async () => {
    const signed = await signPairs(alipay, pairsOf(NOTIFY));
    const r = await verifyPairs(setParam(signed, 'total_amount', '100.00'), rsa2());
    expectFailure(r, 'signature-mismatch');
    expect(text(r.signContent)).toContain('total_amount=100.00');
    expect(r.pairs?.length).toBe(signed.length);
  });

  it('signature-mismatch: an empty value is unsigned, but a non-empty one added to the body is not', async () => {
    const signed = await signPairs(alipay, pairsOf(NOTIFY));
    expect((await verifyPairs([...signed, { key: 'out_biz_no', value: new Uint8Array(0) }], rsa2())).ok).toBe(true);
    expectFailure(await verifyPairs([...signed, { key: 'out_biz_no', value: utf8('R1') }], rsa2()), 'signature-mismatch');
  });

  it('signature-mismatch with the wrong key names the Alipay public key vs app public key mistake', async () => {
    const body = formBody(await signPairs(alipay, pairsOf(NOTIFY)));
    const r = await verifyForm(body, { keys: [appKey.publicKey], signTypes: ['RSA2'] });
    expectFailure(r, 'signature-mismatch');
    expect(r.hint).toMatch(/支付宝公钥/);
    expect(r.hint).toMatch(/app public key/);
  });

  it('signature-mismatch (not a throw) for a signature of the wrong length', async () => {
    const short = base64(crypto.getRandomValues(new Uint8Array(255)));
    const r = await verifyForm(formBodyOf({ ...NOTIFY, sign_type: 'RSA2', sign: short }), rsa2());
    expectFailure(r, 'signature-mismatch');
    expect(r.hint).toMatch(/255 bytes/);
  });

  it('signature-mismatch for a random signature of the right length', async () => {
    const random = base64(crypto.getRandomValues(new Uint8Array(256)));
    expectFailure(await verifyForm(formBodyOf({ ...NOTIFY, sign_type: 'RSA2', sign: random }), rsa2()), 'signature-mismatch');
  });

  it('no-usable-key: no public key configured', async () => {
    const body = formBody(await signPairs(alipay, pairsOf(NOTIFY)));
    expectFailure(await verifyForm(body, { keys: [], signTypes: ['RSA2'] }), 'no-usable-key');
  });
});

describe('verifyForm: legacy MD5', () => {
  const key = utf8('0123456789abcdefghijklmnopqrstuv');
  const params = { partner: '2088000000000002', notify_id: 'N1', total_fee: '1.00', body: '', trade_status: 'TRADE_SUCCESS' };
  const content = 'notify_id=N1&partner=2088000000000002&total_fee=1.00&trade_status=TRADE_SUCCESS';
  const sign = legacyMd5Sign(utf8(content), '0123456789abcdefghijklmnopqrstuv');
  const opts: VerifyOptions = { keys: [], signTypes: ['MD5'], md5Key: key };

  it('verifies md5_hex(content + key), in either hex case', async () => {
    const r = await verifyForm(formBodyOf({ ...params, sign_type: 'MD5', sign }), opts);
    expect(r).toMatchObject({ ok: true, signType: 'MD5', rule: 'v1', keyIndex: -1, keyFingerprint: null });
    expect(r.ok && text(r.signContent)).toBe(content);
    expect((await verifyForm(formBodyOf({ ...params, sign_type: 'MD5', sign: sign.toUpperCase() }), opts)).ok).toBe(true);
  });

  it('signature-mismatch with another key or another value', async () => {
    expectFailure(await verifyForm(formBodyOf({ ...params, sign_type: 'MD5', sign }), { ...opts, md5Key: utf8('other') }), 'signature-mismatch');
    expectFailure(await verifyForm(formBodyOf({ ...params, total_fee: '2.00', sign_type: 'MD5', sign }), opts), 'signature-mismatch');
  });

  it('signature-encoding when the sign is not 32 hex chars; no-usable-key without an MD5 key', async () => {
    expectFailure(await verifyForm(formBodyOf({ ...params, sign_type: 'MD5', sign: sign.slice(1) + 'g' }), opts), 'signature-encoding');
    expectFailure(await verifyForm(formBodyOf({ ...params, sign_type: 'MD5', sign }), { keys: [], signTypes: ['MD5'] }), 'no-usable-key');
  });
});
