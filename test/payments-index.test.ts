// The payments index objects and the queries that fan out over them: versioned upserts, newest
// first across months and shards with a cursor, totals, series in Beijing days, trade_no search,
// dead letters, bounded work.
import { describe, expect, it } from 'vitest';
import { indexName, indexNameFor, monthOf, monthsNewestFirst, shardOf } from '../src/payments/index-name';
import type { IndexedPayment } from '../src/payments/index-store';
import { paymentsIndex } from '../src/payments/index-stub';
import {
  deadLettersSince,
  findByTradeNo,
  listDeadLetters,
  listPayments,
  monthsWithin,
  paymentSeries,
  paymentTotals,
  type IndexScope,
} from '../src/payments/queries';
import type { IndexRow } from '../src/payments/types';
import { gatewayEnv } from './support/gateway';
import { uniqueId } from './support/notifications';

/** Far from "now", one test's own years, so rows of other tests in this file never fall in its ranges. */
let year = 2040;
const freshYear = () => year++;

function row(over: Partial<IndexRow> & Pick<IndexRow, 'firstSeenAt'>): IndexRow {
  const outTradeNo = uniqueId('T');
  return {
    orderKey: `2021000000000001:${outTradeNo}`,
    appId: '2021000000000001',
    outTradeNo,
    tradeNo: uniqueId('2026'),
    subject: 'Tea',
    totalCents: 1000,
    status: 'paid',
    refundedCents: 0,
    delivery: 'delivered',
    paidAt: over.firstSeenAt,
    updatedAt: over.firstSeenAt,
    lastError: null,
    deadEvents: [],
    ...over,
  };
}

/** Writes the row where a ledger with `shards` shards would. */
async function put(r: IndexRow, shards: number, version = 1): Promise<boolean> {
  return paymentsIndex(gatewayEnv, indexNameFor(r.orderKey, r.firstSeenAt, shards)).upsert(r, version);
}

const keys = (items: IndexedPayment[]) => items.map((i) => i.orderKey);

describe('index names', () => {
  it('months are UTC; shards are a stable hash of the order key', () => {
    expect(monthOf(Date.UTC(2026, 10, 30, 23, 59, 59, 999))).toBe('2026-11');
    expect(monthOf(Date.UTC(2026, 11, 1))).toBe('2026-12');
    expect(monthsNewestFirst(Date.UTC(2026, 10, 15), Date.UTC(2027, 1, 1))).toEqual(['2027-01', '2026-12', '2026-11']);
    expect(indexName('2026-11', 3)).toBe('2026-11/3');
    expect(shardOf('2021000000000001:A', 1)).toBe(0);
    // FNV-1a is fixed: the same key lands in the same shard in every isolate and release.
    expect([0, 1, 2, 3].map((i) => shardOf(`2021000000000001:order-${i}`, 4))).toEqual([0, 1, 2, 3].map((i) => shardOf(`2021000000000001:order-${i}`, 4)));
    const spread = new Set(Array.from({ length: 64 }, (_, i) => shardOf(`2021000000000001:order-${i}`, 4)));
    expect(spread.size).toBe(4);
  });
});

describe('PaymentsIndex', () => {
  it('keeps the newest version: a late or repeated push never overwrites it', async () => {
    const t = Date.UTC(freshYear(), 0, 10);
    const first = row({ firstSeenAt: t, status: 'waiting', delivery: 'not-forwarded' });
    const index = paymentsIndex(gatewayEnv, indexNameFor(first.orderKey, t, 1));
    expect(await index.upsert(first, 1)).toBe(true);
    expect(await index.upsert({ ...first, status: 'paid', delivery: 'delivered' }, 3)).toBe(true);
    expect(await index.upsert({ ...first, status: 'closed' }, 2)).toBe(false); // late
    expect(await index.upsert({ ...first, status: 'closed' }, 3)).toBe(false); // repeated
    const rows = await index.page({ from: t, to: t + 1, statuses: null, deliveries: null, before: null, limit: 10 });
    expect(rows).toEqual([expect.objectContaining({ orderKey: first.orderKey, status: 'paid', delivery: 'delivered' })]);
  });

  it('dead events follow the row: a newer push that has none clears them', async () => {
    const t = Date.UTC(freshYear(), 0, 10);
    const dead = { eventKey: 'paid', kind: 'paid' as const, webhookId: 'msg_1', attempts: 4, lastError: 'http-status: 502', diedAt: t + 5, redeliverable: true };
    const r = row({ firstSeenAt: t, delivery: 'dead', deadEvents: [dead] });
    const index = paymentsIndex(gatewayEnv, indexNameFor(r.orderKey, t, 1));
    await index.upsert(r, 1);
    expect(await index.deadLetters(10)).toContainEqual({ orderKey: r.orderKey, ...dead });
    expect((await index.deadSince(t, 10)).deadLetters.map((d) => d.orderKey)).toContain(r.orderKey);
    await index.upsert({ ...r, delivery: 'delivered', deadEvents: [] }, 2);
    expect((await index.deadLetters(500)).map((d) => d.orderKey)).not.toContain(r.orderKey);
  });

  it('rejection counts add up per hour and reason', async () => {
    const hour = Date.UTC(freshYear(), 2, 1, 5);
    const index = paymentsIndex(gatewayEnv, indexName(monthOf(hour), 0));
    await index.addRejections([{ hour, reason: 'signature-mismatch', count: 2 }]);
    await index.addRejections([
      { hour, reason: 'signature-mismatch', count: 3 },
      { hour, reason: 'too-large', count: 1 },
    ]);
    expect(await index.rejections(hour, hour + 1)).toEqual([
      { hour, reason: 'signature-mismatch', count: 5 },
      { hour, reason: 'too-large', count: 1 },
    ]);
  });
});

