// The JSON admin API over the payments index (mounted by src/http/admin.ts, which has already
// checked the operator's credentials):
//   GET  /admin/api/payments?from=&to=&status=&delivery=&q=&cursor=&limit=   history, newest first
//   GET  /admin/api/totals?from=&to=&status=&delivery=                      count, paid, refunded
//   GET  /admin/api/series?from=&to=&bucket=hour|day                         count and paid per bucket
//   GET  /admin/api/rejections?from=&to=                                     rejected notifications per hour and reason
//   POST /admin/api/dead-letters/redeliver  {"since": ISO, "limit": ≤50}    bulk redelivery, call again until remaining = 0
//   GET  /admin/api/deliveries                                              whether deliveries are held, and what waits
//   POST /admin/api/deliveries/hold  {"reason"?}                            hold every delivery (the site is down for maintenance)
//   POST /admin/api/deliveries/resume                                       resume: the backlog drains at ORIGIN_MAX_RPS
//   GET  /admin/dead-letters?limit=                                          (served from here, mounted in admin.ts)
// Times are ISO-8601 UTC; amounts integer cents plus decimal text. Every answer's work is bounded
// (src/payments/queries.ts); out-of-range parameters get 400 with what is allowed.
import { Router, type IRequest } from 'itty-router';
import type { Config } from '../config/types';
import type { GatewayEnv } from '../env';
import { adminPathOf, MAX_OUT_TRADE_NO_CHARS, orderKey } from '../orders/order-key';
import { decodeCursor, encodeCursor } from '../payments/cursor';
import { MAX_DEAD_LETTERS, MAX_PAGE_ROWS, type IndexedPayment } from '../payments/index-store';
import { formatCents } from '../payments/money';
import {
  deadLettersSince,
  findByTradeNo,
  listDeadLetters,
  listPayments,
  monthsWithin,
  paymentSeries,
  paymentTotals,
  recentMonths,
  rejectionCounts,
  type IndexScope,
} from '../payments/queries';
import { DELIVERY_STATES, PAYMENT_STATUSES, type DeliveryState, type IndexRow, type PaymentStatus, type PaymentView } from '../payments/types';
import { deliveryGate } from '../orders/gate-stub';
import { forgetGateView } from '../orders/gate-view';
import { DAY_MS, HOUR_MS } from '../utils/duration';
import { readBodyCapped } from '../utils/read-capped';
import { jsonResponse } from './responses';

const DEFAULT_RANGE_DAYS = 30;
const DEFAULT_REJECTION_DAYS = 7;
const DEFAULT_PAGE = 50;
const DEFAULT_BULK = 20;
const MAX_BULK = 50;
/** Redeliveries in flight at once during a bulk redelivery: a fragile origin is not flooded. */
const BULK_CONCURRENCY = 4;
/** A JSON object of a field or two (bulk redelivery, hold): anything bigger or slower is not a console asking. */
const SMALL_BODY_LIMITS = { maxBytes: 1024, deadlineMs: 5_000 } as const;
const MAX_HOUR_POINTS = 24 * 93;
/** Search asks the ledger of each configured app id; a handful covers real deployments. */
const MAX_SEARCH_APPS = 8;
/** An out_trade_no or a trade_no (Alipay's are at most 64 characters too). */
const MAX_QUERY_TEXT = MAX_OUT_TRADE_NO_CHARS;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const badRequest = (error: string) => jsonResponse(400, { ok: false, error });

/** A small JSON body: its value (undefined when empty and `optional`), or the 400 to answer, which shows `example`. */
async function readSmallJson(request: Request, example: string, optional = false): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const read = await readBodyCapped(request, SMALL_BODY_LIMITS);
  if (!read.ok) return { ok: false, response: badRequest(`body must be JSON of at most ${SMALL_BODY_LIMITS.maxBytes} bytes`) };
  const text = new TextDecoder().decode(read.body).trim();
  if (text === '' && optional) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: badRequest(`body must be JSON: ${example}`) };
  }
}

