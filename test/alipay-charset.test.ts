import { describe, expect, it } from 'vitest';
import { decodeParams } from '../src/alipay/charset';
import type { FormPair } from '../src/alipay/types';
import { utf8 } from './support/encoding';
import { parseFormBody } from './support/form';
import { signedVector } from './support/vectors';

const gbkVector = signedVector('synthetic_gbk_notify_rsa2_v1');
const pairs = (body: string): FormPair[] => parseFormBody(utf8(body));

describe('decodeParams', () => {
  it('decodes a GBK body by its signed charset: "+", %2B, %26, empty values', () => {
    // 支付 = D6A7 B8B6, 测试 = B2E2 CAD4
    const r = decodeParams(pairs('charset=GBK&subject=%D6%A7%B8%B6+%B2%E2%CA%D4%2B1&passback_params=a%3D1%26b%3D%B2%E2&body='));
    expect(r).toEqual({
      ok: true,
      charset: 'gbk',
      params: { charset: 'GBK', subject: '支付 测试+1', passback_params: 'a=1&b=测', body: '' },
    });
  });

  it('decodes 4-byte GB18030 sequences (also under a GBK label)', () => {
    // U+20000 = 95 32 82 36, U+1F600 = 94 39 FC 36
    for (const label of ['gb18030', 'GBK', 'gb2312']) {
      const r = decodeParams(pairs(`charset=${label}&subject=%95%32%82%36%94%39%FC%36`));
      expect(r.ok && r.params.subject, label).toBe('\u{20000}\u{1F600}');
    }
  });

  it('decodes the synthetic GBK vector, and fails it as UTF-8', () => {
    const body = gbkVector.raw_body!;
    const asGbk = decodeParams(pairs(body));
    expect(asGbk.ok && asGbk.params.subject).toBe('支付标题 测试+1');
    expect(asGbk.ok && asGbk.params.body).toBe('测试商品描述');

    const asUtf8 = decodeParams(pairs(body.replace('charset=GBK', 'charset=utf-8')));
    expect(asUtf8).toMatchObject({ ok: false, reason: 'charset-decode' });
    expect(!asUtf8.ok && asUtf8.hint).toMatch(/GBK/);
  });

  it('reads the charset label case-insensitively and defaults to UTF-8', () => {
    expect(decodeParams(pairs('charset=UTF-8&s=%E4%B8%AD'))).toMatchObject({ ok: true, charset: 'utf-8', params: { s: '中' } });
    expect(decodeParams(pairs('charset=utf8&s=x'))).toMatchObject({ ok: true, charset: 'utf-8' });
    expect(decodeParams(pairs('charset=Gb2312&s=x'))).toMatchObject({ ok: true, charset: 'gb2312' });
    expect(decodeParams(pairs('s=%E4%B8%AD'))).toMatchObject({ ok: true, charset: 'utf-8', params: { s: '中' } });
  });

  it('without a charset label (legacy mapi: the merchant\'s _input_charset, GBK by default): UTF-8, else GBK', () => {
    expect(decodeParams(pairs('seller_id=2088&subject=%D6%A7%B8%B6'))).toMatchObject({ ok: true, charset: 'gbk', params: { subject: '支付' } });
    expect(decodeParams(pairs('subject=%E6%94%AF%E4%BB%98'))).toMatchObject({ ok: true, charset: 'utf-8', params: { subject: '支付' } });
    expect(decodeParams(pairs('subject=x'))).toMatchObject({ ok: true, charset: 'utf-8' });
    // Neither: refused, naming the field.
    expect(decodeParams(pairs('subject=%FF%FF'))).toMatchObject({ ok: false, reason: 'charset-decode', hint: expect.stringContaining('"subject" is neither valid utf-8 nor valid gbk') });
    // A label is still obeyed: GBK bytes under charset=utf-8 are refused, not guessed.
    expect(decodeParams(pairs('charset=utf-8&subject=%D6%A7%B8%B6'))).toMatchObject({ ok: false, reason: 'charset-decode' });
  });

  it('rejects an unknown charset', () => {
    expect(decodeParams(pairs('charset=big5&s=x'))).toMatchObject({ ok: false, reason: 'unknown-charset' });
    expect(decodeParams(pairs('charset=%FF&s=x'))).toMatchObject({ ok: false, reason: 'unknown-charset' });
  });

  it('rejects bytes that are invalid in the declared charset', () => {
    expect(decodeParams(pairs('charset=gbk&s=%FF%FF'))).toMatchObject({ ok: false, reason: 'charset-decode' });
    expect(decodeParams(pairs('charset=utf-8&s=%C3'))).toMatchObject({ ok: false, reason: 'charset-decode' });
  });

  it('keeps a leading BOM in a value and cannot be tricked by a __proto__ key', () => {
    const r = decodeParams(pairs('s=%EF%BB%BFx&__proto__=y'));
    expect(r.ok && r.params.s).toBe('\uFEFFx');
    expect(r.ok && Object.getPrototypeOf(r.params)).toBe(Object.prototype);
    expect(r.ok && Object.hasOwn(r.params, '__proto__')).toBe(true);
  });
});
