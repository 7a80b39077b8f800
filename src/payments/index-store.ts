// All SQL of one PaymentsIndex object (one month × shard). Synchronous, like the ledger's store:
// a method that never awaits cannot interleave with another request.
import type { DeadEvent, DeliveryState, IndexRow, PaymentStatus } from './types';
import { DELIVERY_STATES, PAID_STATUSES, PAYMENT_STATUSES } from './types';
import { DAY_MS, HOUR_MS } from '../utils/duration';

/** A stored row (the dead events live in their own table). */
export type IndexedPayment = Omit<IndexRow, 'deadEvents'>;

/** Orders first seen in [from, to), optionally narrowed by status and delivery state. */
export interface PaymentFilter {
  from: number;
  to: number;
  statuses: readonly PaymentStatus[] | null;
  deliveries: readonly DeliveryState[] | null;
}

/** Newest first, strictly older than `before` (firstSeenAt, then orderKey, both descending). */
export interface PageQuery extends PaymentFilter {
  before: { at: number; orderKey: string } | null;
  limit: number;
}

export interface Totals {
  count: number;
  paidCents: number;
  refundedCents: number;
}

export type Bucket = 'hour' | 'day';

export interface SeriesPoint {
  start: number;
  count: number;
  paidCents: number;
}

export interface DeadLetter extends DeadEvent {
  orderKey: string;
}

export type RejectionCount = {
  hour: number;
  reason: string;
  count: number;
};

/** Day buckets start at 00:00 Beijing time (UTC+8, no daylight saving) = 16:00 UTC the day before. */
const BEIJING_DAY_OFFSET_MS = 16 * HOUR_MS;
/** The most rows a page of the history may have (the admin API's `limit`). */
export const MAX_PAGE_ROWS = 200;
/** A page's rows per shard: the queries ask for one more than they need, to know whether more follow. */
const MAX_ROWS = MAX_PAGE_ROWS + 1;
/** The most dead letters one list holds. */
export const MAX_DEAD_LETTERS = 500;

/**
 * Each field of a stored payment and its column, in the order the objects have their keys. The
 * INSERT and the SELECT list (`order_key AS "orderKey"`, …) are written from it, so a row comes
 * back from SQLite already as an IndexedPayment, and the compiler sees that every field has a column.
 */
const PAYMENT_COLUMNS = {
  orderKey: 'order_key',
  appId: 'app_id',
  outTradeNo: 'out_trade_no',
  tradeNo: 'trade_no',
  subject: 'subject',
  totalCents: 'total_cents',
  status: 'status',
  refundedCents: 'refunded_cents',
  delivery: 'delivery',
  firstSeenAt: 'first_seen_at',
  paidAt: 'paid_at',
  updatedAt: 'updated_at',
  lastError: 'last_error',
} as const satisfies Record<keyof IndexedPayment, string>;

/** The same for a dead event; `redeliverable` is stored as 0 or 1. */
const DEAD_EVENT_COLUMNS = {
  orderKey: 'order_key',
  eventKey: 'event_key',
  kind: 'kind',
  webhookId: 'webhook_id',
  attempts: 'attempts',
  lastError: 'last_error',
  diedAt: 'died_at',
  redeliverable: 'redeliverable',
} as const satisfies Record<keyof DeadLetter, string>;

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');
const selectList = (columns: Readonly<Record<string, string>>) => Object.entries(columns).map(([field, column]) => `${column} AS "${field}"`).join(', ');
const PAYMENT_SELECT = selectList(PAYMENT_COLUMNS);
/** The upsert's conflict clause: every column but the key takes the pushed value, only when the push is newer. */
const PAYMENT_NEWER_VERSION_WINS = `ON CONFLICT (order_key) DO UPDATE SET ${[...Object.values(PAYMENT_COLUMNS).filter((c) => c !== 'order_key'), 'version']
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')} WHERE excluded.version > payments.version`;
const DEAD_EVENT_SELECT = selectList(DEAD_EVENT_COLUMNS);

/** `INSERT INTO table (columns…, extra…) VALUES (?, …)` and its values: those of `fields` in column order, then `extra`'s. */
function insertOf<F extends string>(
  table: string,
  columns: Readonly<Record<F, string>>,
  fields: Readonly<Record<NoInfer<F>, SqlStorageValue>>,
  extra: Readonly<Record<string, SqlStorageValue>> = {},
): [string, ...SqlStorageValue[]] {
  const order = Object.keys(columns) as F[];
  const names = [...order.map((field) => columns[field]), ...Object.keys(extra)];
  return [`INSERT INTO ${table} (${names.join(', ')}) VALUES (${placeholders(names.length)})`, ...order.map((field) => fields[field]), ...Object.values(extra)];
}

type DeadEventRecord = Omit<DeadLetter, 'redeliverable'> & { redeliverable: number };

const clampLimit = (limit: number, max: number) => Math.max(1, Math.min(Math.floor(limit) || 1, max));
/** The paid amount of the rows matched, in cents; binds PAID_STATUSES (before the WHERE clause's values). */
const PAID_CENTS_SUM = `COALESCE(SUM(CASE WHEN status IN (${placeholders(PAID_STATUSES.length)}) THEN COALESCE(total_cents, 0) ELSE 0 END), 0)`;

