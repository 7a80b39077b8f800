import { describe, expect, it } from 'vitest';
import { encodeFormBytes, getParam, MAX_FORM_BYTES, MAX_FORM_PAIRS, parseForm } from '../src/alipay/parse';
import type { FormPair } from '../src/alipay/types';
import { formBodyOf as encodeForm } from './support/form';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function pairsOf(body: string): [string, string][] {
  const r = parseForm(bytes(body));
  if (!r.ok) throw new Error(`expected a parse, got ${r.reason}: ${r.hint}`);
  return r.pairs.map((p) => [p.key, text(p.value)]);
}

describe('parseForm', () => {
  it('splits on & and then on the first = only', () => {
    expect(pairsOf('a=1&b=x=y&c=')).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
      ['c', ''],
    ]);
  });

  it('keeps body order', () => {
    expect(pairsOf('z=1&a=2&m=3').map(([k]) => k)).toEqual(['z', 'a', 'm']);
  });

  it('decodes + as a space and %XX once (no second decoding)', () => {
    expect(pairsOf('s=a+b&p=%2B1&pct=%2541&lower=%2b')).toEqual([
      ['s', 'a b'],
      ['p', '+1'],
      ['pct', '%41'],
      ['lower', '+'],
    ]);
  });

  it('keeps %26 and %3D inside the value they belong to', () => {
    expect(pairsOf('passback_params=x%3D1%26y%3D2&n=1')).toEqual([
      ['passback_params', 'x=1&y=2'],
      ['n', '1'],
    ]);
  });

  it('yields the raw bytes of non-UTF-8 values', () => {
    const r = parseForm(bytes('subject=%D6%A7%B8%B6'));
    expect(r.ok && Array.from(r.pairs[0]!.value)).toEqual([0xd6, 0xa7, 0xb8, 0xb6]);
  });

  it('decodes percent-encoded keys', () => {
    expect(pairsOf('sign%5Ftype=RSA2')).toEqual([['sign_type', 'RSA2']]);
  });

  it('also gives the pairs in key byte order', () => {
    const r = parseForm(bytes('z=1&a_b=2&ab=3&a=4&a9=5'));
    expect(r.ok && r.sorted.map((p) => p.key)).toEqual(['a', 'a9', 'a_b', 'ab', 'z']);
    expect(r.ok && r.pairs.map((p) => p.key)).toEqual(['z', 'a_b', 'ab', 'a', 'a9']);
  });

  // Alipay's names are lowercase letters, digits and "_". Anything else is not Alipay's, and a
  // name holding "=" or "&" once decoded is how a signed body is re-split to hide a field.
  it.each([
    ['upper case', 'Subject=1'],
    ['a hyphen', 'out-trade-no=1'],
    ['a byte-order mark', '\uFEFFapp_id=1'],
    ['a space (as "+")', 'app+id=1'],
    ['a pair hidden in an encoded name', 'notify_type%3Dtrade_status_sync%26out_biz_no=R1'],
    ['a decoded "&"', 'a%26b=1'],
    ['a non-ASCII byte', '%E4%B8%AD=1'],
  ])('refuses a name with %s (malformed-body)', (_what, body) => {
    const r = parseForm(bytes(body));
    expect(r).toMatchObject({ ok: false, reason: 'malformed-body' });
    expect(!r.ok && r.hint).toMatch(/not an Alipay parameter name/);
  });

  it('skips empty segments and reads a bare name as an empty value', () => {
    expect(pairsOf('&a=1&&flag&')).toEqual([
      ['a', '1'],
      ['flag', ''],
    ]);
  });

  it.each(['a=%', 'a=%4', 'a=%zz', 'a=%G1&b=2', 'a=1&b=x%', '%=1', 'a=%%41'])('rejects malformed percent-encoding: %s', (body) => {
    const r = parseForm(bytes(body));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('malformed-body');
    expect(!r.ok && r.hint).toMatch(/percent-encoding/);
  });

  it.each(['a=1&a=2', 'a=1&b=2&a=1', 'a=1&%61=2', 'sign=x&sign='])('rejects a duplicated key: %s', (body) => {
    const r = parseForm(bytes(body));
    expect(!r.ok && r.reason).toBe('duplicate-key');
  });

  it('finds a duplicate among many names that share a long prefix, in any order', () => {
    const names = Array.from({ length: MAX_FORM_PAIRS - 1 }, (_, i) => `notify_${'x'.repeat(20)}${i}`);
    const body = [...names, names[99]].reverse().map((k) => `${k}=1`).join('&');
    expect(parseForm(bytes(body))).toMatchObject({ ok: false, reason: 'duplicate-key' });
    expect(parseForm(bytes(names.reverse().map((k) => `${k}=1`).join('&'))).ok).toBe(true);
  });

  it('rejects an empty body and a nameless parameter', () => {
    expect(parseForm(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'malformed-body' });
    expect(parseForm(bytes('=1&a=2'))).toMatchObject({ ok: false, reason: 'malformed-body' });
  });

  it('refuses a body larger than the notify endpoint accepts', () => {
    const atCap = `a=${'x'.repeat(MAX_FORM_BYTES - 2)}`;
    expect(parseForm(bytes(atCap)).ok).toBe(true);
    expect(parseForm(bytes(`${atCap}x`))).toMatchObject({ ok: false, reason: 'malformed-body' });
  });

  it('rejects more parameters than any notification has', () => {
    const body = Array.from({ length: MAX_FORM_PAIRS + 1 }, (_, i) => `k${i}=v`).join('&');
    expect(parseForm(bytes(body))).toMatchObject({ ok: false, reason: 'malformed-body' });
    expect(parseForm(bytes(body.slice(0, body.lastIndexOf('&')))).ok).toBe(true);
  });
});

describe('encodeFormBytes', () => {
  it('round-trips UTF-8 params (encoded by the tests\' own encoder) through parseForm', () => {
    const params = { subject: '语雀空间 500人规模', passback_params: 'a=1&b=2+3%', sign: 'ab+/cd==' };
    const body = encodeForm(params);
    expect(text(body)).toContain('subject=%E8%AF%AD');
    expect(text(body)).toContain('+500');
    expect(pairsOf(text(body))).toEqual(Object.entries(params));
  });

  it('percent-encodes arbitrary value bytes', () => {
    const pairs: FormPair[] = [{ key: 'subject', value: new Uint8Array([0xd6, 0xa7, 0x2b, 0x20, 0x26]) }];
    expect(text(encodeFormBytes(pairs))).toBe('subject=%D6%A7%2B+%26');
  });
});

describe('getParam', () => {
  it('finds a value by key, or undefined', () => {
    const r = parseForm(bytes('a=1&b=2'));
    if (!r.ok) throw new Error('parse');
    expect(text(getParam(r.pairs, 'b')!)).toBe('2');
    expect(getParam(r.pairs, 'c')).toBeUndefined();
  });
});
