// The SQL of asking Alipay about one order (the `reconcile` table, reconcile-schema.ts).
// Synchronous, like ledger-store.ts, and every write goes through the ledger store's
// transaction helper, so re-send counts held in memory are written with it.
import type { LedgerStore } from './ledger-store';

/**
 * asking: a query is scheduled. paid / closed: Alipay's answer (or a notification) ended it.
 * expired: past the order's expiry. idle: nothing scheduled (the schedule ran out, or asking
 * Alipay is not configured and only the expected amount is kept).
 */
export type ReconcileState = 'asking' | 'paid' | 'closed' | 'expired' | 'idle';

/** Who started (or hurried) asking: the site registered the order, the buyer came back or keeps looking, an operator, the cron sweep. */
export type ReconcileTrigger = 'registered' | 'return' | 'status' | 'operator' | 'sweep';

export interface ReconcileRow {
  state: ReconcileState;
  started_at: number;
  first_trigger: ReconcileTrigger;
  expected_amount: string | null;
  expected_cents: number | null;
  expires_at: number | null;
  registered_at: number | null;
  scheduled_done: number;
  schedule_since: number;
  next_query_at: number | null;
  lease_until: number | null;
  queries: number;
  asked_by_buyer: number;
  last_query_at: number | null;
  last_outcome: string | null;
  last_error: string | null;
  failures: number;
}

/** What one query ended as, and what comes next. */
export interface QueryFinish {
  readonly at: number;
  readonly outcome: string;
  readonly error: string | null;
  readonly state: ReconcileState;
  readonly nextQueryAt: number | null;
  /**
   * Whether this was the schedule's own query: only that one moves RECONCILE_SCHEDULE on. One
   * somebody hurried (the buyer, the sweep, an operator) or a retry after a failure does not, so
   * asking for news cannot use the schedule up.
   */
  readonly counted: boolean;
}

export class ReconcileStore {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly ledger: LedgerStore,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  row(): ReconcileRow | null {
    return (this.sql.exec('SELECT * FROM reconcile').toArray()[0] as ReconcileRow | undefined) ?? null;
  }

  /** The order's registered amount in cents, if the site registered it. */
  expectedCents(): number | null {
    return this.row()?.expected_cents ?? null;
  }

  /**
   * Starts asking (no row yet), or asks again for an order whose asking stopped without an answer
   * (the schedule ran out): an operator, the buyer or the sweep wants to know. `nextQueryAt` null:
   * the row only records (reconciliation is not configured). Paid, closed and expired orders are left as they are.
   */
  start(trigger: ReconcileTrigger, now: number, nextQueryAt: number | null, order: { app: string; orderKey: string; outTradeNo: string }): void {
    this.write(() => {
      this.sql.exec(
        'INSERT OR IGNORE INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)',
        order.orderKey,
        order.app,
        order.outTradeNo,
        now,
      );
      const row = this.row();
      if (row === null) {
        this.sql.exec(
          'INSERT INTO reconcile (id, state, started_at, first_trigger, schedule_since, next_query_at) VALUES (1, ?, ?, ?, ?, ?)',
          nextQueryAt === null ? 'idle' : 'asking',
          now,
          trigger,
          now,
          nextQueryAt,
        );
      } else if (nextQueryAt !== null && row.state === 'idle') {
        this.sql.exec("UPDATE reconcile SET state = 'asking', next_query_at = ? WHERE id = 1", nextQueryAt);
      } else if (nextQueryAt !== null && row.state === 'expired' && trigger === 'registered') {
        // The site registers an expired order again with a new expiry (the buyer came back to
        // pay): its schedule starts over.
        this.sql.exec("UPDATE reconcile SET state = 'asking', next_query_at = ?, scheduled_done = 0, schedule_since = ? WHERE id = 1", nextQueryAt, now);
      } else if (nextQueryAt !== null && row.state === 'asking' && trigger !== 'registered') {
        // Hurried by somebody who wants to know. Registering the order again does not hurry it: a
        // page that registers on every render would otherwise bring a query every time.
        const at = row.next_query_at !== null ? Math.min(row.next_query_at, nextQueryAt) : nextQueryAt;
        this.sql.exec('UPDATE reconcile SET next_query_at = ? WHERE id = 1', at);
      }
    });
  }

