// The ledger's outbox to the payments index. The ledger stays the only source of truth; the
// index holds a summary row per order, written from here.
//
// "Index owed" is a version counter in the ledger's own SQLite, bumped by triggers
// (index-outbox-schema.ts) in the same transaction as every change the row shows: a new
// notification, a new event, an event's visible state or error, a purged body. No write path,
// present or future, can change the ledger without owing the index. The ledger's one alarm pushes
// the row (pushDue), tagged with the version it was built from; the index keeps the newest
// version, so a late or repeated push never overwrites a newer one. A push that fails is retried
// with backoff; an unreachable index delays the row, never a notification's answer.
import type { EventKind } from '../alipay/types';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { indexNameFor } from '../payments/index-name';
import { paymentsIndex } from '../payments/index-stub';
import { summarizeOrder, type EventFacts, type NotificationFacts } from '../payments/summarize';
import type { IndexRow } from '../payments/types';
import type { EventState } from './ledger-types';
import { HOUR_MS } from '../utils/duration';

const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = HOUR_MS;

type OutboxRecord = { version: number; pushed_version: number; index_name: string | null; retry_at: number | null; failures: number };

type NotificationRecord = {
  event_key: string;
  trade_status: string | null;
  received_at: number;
  trade_no: string | null;
  subject: string | null;
  total_amount: string | null;
  refund_fee: string | null;
  gmt_payment: string | null;
};

type EventRecord = {
  event_key: string;
  kind: EventKind;
  state: EventState;
  webhook_id: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  dead_at: number | null;
  has_body: number;
};

export class IndexOutbox {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: GatewayEnv,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private state(): OutboxRecord | null {
    return this.sql.exec<OutboxRecord>('SELECT version, pushed_version, index_name, retry_at, failures FROM index_outbox').toArray()[0] ?? null;
  }

  /** When the index is owed a push (now, or after a failed push's backoff); null when it is up to date. */
  dueAt(now: number): number | null {
    const state = this.state();
    if (state === null || state.version <= state.pushed_version) return null;
    return state.retry_at ?? now;
  }

  /** The order's row as it stands now, or null before the first notification. */
  row(): IndexRow | null {
    const info = this.sql
      .exec<{ order_key: string; app: string; out_trade_no: string | null; created_at: number }>('SELECT order_key, app, out_trade_no, created_at FROM order_info')
      .toArray()[0];
    if (info === undefined) return null;
    const notifications = this.sql
      .exec<NotificationRecord>('SELECT event_key, trade_status, received_at, trade_no, subject, total_amount, refund_fee, gmt_payment FROM notifications')
      .toArray()
      .map(
        (n): NotificationFacts => ({
          eventKey: n.event_key,
          tradeStatus: n.trade_status,
          receivedAt: n.received_at,
          tradeNo: n.trade_no,
          subject: n.subject,
          totalAmount: n.total_amount,
          refundFee: n.refund_fee,
          gmtPayment: n.gmt_payment,
        }),
      );
    const events = this.sql
      .exec<EventRecord>(
        `SELECT e.event_key, e.kind, e.state, e.webhook_id, e.attempts, e.last_error, e.created_at, e.delivered_at, e.dead_at,
           EXISTS (SELECT 1 FROM notifications n WHERE n.notify_id = e.notify_id AND n.raw_body IS NOT NULL) AS has_body
         FROM events e`,
      )
      .toArray()
      .map(
        (e): EventFacts => ({
          eventKey: e.event_key,
          kind: e.kind,
          state: e.state,
          webhookId: e.webhook_id,
          attempts: e.attempts,
          lastError: e.last_error,
          createdAt: e.created_at,
          deliveredAt: e.delivered_at,
          deadAt: e.dead_at,
          redeliverable: e.has_body === 1,
        }),
      );
    const lastAttemptAt = this.sql.exec<{ t: number | null }>('SELECT MAX(started_at) AS t FROM attempts').one().t;
    const asking = this.sql.exec<{ expected_cents: number | null; state: string }>('SELECT expected_cents, state FROM reconcile').toArray()[0];
    return summarizeOrder({
      orderKey: info.order_key,
      app: info.app,
      outTradeNo: info.out_trade_no,
      createdAt: info.created_at,
      notifications,
      events,
      lastAttemptAt,
      expectedCents: asking?.expected_cents ?? null,
      askingEnded: asking?.state === 'closed' || asking?.state === 'expired' ? asking.state : null,
    });
  }

  /**
   * Whether the payments index lists this order: Alipay told of it (a notification, or a payment
   * found by asking), or the site registered it. An order known only because somebody asked
   * Alipay about it (an operator's mistyped number, a status page of an order the site never
   * registered) and Alipay knew no payment is not a payment: listed, it would sit in the history and
   * the totals as waiting. Its ledger still shows what was asked and answered.
   */
  listable(): boolean {
    return (
      this.sql
        .exec<{ listed: number }>(
          `SELECT EXISTS (SELECT 1 FROM notifications) OR EXISTS (SELECT 1 FROM events)
             OR EXISTS (SELECT 1 FROM reconcile WHERE registered_at IS NOT NULL) AS listed`,
        )
        .one().listed === 1
    );
  }

  /**
   * Pushes the row if the index is owed one and its time has come (`force`: regardless of a
   * backoff, for an operator waiting on the answer). Never throws: a failure is logged and
   * retried later through dueAt.
   */
  async push(shards: number, now: number, force = false): Promise<void> {
    const state = this.state();
    if (state === null || state.version <= state.pushed_version) return;
    if (!force && state.retry_at !== null && state.retry_at > now) return;
    const row = this.row();
    if (row === null) return;
    const version = state.version;
    if (!this.listable()) {
      // Nothing to list yet: owed nothing until the order has something to show (a later change bumps the version again).
      this.sql.exec('UPDATE index_outbox SET pushed_version = MAX(pushed_version, ?), retry_at = NULL, failures = 0', version);
      return;
    }
    let name = state.index_name;
    if (name === null) {
      // Fixed at the first push: raising INDEX_SHARDS later never moves an order to another shard.
      name = indexNameFor(row.orderKey, row.firstSeenAt, shards);
      this.sql.exec('UPDATE index_outbox SET index_name = ?', name);
    }
    try {
      await paymentsIndex(this.env, name).upsert(row, version);
      this.sql.exec('UPDATE index_outbox SET pushed_version = MAX(pushed_version, ?), retry_at = NULL, failures = 0', version);
    } catch (error) {
      const failures = state.failures + 1;
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
      // Only while this version is still owed: a push that overlapped this one (an operator's,
      // forced) may have delivered it meanwhile, and its success must not be followed by a backoff.
      this.sql.exec('UPDATE index_outbox SET retry_at = ?, failures = ? WHERE pushed_version < ?', Date.now() + delay, failures, version);
      logLine({ level: 'warn', msg: 'payments index unreachable; the row will be pushed later', order: row.orderKey, index: name, failures, error });
    }
  }
}