export class IndexStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Writes the row unless the index already holds this version or a newer one. Idempotent. */
  upsert(row: IndexRow, version: number): boolean {
    return this.storage.transactionSync(() => {
      // One statement that writes only a newer version, with no SELECT first: an update in place
      // rather than REPLACE's delete and insert (rowsWritten 3 instead of 4 on this table's indexes).
      const [insert, ...values] = insertOf('payments', PAYMENT_COLUMNS, row, { version });
      const written = this.sql.exec(`${insert} ${PAYMENT_NEWER_VERSION_WINS} RETURNING 1`, ...values).toArray().length > 0;
      if (!written) return false;
      this.sql.exec('DELETE FROM dead_events WHERE order_key = ?', row.orderKey);
      for (const dead of row.deadEvents) {
        this.sql.exec(...insertOf('dead_events', DEAD_EVENT_COLUMNS, { ...dead, orderKey: row.orderKey, redeliverable: dead.redeliverable ? 1 : 0 }));
      }
      return true;
    });
  }

  page(query: PageQuery): IndexedPayment[] {
    const where = whereOf(query);
    if (query.before !== null) {
      where.parts.push('(first_seen_at < ? OR (first_seen_at = ? AND order_key < ?))');
      where.args.push(query.before.at, query.before.at, query.before.orderKey);
    }
    return this.sql
      .exec<IndexedPayment>(
        `SELECT ${PAYMENT_SELECT} FROM payments WHERE ${where.parts.join(' AND ')} ORDER BY first_seen_at DESC, order_key DESC LIMIT ?`,
        ...where.args,
        clampLimit(query.limit, MAX_ROWS),
      )
      .toArray();
  }

  totals(filter: PaymentFilter): Totals {
    const where = whereOf(filter);
    const row = this.sql
      .exec<{ count: number; paid: number; refunded: number }>(
        `SELECT COUNT(*) AS count, ${PAID_CENTS_SUM} AS paid, COALESCE(SUM(refunded_cents), 0) AS refunded
         FROM payments WHERE ${where.parts.join(' AND ')}`,
        ...PAID_STATUSES,
        ...where.args,
      )
      .one();
    return { count: row.count, paidCents: row.paid, refundedCents: row.refunded };
  }

  series(from: number, to: number, bucket: Bucket): SeriesPoint[] {
    const [size, offset] = bucket === 'hour' ? [HOUR_MS, 0] : [DAY_MS, BEIJING_DAY_OFFSET_MS];
    // Written into the SQL (code constants, never input): bound parameters arrive as REAL, and
    // integer division is what makes the buckets.
    return this.sql
      .exec<{ start: number; count: number; paid: number }>(
        `SELECT ((first_seen_at - ${offset}) / ${size}) * ${size} + ${offset} AS start, COUNT(*) AS count, ${PAID_CENTS_SUM} AS paid
         FROM payments WHERE out_trade_no IS NOT NULL AND first_seen_at >= ? AND first_seen_at < ?
         GROUP BY start ORDER BY start`,
        ...PAID_STATUSES,
        from,
        to,
      )
      .toArray()
      .map((r) => ({ start: r.start, count: r.count, paidCents: r.paid }));
  }

  byTradeNo(tradeNo: string): IndexedPayment[] {
    return this.sql.exec<IndexedPayment>(`SELECT ${PAYMENT_SELECT} FROM payments WHERE trade_no = ? LIMIT 10`, tradeNo).toArray();
  }

  /** Newest deaths first. */
  deadLetters(limit: number): DeadLetter[] {
    return this.sql
      .exec<DeadEventRecord>(`SELECT ${DEAD_EVENT_SELECT} FROM dead_events ORDER BY died_at DESC, order_key, event_key LIMIT ?`, clampLimit(limit, MAX_DEAD_LETTERS))
      .toArray()
      .map(fromDeadRecord);
  }

  /** Redeliverable events that died at or after `since`, oldest first, and how many there are in all. */
  deadSince(since: number, limit: number): { deadLetters: DeadLetter[]; total: number } {
    const deadLetters = this.sql
      .exec<DeadEventRecord>(
        `SELECT ${DEAD_EVENT_SELECT} FROM dead_events WHERE died_at >= ? AND redeliverable = 1 ORDER BY died_at, order_key, event_key LIMIT ?`,
        since,
        clampLimit(limit, MAX_DEAD_LETTERS),
      )
      .toArray()
      .map(fromDeadRecord);
    const total = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM dead_events WHERE died_at >= ? AND redeliverable = 1', since).one().n;
    return { deadLetters, total };
  }

  addRejections(counts: readonly RejectionCount[]): void {
    this.storage.transactionSync(() => {
      for (const c of counts) {
        this.sql.exec(
          'INSERT INTO rejections (hour, reason, count) VALUES (?, ?, ?) ON CONFLICT (hour, reason) DO UPDATE SET count = count + excluded.count',
          c.hour,
          c.reason,
          c.count,
        );
      }
    });
  }

  rejections(from: number, to: number): RejectionCount[] {
    return this.sql
      .exec<RejectionCount>('SELECT hour, reason, count FROM rejections WHERE hour >= ? AND hour < ? ORDER BY hour, reason', from, to)
      .toArray();
  }
}

function whereOf(filter: PaymentFilter): { parts: string[]; args: SqlStorageValue[] } {
  // Orderless messages are in the index only for the dead-letter view: they are not payments.
  const parts = ['out_trade_no IS NOT NULL', 'first_seen_at >= ?', 'first_seen_at < ?'];
  const args: SqlStorageValue[] = [filter.from, filter.to];
  const oneOf = (column: string, values: readonly string[] | undefined) => {
    if (values === undefined) return;
    // An empty list matches nothing (IN (NULL)), as a filter that allows nothing should.
    parts.push(`${column} IN (${placeholders(values.length) || 'NULL'})`);
    args.push(...values);
  };
  oneOf('status', filter.statuses?.filter((s) => PAYMENT_STATUSES.includes(s)));
  oneOf('delivery', filter.deliveries?.filter((d) => DELIVERY_STATES.includes(d)));
  return { parts, args };
}

function fromDeadRecord(r: DeadEventRecord): DeadLetter {
  return { ...r, redeliverable: r.redeliverable === 1 };
}