// ---- parameters ---------------------------------------------------------------

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Whether `YYYY-MM-DD…` starts with a day on the calendar: Date.parse rolls 2026-02-30 over to
 * 2 March instead of refusing it, so a rolled day is caught the way src/alipay/beijing-time.ts does.
 */
function isCalendarDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** An ISO date or time; a bare date as `to` means the end of that day (UTC). */
function parseTime(name: string, text: string, endOfDay: boolean): Parsed<number> {
  if (text.length > 40 || !ISO_TIME.test(text)) return { ok: false, error: `${name} must be an ISO date or time (e.g. 2026-05-01 or 2026-05-01T08:00:00Z)` };
  if (!isCalendarDay(text)) return { ok: false, error: `${name} ${text.slice(0, 10)} is not a date on the calendar` };
  const bare = text.length === 10;
  const ms = Date.parse(bare ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) return { ok: false, error: `${name} is not a real date` };
  return { ok: true, value: bare && endOfDay ? ms + DAY_MS : ms };
}

interface Range {
  from: number;
  to: number;
  /** Whether the client named the range (search then keeps to it; otherwise it looks at recent months). */
  explicit: boolean;
}

function parseRange(params: URLSearchParams, now: number, defaultDays: number): Parsed<Range> {
  const fromText = params.get('from');
  const toText = params.get('to');
  let to = now + 1;
  let from = now - defaultDays * DAY_MS;
  if (toText) {
    const parsed = parseTime('to', toText, true);
    if (!parsed.ok) return parsed;
    to = parsed.value;
    if (!fromText) from = to - defaultDays * DAY_MS;
  }
  if (fromText) {
    const parsed = parseTime('from', fromText, false);
    if (!parsed.ok) return parsed;
    from = parsed.value;
  }
  if (from >= to) return { ok: false, error: 'from must be before to' };
  return { ok: true, value: { from, to, explicit: fromText !== null || toText !== null } };
}

function parseChoices<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): Parsed<T[] | null> {
  const text = params.get(name);
  if (text === null || text.trim() === '') return { ok: true, value: null };
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = items.find((s) => !(allowed as readonly string[]).includes(s));
  if (unknown !== undefined) return { ok: false, error: `${name} must be a comma list of ${allowed.join(', ')}` };
  return { ok: true, value: [...new Set(items)] as T[] };
}

function parseLimit(params: URLSearchParams, fallback: number, max: number): Parsed<number> {
  const text = params.get('limit');
  if (text === null || text === '') return { ok: true, value: fallback };
  const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= max)) return { ok: false, error: `limit must be a whole number from 1 to ${max}` };
  return { ok: true, value: n };
}

interface Filter {
  range: Range;
  statuses: PaymentStatus[] | null;
  deliveries: DeliveryState[] | null;
}

function parseFilter(params: URLSearchParams, now: number): Parsed<Filter> {
  const range = parseRange(params, now, DEFAULT_RANGE_DAYS);
  if (!range.ok) return range;
  const statuses = parseChoices(params, 'status', PAYMENT_STATUSES);
  if (!statuses.ok) return statuses;
  const deliveries = parseChoices(params, 'delivery', DELIVERY_STATES);
  if (!deliveries.ok) return deliveries;
  return { ok: true, value: { range: range.value, statuses: statuses.value, deliveries: deliveries.value } };
}

// ---- views --------------------------------------------------------------------

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function paymentView(row: IndexedPayment): PaymentView {
  return {
    orderKey: row.orderKey,
    appId: row.appId,
    outTradeNo: row.outTradeNo,
    tradeNo: row.tradeNo,
    subject: row.subject,
    totalCents: row.totalCents,
    total: row.totalCents === null ? null : formatCents(row.totalCents),
    status: row.status,
    refundedCents: row.refundedCents,
    refunded: formatCents(row.refundedCents),
    delivery: row.delivery,
    firstSeenAt: new Date(row.firstSeenAt).toISOString(),
    paidAt: isoOrNull(row.paidAt),
    updatedAt: new Date(row.updatedAt).toISOString(),
    lastError: row.lastError,
    adminPath: adminPathOf(row.orderKey),
  };
}

