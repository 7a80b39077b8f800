// Which PaymentsIndex object holds a row: one per UTC month (of the order's first notification)
// and shard, named `YYYY-MM/<shard>`. One object takes on the order of a thousand writes a second;
// shards spread a month's peak. A ledger keeps the name it first wrote to, so raising
// INDEX_SHARDS later moves nothing; queries ask every shard of every month they cover.
import { utf8Encode } from '../utils/bytes';

export type MonthKey = string;

/** `2026-05` for any time in May 2026 UTC. */
export function monthOf(ms: number): MonthKey {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** First millisecond of the month. */
export function monthStart(month: MonthKey): number {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return Date.UTC(year, mon - 1, 1);
}

/** The month before. */
export function previousMonth(month: MonthKey): MonthKey {
  return monthOf(monthStart(month) - 1);
}

/** Months touching [from, to), newest first. */
export function monthsNewestFirst(from: number, to: number): MonthKey[] {
  const months: MonthKey[] = [];
  if (to <= from) return months;
  const oldest = monthStart(monthOf(from));
  for (let m = monthOf(to - 1); monthStart(m) >= oldest; m = previousMonth(m)) months.push(m);
  return months;
}

/** FNV-1a over the key's UTF-8 bytes: stable across isolates and releases (the shard is stored, but new rows must agree). */
export function shardOf(orderKey: string, shards: number): number {
  let h = 0x811c9dc5;
  for (const byte of utf8Encode(orderKey)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

export function indexName(month: MonthKey, shard: number): string {
  return `${month}/${shard}`;
}

/** Where an order first seen at `firstSeenAt` writes its row, with `shards` shards configured. */
export function indexNameFor(orderKey: string, firstSeenAt: number, shards: number): string {
  return indexName(monthOf(firstSeenAt), shardOf(orderKey, shards));
}
