// Amounts as exact decimals. Alipay writes the same amount as `1`, `1.0` or `1.00` (and `0.0`),
// so amounts are compared as integer cents, never as strings or floats.

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,15}))?$/;

/** Decimal yuan -> cents. Null for anything else: signs, exponents, spaces, more than 2 significant fraction digits. */
export function parseAmountCents(s: string): bigint | null {
  const m = DECIMAL.exec(s);
  if (m === null) return null;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return null;
  return BigInt(m[1]!) * 100n + BigInt(fraction.padEnd(2, '0'));
}
