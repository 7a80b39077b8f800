import { describe, expect, it } from 'vitest';
import { buildSignContent } from '../src/alipay/content';
import { MAX_FORM_PAIRS, parseForm } from '../src/alipay/parse';
import type { FormPair } from '../src/alipay/types';
import { formBody } from './support/form';

const enc = new TextEncoder();
const pair = (key: string, value: string | number[]): FormPair => ({
  key,
  value: typeof value === 'string' ? enc.encode(value) : new Uint8Array(value),
});
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const sample: FormPair[] = [
  pair('trade_status', 'TRADE_SUCCESS'),
  pair('sign', 'abc'),
  pair('app_id', '2021'),
  pair('sign_type', 'RSA2'),
  pair('body', ''),
  pair('subject', 'a b&c=d'),
];

describe('buildSignContent', () => {
  it('v1 drops sign, sign_type and empty values, sorts keys, joins k=v with &', () => {
    expect(text(buildSignContent(sample, 'v1'))).toBe('app_id=2021&subject=a b&c=d&trade_status=TRADE_SUCCESS');
  });

  it('v2 keeps sign_type', () => {
    expect(text(buildSignContent(sample, 'v2', 'RSA'))).toBe('app_id=2021&sign_type=RSA2&subject=a b&c=d&trade_status=TRADE_SUCCESS');
  });

  it('v2 inserts sign_type=<type tried> when the message has none', () => {
    const withoutType = sample.filter((p) => p.key !== 'sign_type');
    expect(text(buildSignContent(withoutType, 'v2', 'RSA2'))).toBe('app_id=2021&sign_type=RSA2&subject=a b&c=d&trade_status=TRADE_SUCCESS');
    expect(text(buildSignContent(withoutType, 'v1', 'RSA2'))).toBe('app_id=2021&subject=a b&c=d&trade_status=TRADE_SUCCESS');
  });

  it('sorts by byte order ("_" 0x5f before lowercase letters, uppercase before both)', () => {
    const pairs = [pair('ab', '1'), pair('a_b', '2'), pair('B', '3'), pair('a', '4')];
    expect(text(buildSignContent(pairs, 'v1'))).toBe('B=3&a=4&a_b=2&ab=1');
  });

  it('copies value bytes untouched (GBK stays GBK)', () => {
    const content = buildSignContent([pair('subject', [0xd6, 0xa7, 0xb8, 0xb6]), pair('charset', 'GBK')], 'v1');
    expect(Array.from(content)).toEqual([...enc.encode('charset=GBK&subject='), 0xd6, 0xa7, 0xb8, 0xb6]);
  });

  it('does not reorder or change its input', () => {
    const copy = sample.map((p) => p.key);
    buildSignContent(sample, 'v1');
    expect(sample.map((p) => p.key)).toEqual(copy);
  });

  it('is empty when nothing is signed', () => {
    expect(buildSignContent([pair('sign', 'x'), pair('a', '')], 'v1').length).toBe(0);
  });
});

describe('buildSignContent on parsed pairs', () => {
  // Parsed pairs take a fast path (copied straight from the body); it must give exactly what
  // plain pairs with the same decoded values give.
  function randomPairs(seed: number): FormPair[] {
    let state = seed;
    const next = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const keys = new Set<string>();
    const alphabet = 'abcdefghij_0129'; // Alipay's name alphabet: digits sort before "_", "_" before letters
    while (keys.size < 2 + next(30)) {
      let k = '';
      const len = 1 + next(14);
      for (let i = 0; i < len; i++) k += alphabet[next(alphabet.length)];
      keys.add(k);
    }
    return [...keys].map((key) => ({ key, value: Uint8Array.from({ length: next(3) === 0 ? 0 : next(90) }, () => next(256)) }));
  }

  it('equals the plain-pair content for random keys and value bytes, both rules', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const pairs = randomPairs(seed);
      const parsed = parseForm(formBody(pairs));
      if (!parsed.ok) throw new Error(parsed.hint);
      for (const rule of ['v1', 'v2'] as const) {
        expect(Array.from(buildSignContent(parsed.pairs, rule, 'RSA2')), `seed ${seed} ${rule}`).toEqual(Array.from(buildSignContent(pairs, rule, 'RSA2')));
      }
      // Values read back through the pairs are the same bytes too.
      expect(parsed.pairs.map((p) => Array.from(p.value))).toEqual(pairs.map((p) => Array.from(p.value)));
    }
  });

  it('sorts keys that share a long prefix, and percent-encoded ones, in byte order', () => {
    const body = new TextEncoder().encode('buyer_logon_id=2&buyer_id=1&buyer_=0&buyer=x&%62uyer9=y&buyer_pay_amount=3&a=z');
    const parsed = parseForm(body);
    if (!parsed.ok) throw new Error(parsed.hint);
    const keys = text(buildSignContent(parsed.pairs, 'v1'))
      .split('&')
      .map((kv) => kv.split('=')[0]);
    expect(keys).toEqual(['a', 'buyer', 'buyer9', 'buyer_', 'buyer_id', 'buyer_logon_id', 'buyer_pay_amount']);
  });

  it('sorts the most names a body may hold, reversed and sharing a long prefix, like a sorted list', () => {
    const names = Array.from({ length: MAX_FORM_PAIRS }, (_, i) => `kaaaaa${'b'.repeat(40)}${String(i).padStart(3, '0')}`);
    const reversed = parseForm(new TextEncoder().encode([...names].reverse().map((k) => `${k}=v`).join('&')));
    if (!reversed.ok) throw new Error(reversed.hint);
    expect(text(buildSignContent(reversed.pairs, 'v1'))).toBe(names.map((k) => `${k}=v`).join('&'));
  });

  it('returns a fresh array each time (never a shared buffer)', () => {
    const a = parseForm(new TextEncoder().encode('a=1&b=%E4%B8%AD'));
    const b = parseForm(new TextEncoder().encode('a=2&b=3'));
    if (!a.ok || !b.ok) throw new Error('parse');
    const first = buildSignContent(a.pairs, 'v1');
    const second = buildSignContent(b.pairs, 'v1');
    expect(text(first)).toBe('a=1&b=中');
    expect(text(second)).toBe('a=2&b=3');
  });

  it('mixes pairs from different bodies and plain pairs', () => {
    const a = parseForm(new TextEncoder().encode('b=%41+x&d=4'));
    const b = parseForm(new TextEncoder().encode('a=1&c=3'));
    if (!a.ok || !b.ok) throw new Error('parse');
    const mixed = [...a.pairs, ...b.pairs, pair('e', 'plain')];
    expect(text(buildSignContent(mixed, 'v1'))).toBe('a=1&b=A x&c=3&d=4&e=plain');
  });
});