describe('queries across months and shards', () => {
  it('pages newest first across months and shards, each row exactly once, with any limit', async () => {
    const y = freshYear();
    const shards = 3;
    const scope: IndexScope = { env: gatewayEnv, shards };
    // 17 rows over three months, two of them at the same instant (the order key breaks the tie).
    const times = [
      ...Array.from({ length: 6 }, (_, i) => Date.UTC(y, 0, 3 + i)),
      ...Array.from({ length: 5 }, (_, i) => Date.UTC(y, 1, 2 + i)),
      ...Array.from({ length: 5 }, (_, i) => Date.UTC(y, 3, 5 + i)),
      Date.UTC(y, 3, 5),
    ];
    const rows = times.map((t) => row({ firstSeenAt: t }));
    for (const r of rows) await put(r, shards);
    const expected = [...rows].sort((a, b) => b.firstSeenAt - a.firstSeenAt || (a.orderKey < b.orderKey ? 1 : -1)).map((r) => r.orderKey);

    for (const limit of [1, 4, 5, 17, 50]) {
      const seen: string[] = [];
      let before: { at: number; orderKey: string } | null = null;
      for (let pages = 0; pages < 40; pages++) {
        const page = await listPayments(scope, { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1), statuses: null, deliveries: null, before, limit });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...keys(page.items));
        before = page.next;
        if (before === null) break;
      }
      expect(seen, `limit ${limit}`).toEqual(expected);
    }
  });

  it('filters by status and delivery, and totals count paid and refunded amounts', async () => {
    const y = freshYear();
    const scope: IndexScope = { env: gatewayEnv, shards: 2 };
    const t = Date.UTC(y, 5, 1);
    const rows = [
      row({ firstSeenAt: t + 1, status: 'paid', totalCents: 8880 }),
      row({ firstSeenAt: t + 2, status: 'partially-refunded', totalCents: 10000, refundedCents: 2500 }),
      row({ firstSeenAt: t + 3, status: 'refunded', totalCents: 500, refundedCents: 500, delivery: 'dead' }),
      row({ firstSeenAt: t + 4, status: 'waiting', totalCents: 999, paidAt: null, delivery: 'not-forwarded' }),
      row({ firstSeenAt: t + 5, status: 'closed', totalCents: 123, paidAt: null, delivery: 'not-forwarded' }),
      // An orderless message: only for the dead-letter view, never a payment.
      row({ firstSeenAt: t + 6, outTradeNo: null, orderKey: `2021000000000001#notify:${uniqueId('n')}`, totalCents: null }),
    ];
    for (const r of rows) await put(r, 2);
    const range = { from: t, to: t + 1000 };
    const within = monthsWithin(range.from, range.to, 2);
    if (!within.ok) throw new Error('range');

    const all = await listPayments(scope, { ...range, statuses: null, deliveries: null, before: null, limit: 50 });
    expect(keys(all.items)).toEqual(rows.slice(0, 5).map((r) => r.orderKey).reverse());
    const refunds = await listPayments(scope, { ...range, statuses: ['partially-refunded', 'refunded'], deliveries: null, before: null, limit: 50 });
    expect(keys(refunds.items)).toEqual([rows[2]!.orderKey, rows[1]!.orderKey]);
    const dead = await listPayments(scope, { ...range, statuses: null, deliveries: ['dead'], before: null, limit: 50 });
    expect(keys(dead.items)).toEqual([rows[2]!.orderKey]);

    expect(await paymentTotals(scope, { ...range, statuses: null, deliveries: null }, within.months)).toEqual({
      count: 5,
      paidCents: 8880 + 10000 + 500,
      refundedCents: 3000,
    });
    expect(await paymentTotals(scope, { ...range, statuses: ['waiting'], deliveries: null }, within.months)).toEqual({ count: 1, paidCents: 0, refundedCents: 0 });
  });

  it('series: hour buckets in UTC, day buckets from 00:00 Beijing (16:00 UTC)', async () => {
    const y = freshYear();
    const scope: IndexScope = { env: gatewayEnv, shards: 2 };
    const day = Date.UTC(y, 6, 1, 16); // 00:00 on 2 July, Beijing
    const rows = [
      row({ firstSeenAt: day - 1, totalCents: 100 }), // 23:59:59.999 on 1 July, Beijing
      row({ firstSeenAt: day, totalCents: 200 }),
      row({ firstSeenAt: day + 30 * 60_000, totalCents: 300, status: 'waiting', paidAt: null }),
      row({ firstSeenAt: day + 7 * 3_600_000, totalCents: 400 }),
    ];
    for (const r of rows) await put(r, 2);
    const from = day - 3_600_000;
    const to = day + 86_400_000;
    const months = monthsNewestFirst(from, to);
    expect(await paymentSeries(scope, from, to, 'day', months)).toEqual([
      { start: day - 86_400_000, count: 1, paidCents: 100 },
      { start: day, count: 3, paidCents: 600 },
    ]);
    expect(await paymentSeries(scope, from, to, 'hour', months)).toEqual([
      { start: day - 3_600_000, count: 1, paidCents: 100 },
      { start: day, count: 2, paidCents: 200 },
      { start: day + 7 * 3_600_000, count: 1, paidCents: 400 },
    ]);
  });

  it('finds a trade_no in any shard of the months asked', async () => {
    const y = freshYear();
    const scope: IndexScope = { env: gatewayEnv, shards: 4 };
    const target = row({ firstSeenAt: Date.UTC(y, 8, 9) });
    await put(row({ firstSeenAt: Date.UTC(y, 8, 9) }), 4);
    await put(target, 4);
    const found = await findByTradeNo(scope, target.tradeNo!, monthsNewestFirst(Date.UTC(y, 7, 1), Date.UTC(y, 9, 1)));
    expect(keys(found)).toEqual([target.orderKey]);
  });

  it('a page that runs out of its call budget hands back a cursor at the month it stopped, and the next page goes on from there', async () => {
    const y = freshYear();
    const shards = 16; // 32 calls a page = 2 months a page
    const scope: IndexScope = { env: gatewayEnv, shards };
    const old = row({ firstSeenAt: Date.UTC(y, 0, 15) });
    await put(old, shards);
    const first = await listPayments(scope, { from: Date.UTC(y, 0, 1), to: Date.UTC(y, 5, 1), statuses: null, deliveries: null, before: null, limit: 10 });
    expect(first.items).toEqual([]);
    expect(first.next).toEqual({ at: Date.UTC(y, 3, 1), orderKey: '' });
    const second = await listPayments(scope, { from: Date.UTC(y, 0, 1), to: Date.UTC(y, 5, 1), statuses: null, deliveries: null, before: first.next, limit: 10 });
    expect(second.next).toEqual({ at: Date.UTC(y, 1, 1), orderKey: '' });
    const third = await listPayments(scope, { from: Date.UTC(y, 0, 1), to: Date.UTC(y, 5, 1), statuses: null, deliveries: null, before: second.next, limit: 10 });
    expect([keys(third.items), third.next]).toEqual([[old.orderKey], null]);
  });

  it('refuses a range that would ask more index objects than one request may', () => {
    expect(monthsWithin(Date.UTC(2030, 0, 1), Date.UTC(2031, 0, 1), 1).ok).toBe(true);
    const tooLong = monthsWithin(Date.UTC(2030, 0, 1), Date.UTC(2031, 0, 1), 16);
    expect(tooLong).toMatchObject({ ok: false, reason: 'range-too-long' });
  });

  it('dead letters: newest first for the list, oldest first and counted for a bulk redelivery', async () => {
    const scope: IndexScope = { env: gatewayEnv, shards: 2 };
    const now = Date.now();
    const mk = (diedAt: number, redeliverable = true) => {
      const r = row({ firstSeenAt: now - 60_000, delivery: 'dead' });
      return { ...r, deadEvents: [{ eventKey: 'paid', kind: 'paid' as const, webhookId: `msg_${r.outTradeNo}`, attempts: 4, lastError: 'x', diedAt, redeliverable }] };
    };
    const since = now - 30_000;
    const rows = [mk(since - 1), mk(since + 3), mk(since + 1), mk(since + 2, false)];
    for (const r of rows) await put(r, 2);
    const mine = new Set(rows.map((r) => r.orderKey));
    const list = (await listDeadLetters(scope, 500, now)).filter((d) => mine.has(d.orderKey));
    expect(list.map((d) => d.diedAt)).toEqual([since + 3, since + 2, since + 1, since - 1]);
    const bulk = await deadLettersSince(scope, since, 50, now);
    expect(bulk.deadLetters.filter((d) => mine.has(d.orderKey)).map((d) => d.diedAt)).toEqual([since + 1, since + 3]);
    const one = await deadLettersSince(scope, since, 1, now);
    expect(one.deadLetters).toHaveLength(1);
    expect(one.total).toBeGreaterThanOrEqual(2);
  });
});
