// Amounts in the index are integer cents (sums stay exact); people read decimal yuan.
import { parseAmountCents } from '../alipay/amount';

/** Alipay's decimal text -> cents, or null when absent or not an amount. */
export function centsOf(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const cents = parseAmountCents(text);
  return cents === null || cents > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(cents);
}

/** 8888 -> "88.88"; always two decimals, as Alipay writes amounts. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