// ---- handlers -----------------------------------------------------------------

type Handler = (request: IRequest, env: GatewayEnv, config: Config) => Promise<Response>;

const scopeOf = (env: GatewayEnv, config: Config): IndexScope => ({ env, shards: config.visibility.indexShards });

const listPaymentsHandler: Handler = async (request, env, config) => {
  const now = Date.now();
  const params = new URL(request.url).searchParams;
  const filter = parseFilter(params, now);
  if (!filter.ok) return badRequest(filter.error);
  const limit = parseLimit(params, DEFAULT_PAGE, MAX_PAGE_ROWS);
  if (!limit.ok) return badRequest(limit.error);
  const { range, statuses, deliveries } = filter.value;

  const q = params.get('q')?.trim() ?? '';
  if (q !== '') return search(env, config, q, filter.value, limit.value, now);

  const cursorText = params.get('cursor');
  const cursor = cursorText ? decodeCursor(cursorText) : null;
  if (cursorText && cursor === null) return badRequest('cursor is not one this API gave out');
  const page = await listPayments(scopeOf(env, config), { from: range.from, to: range.to, statuses, deliveries, before: cursor, limit: limit.value });
  return jsonResponse(200, { ok: true, items: page.items.map(paymentView), nextCursor: page.next === null ? null : encodeCursor(page.next) });
};

/**
 * Exact search: as an out_trade_no straight in its ledger (so an order shows even before its
 * index row is written), and as a trade_no in the index. Without a range it looks at recent months.
 */
async function search(env: GatewayEnv, config: Config, q: string, filter: Filter, limit: number, now: number): Promise<Response> {
  if (q.length > MAX_QUERY_TEXT || /[\u0000-\u001f\u007f]/.test(q)) return badRequest(`q must be an out_trade_no or trade_no (at most ${MAX_QUERY_TEXT} characters)`);
  const scope = scopeOf(env, config);
  let months = recentMonths(scope.shards, now);
  if (filter.range.explicit) {
    const within = monthsWithin(filter.range.from, filter.range.to, scope.shards);
    if (!within.ok) return badRequest(within.hint);
    months = within.months;
  }
  const apps = [...new Set([...config.alipay.appIds, ...config.alipay.sellerIds])].slice(0, MAX_SEARCH_APPS);
  // Each part of the search stands alone: what the ones that answered found is shown, and the
  // warning names the ones that did not (undefined: that ledger did not answer).
  const [fromLedgers, fromIndex] = await Promise.all([
    Promise.all(apps.map((app) => env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(orderKey(app, q))).indexRow().catch(() => undefined))),
    findByTradeNo(scope, q, months).catch(() => null),
  ]);
  const found = new Map<string, IndexedPayment>();
  for (const row of fromIndex ?? []) found.set(row.orderKey, row);
  // The ledger's own row is the newest truth: it wins over the index's copy. An order asked for by
  // its exact number is shown whatever the date range (the console always sends one, 30 days by
  // default, and an operator looking up an older order must still find it).
  const exact = new Set<string>();
  for (const row of fromLedgers) {
    if (row === null || row === undefined) continue;
    found.set(row.orderKey, withoutDeadEvents(row));
    exact.add(row.orderKey);
  }
  const items = [...found.values()]
    .filter((r) => r.outTradeNo !== null)
    .filter((r) => exact.has(r.orderKey) || !filter.range.explicit || (r.firstSeenAt >= filter.range.from && r.firstSeenAt < filter.range.to))
    .filter((r) => filter.statuses === null || filter.statuses.includes(r.status))
    .filter((r) => filter.deliveries === null || filter.deliveries.includes(r.delivery))
    .sort((a, b) => b.firstSeenAt - a.firstSeenAt)
    .slice(0, limit);
  const unanswered = [
    fromIndex === null ? 'the payments index did not answer: trade_no was not searched' : null,
    ...apps.filter((_app, i) => fromLedgers[i] === undefined).map((app) => `the ledger of ${orderKey(app, q)} did not answer: out_trade_no was not looked up there`),
  ].filter((text) => text !== null);
  const warning = unanswered.length > 0 ? { warning: unanswered.join('; ') } : {};
  return jsonResponse(200, { ok: true, items: items.map(paymentView), nextCursor: null, ...warning });
}

