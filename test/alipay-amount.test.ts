import { describe, expect, it } from 'vitest';
import { parseAmountCents } from '../src/alipay/amount';

describe('parseAmountCents', () => {
  it.each([
    ['0', 0n],
    ['0.0', 0n],
    ['1', 100n],
    ['1.00', 100n],
    ['1.5', 150n],
    ['0.01', 1n],
    ['88.880', 8888n],
    ['100000000.99', 10000000099n],
  ])('%s -> %s cents', (s, cents) => {
    expect(parseAmountCents(s)).toBe(cents);
  });

  it.each(['', '.5', '1.', '-1', '+1', '1e2', ' 1', '1 ', '1.001', '1,00', '0x10', 'NaN', '١'])('rejects %j', (s) => {
    expect(parseAmountCents(s)).toBeNull();
  });
});
