// Reading the payments index from the Worker: every query fans out over the shards of the months
// it covers and merges the answers. Each request asks a bounded number of index objects
// (MAX_SHARD_CALLS; a page stops early and hands back a cursor), so the cost of a request never
// grows with the size of the history.
import type { GatewayEnv } from '../env';
import { indexName, monthOf, monthStart, monthsNewestFirst, previousMonth, type MonthKey } from './index-name';
import type { Bucket, DeadLetter, IndexedPayment, PageQuery, PaymentFilter, RejectionCount, SeriesPoint, Totals } from './index-store';
import { paymentsIndex } from './index-stub';

/** Index objects one request may ask (Workers bound subrequests per request; each call is one). */
export const MAX_SHARD_CALLS = 64;
/** A page asks fewer, so the history stays quick; it resumes from its cursor. */
const PAGE_SHARD_CALLS = 32;
/** The dead-letter view looks this far back (months of the orders' first notification). */
export const DEAD_LETTER_MONTHS = 12;

export interface IndexScope {
  env: GatewayEnv;
  shards: number;
}

export type RangeCheck = { ok: true; months: MonthKey[] } | { ok: false; reason: 'range-too-long'; hint: string };

/** The months of [from, to), refused when asking all their shards would exceed the call budget. */
export function monthsWithin(from: number, to: number, shards: number): RangeCheck {
  const months = monthsNewestFirst(from, to);
  const maxMonths = Math.max(1, Math.floor(MAX_SHARD_CALLS / shards));
  if (months.length > maxMonths) {
    return { ok: false, reason: 'range-too-long', hint: `a range may cover at most ${maxMonths} months with INDEX_SHARDS=${shards}; narrow from/to` };
  }
  return { ok: true, months };
}

function eachShard<T>(scope: IndexScope, month: MonthKey, ask: (index: ReturnType<typeof paymentsIndex>) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: scope.shards }, (_, shard) => ask(paymentsIndex(scope.env, indexName(month, shard)))));
}

const newestFirst = (a: IndexedPayment, b: IndexedPayment) =>
  b.firstSeenAt - a.firstSeenAt || (a.orderKey < b.orderKey ? 1 : a.orderKey > b.orderKey ? -1 : 0);

export interface Page {
  items: IndexedPayment[];
  /** Where the next page starts (strictly older than this), or null at the end of the range. */
  next: { at: number; orderKey: string } | null;
}

/**
 * Newest first across months and shards. Months are visited newest first: every row of a month
 * is newer than every row of an earlier one, so a page is complete once `limit` rows are found.
 * When the call budget runs out first, the cursor points at the start of the last month asked
 * (a page may then hold fewer rows than asked, yet have a next one).
 */
export async function listPayments(scope: IndexScope, query: PageQuery): Promise<Page> {
  // A cursor with an empty key means "before this instant": no key sorts below "".
  const upper = query.before === null ? query.to : Math.min(query.to, query.before.orderKey === '' ? query.before.at : query.before.at + 1);
  const months = monthsNewestFirst(query.from, upper);
  const monthsPerPage = Math.max(1, Math.floor(PAGE_SHARD_CALLS / scope.shards));
  const items: IndexedPayment[] = [];
  for (const [i, month] of months.entries()) {
    if (i >= monthsPerPage) return { items, next: { at: monthStart(months[i - 1]!), orderKey: '' } };
    const need = query.limit - items.length;
    const answers = await eachShard(scope, month, (index) => index.page({ ...query, limit: need + 1 }));
    const merged = answers.flat().sort(newestFirst);
    if (merged.length > need) {
      items.push(...merged.slice(0, need));
      const last = items[items.length - 1]!;
      return { items, next: { at: last.firstSeenAt, orderKey: last.orderKey } };
    }
    items.push(...merged);
    if (items.length === query.limit && i < months.length - 1) {
      const last = items[items.length - 1]!;
      return { items, next: { at: last.firstSeenAt, orderKey: last.orderKey } };
    }
  }
  return { items, next: null };
}

export async function paymentTotals(scope: IndexScope, filter: PaymentFilter, months: readonly MonthKey[]): Promise<Totals> {
  const answers = (await Promise.all(months.map((m) => eachShard(scope, m, (index) => index.totals(filter))))).flat();
  return answers.reduce((sum, t) => ({ count: sum.count + t.count, paidCents: sum.paidCents + t.paidCents, refundedCents: sum.refundedCents + t.refundedCents }), {
    count: 0,
    paidCents: 0,
    refundedCents: 0,
  });
}

export async function paymentSeries(scope: IndexScope, from: number, to: number, bucket: Bucket, months: readonly MonthKey[]): Promise<SeriesPoint[]> {
  const answers = (await Promise.all(months.map((m) => eachShard(scope, m, (index) => index.series(from, to, bucket))))).flat(2);
  const byStart = new Map<number, SeriesPoint>();
  for (const p of answers) {
    const sum = byStart.get(p.start) ?? { start: p.start, count: 0, paidCents: 0 };
    byStart.set(p.start, { start: p.start, count: sum.count + p.count, paidCents: sum.paidCents + p.paidCents });
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

export async function findByTradeNo(scope: IndexScope, tradeNo: string, months: readonly MonthKey[]): Promise<IndexedPayment[]> {
  return (await Promise.all(months.map((m) => eachShard(scope, m, (index) => index.byTradeNo(tradeNo))))).flat(2);
}

/** The latest months (DEAD_LETTER_MONTHS, or fewer within the call budget), newest first: the dead-letter view and searches without a range. */
export function recentMonths(shards: number, now: number): MonthKey[] {
  const count = Math.max(1, Math.min(DEAD_LETTER_MONTHS, Math.floor(MAX_SHARD_CALLS / shards)));
  const months: MonthKey[] = [monthOf(now)];
  while (months.length < count) months.push(previousMonth(months[months.length - 1]!));
  return months;
}

/** Newest deaths first. */
export async function listDeadLetters(scope: IndexScope, limit: number, now: number): Promise<DeadLetter[]> {
  const answers = (await Promise.all(recentMonths(scope.shards, now).map((m) => eachShard(scope, m, (index) => index.deadLetters(limit))))).flat(2);
  return answers.sort((a, b) => b.diedAt - a.diedAt).slice(0, limit);
}

/** Redeliverable events dead since `since`, oldest first (at most `limit`), and how many there are in all. */
export async function deadLettersSince(scope: IndexScope, since: number, limit: number, now: number): Promise<{ deadLetters: DeadLetter[]; total: number }> {
  const answers = (await Promise.all(recentMonths(scope.shards, now).map((m) => eachShard(scope, m, (index) => index.deadSince(since, limit))))).flat();
  const deadLetters = answers
    .flatMap((a) => a.deadLetters)
    .sort((a, b) => a.diedAt - b.diedAt)
    .slice(0, limit);
  return { deadLetters, total: answers.reduce((n, a) => n + a.total, 0) };
}

/** Rejection counts live in shard 0 of the hour's month. */
export async function rejectionCounts(scope: IndexScope, from: number, to: number, months: readonly MonthKey[]): Promise<RejectionCount[]> {
  const answers = await Promise.all(months.map((m) => paymentsIndex(scope.env, indexName(m, 0)).rejections(from, to)));
  return answers.flat().sort((a, b) => a.hour - b.hour || (a.reason < b.reason ? -1 : 1));
}