function withoutDeadEvents(row: IndexRow): IndexedPayment {
  const { deadEvents: _dead, ...rest } = row;
  return rest;
}

const totalsHandler: Handler = async (request, env, config) => {
  const filter = parseFilter(new URL(request.url).searchParams, Date.now());
  if (!filter.ok) return badRequest(filter.error);
  const { range, statuses, deliveries } = filter.value;
  const scope = scopeOf(env, config);
  const within = monthsWithin(range.from, range.to, scope.shards);
  if (!within.ok) return badRequest(within.hint);
  const totals = await paymentTotals(scope, { from: range.from, to: range.to, statuses, deliveries }, within.months);
  return jsonResponse(200, {
    ok: true,
    count: totals.count,
    paidCents: totals.paidCents,
    paid: formatCents(totals.paidCents),
    refundedCents: totals.refundedCents,
    refunded: formatCents(totals.refundedCents),
  });
};

const seriesHandler: Handler = async (request, env, config) => {
  const params = new URL(request.url).searchParams;
  const range = parseRange(params, Date.now(), DEFAULT_RANGE_DAYS);
  if (!range.ok) return badRequest(range.error);
  const bucket = params.get('bucket') ?? 'day';
  if (bucket !== 'hour' && bucket !== 'day') return badRequest('bucket must be hour or day');
  const { from, to } = range.value;
  if (bucket === 'hour' && (to - from) / HOUR_MS > MAX_HOUR_POINTS) return badRequest(`hour buckets cover at most ${MAX_HOUR_POINTS / 24} days; use bucket=day`);
  const scope = scopeOf(env, config);
  const within = monthsWithin(from, to, scope.shards);
  if (!within.ok) return badRequest(within.hint);
  const points = await paymentSeries(scope, from, to, bucket, within.months);
  return jsonResponse(200, { ok: true, bucket, points: points.map((p) => ({ start: new Date(p.start).toISOString(), count: p.count, paidCents: p.paidCents })) });
};

const rejectionsHandler: Handler = async (request, env, config) => {
  const range = parseRange(new URL(request.url).searchParams, Date.now(), DEFAULT_REJECTION_DAYS);
  if (!range.ok) return badRequest(range.error);
  const { from, to } = range.value;
  // One object per month (shard 0), so the month budget is the whole call budget.
  const within = monthsWithin(from, to, 1);
  if (!within.ok) return badRequest(within.hint);
  const counts = await rejectionCounts(scopeOf(env, config), from, to, within.months);
  return jsonResponse(200, { ok: true, points: counts.map((c) => ({ hour: new Date(c.hour).toISOString(), reason: c.reason, count: c.count })) });
};

/** GET /admin/dead-letters: the dead events of the index's recent months, newest first. */
export const deadLettersHandler: Handler = async (request, env, config) => {
  const limit = parseLimit(new URL(request.url).searchParams, 100, MAX_DEAD_LETTERS);
  if (!limit.ok) return badRequest(limit.error);
  const deadLetters = await listDeadLetters(scopeOf(env, config), limit.value, Date.now());
  return jsonResponse(200, {
    ok: true,
    deadLetters: deadLetters.map((d) => ({ ...d, diedAt: new Date(d.diedAt).toISOString(), adminPath: adminPathOf(d.orderKey) })),
  });
};