  /** The site's registration: what to expect and until when. The latest registration wins. */
  register(amount: string, cents: number, expiresAt: number, now: number): void {
    this.write(() => {
      this.sql.exec('UPDATE reconcile SET expected_amount = ?, expected_cents = ?, expires_at = ?, registered_at = ?', amount, cents, expiresAt, now);
    });
  }

  /** Counts a query the buyer's return or status page asked for (a page left open does not ask forever). */
  countBuyerAsk(): void {
    this.write(() => {
      this.sql.exec('UPDATE reconcile SET asked_by_buyer = asked_by_buyer + 1 WHERE id = 1');
    });
  }

  /**
   * Claims the query BEFORE the request leaves, like a delivery: counted, leased, so a second
   * caller (another trigger, the alarm, an instance after an eviction) sees it and waits.
   * `force`: an operator's question, whatever the schedule says (but never two at once).
   */
  claim(now: number, leaseMs: number, force: boolean): ReconcileRow | null {
    return this.write(() => {
      const row = this.row();
      if (row === null || (row.lease_until !== null && row.lease_until > now)) return null;
      // A lease that ran out is a query cut off with a previous instance: due again at once.
      const cutOff = row.lease_until !== null;
      if (!force && (row.state !== 'asking' || (!cutOff && (row.next_query_at === null || row.next_query_at > now)))) return null;
      this.sql.exec('UPDATE reconcile SET lease_until = ?, queries = queries + 1, last_query_at = ? WHERE id = 1', now + leaseMs, now);
      return { ...row, lease_until: now + leaseMs, queries: row.queries + 1, last_query_at: now };
    });
  }

  finish(f: QueryFinish): void {
    this.write(() => {
      this.sql.exec(
        // A notification may have ended the asking while the query was out: paid and closed stay.
        `UPDATE reconcile SET lease_until = NULL, last_outcome = ?, last_error = ?,
           state = CASE WHEN state IN ('paid', 'closed') THEN state ELSE ? END,
           next_query_at = CASE WHEN state IN ('paid', 'closed') THEN NULL ELSE ? END,
           failures = CASE WHEN ? IS NULL THEN 0 ELSE failures + 1 END,
           scheduled_done = scheduled_done + ?, schedule_since = CASE WHEN ? THEN ? ELSE schedule_since END
         WHERE id = 1`,
        f.outcome,
        f.error,
        f.state,
        f.nextQueryAt,
        f.error,
        f.counted ? 1 : 0,
        f.counted ? 1 : 0,
        f.at,
      );
    });
  }

  /**
   * Nothing more to ask (asking Alipay is not configured, or this order's app cannot be asked
   * about): the row stays, idle. A query still out keeps its lease; one cut off loses it.
   */
  stopAsking(now: number): void {
    this.write(() => {
      this.sql.exec(
        `UPDATE reconcile SET lease_until = NULL,
           state = CASE WHEN state = 'asking' THEN 'idle' ELSE state END,
           next_query_at = CASE WHEN state = 'asking' THEN NULL ELSE next_query_at END
         WHERE lease_until IS NULL OR lease_until <= ?`,
        now,
      );
    });
  }

  /**
   * When this order next owes a query: the end of a query's lease while one is out; at once when a
   * query was cut off with a previous instance and the order is still asking; else its schedule.
   * A cut-off query of an order no longer asking (a notification said paid meanwhile) owes nothing:
   * returning its past lease would bring the alarm back at once, for ever.
   */
  dueAt(now = Date.now()): number | null {
    const row = this.row();
    if (row === null) return null;
    if (row.lease_until !== null && row.lease_until > now) return row.lease_until;
    if (row.state !== 'asking') return null;
    return row.lease_until !== null ? now : row.next_query_at;
  }

  private write<T>(work: () => T): T {
    return this.storage.transactionSync(() => {
      this.ledger.flushResends();
      return work();
    });
  }
}