/**
 * Redelivers up to `limit` redeliverable events that died at or after `since`, oldest first, a few
 * at a time. Each ledger writes its index row before answering, so `remaining` (read afterwards)
 * already leaves out what this call redelivered, and a console calling again makes progress.
 */
const bulkRedeliverHandler: Handler = async (request, env, config) => {
  const read = await readSmallJson(request, '{"since": "2026-05-01T00:00:00Z", "limit": 20}');
  if (!read.ok) return read.response;
  const body = read.value as { since?: unknown; limit?: unknown } | null;
  if (typeof body !== 'object' || body === null || typeof body.since !== 'string') return badRequest('since (an ISO date or time) is required');
  const since = parseTime('since', body.since, false);
  if (!since.ok) return badRequest(since.error);
  const limit = body.limit === undefined ? DEFAULT_BULK : body.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_BULK) return badRequest(`limit must be a whole number from 1 to ${MAX_BULK}`);

  // While deliveries are held every redelivery answers "held" and the dead stay dead: a batch
  // would change nothing, and a console calling again until `remaining` falls would never stop.
  if ((await deliveryGate(env).status()).held) {
    return jsonResponse(409, { ok: false, error: 'deliveries are on hold: resume them first, then redeliver' });
  }
  const scope = scopeOf(env, config);
  const { deadLetters } = await deadLettersSince(scope, since.value, limit, Date.now());
  let delivered = 0;
  let failed = 0;
  await eachLimited(deadLetters, BULK_CONCURRENCY, async (dead) => {
    const stub = env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(dead.orderKey));
    const result = await stub.redeliver(dead.eventKey).catch(() => null);
    if (result?.ok && result.results.every((r) => r.state === 'delivered')) delivered += 1;
    else failed += 1;
  });
  const remaining = (await deadLettersSince(scope, since.value, 1, Date.now())).total;
  return jsonResponse(200, { ok: true, attempted: deadLetters.length, delivered, failed, remaining });
};

async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const deliveriesHandler: Handler = async (_request, env) => jsonResponse(200, { ok: true, ...(await deliveryGate(env).status()) });

/** Holds every delivery: owed events wait, spending no attempt, until resume. An optional JSON body gives the reason. */
const holdHandler: Handler = async (request, env) => {
  const read = await readSmallJson(request, '{"reason": "site maintenance until 22:00"} (or empty)', true);
  if (!read.ok) return read.response;
  let reason: string | undefined;
  if (read.value !== undefined) {
    const body = read.value as { reason?: unknown } | null;
    if (typeof body !== 'object' || body === null || (body.reason !== undefined && typeof body.reason !== 'string')) return badRequest('reason must be text');
    reason = body.reason as string | undefined;
  }
  const status = await deliveryGate(env).hold({ by: 'admin', ...(reason ? { reason } : {}) });
  forgetGateView();
  return jsonResponse(200, { ok: true, ...status });
};

/** Ends the hold: what waits is released at ORIGIN_MAX_RPS (the gate hands out the slots). */
const resumeHandler: Handler = async (_request, env) => {
  const status = await deliveryGate(env).resume({ by: 'admin' });
  forgetGateView();
  return jsonResponse(200, { ok: true, ...status });
};

export const adminApiRouter = Router<IRequest, [GatewayEnv, Config]>({ base: '/admin/api' })
  .get('/deliveries', deliveriesHandler)
  .post('/deliveries/hold', holdHandler)
  .post('/deliveries/resume', resumeHandler)
  .get('/payments', listPaymentsHandler)
  .get('/totals', totalsHandler)
  .get('/series', seriesHandler)
  .get('/rejections', rejectionsHandler)
  .post('/dead-letters/redeliver', bulkRedeliverHandler);
