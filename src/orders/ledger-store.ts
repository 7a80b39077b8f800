// All SQL of one order's ledger. Synchronous on purpose: SQLite in a Durable Object is local,
// and a method that never awaits cannot be interleaved with another request.
import { parseAmountCents } from '../alipay/amount';
import type { Charset, ContentRule, EventKind, SignType } from '../alipay/types';
import type { EventSource } from '../delivery/payload';
import type { AcceptInput, AttemptView, Duplicate, EventState, EventView, LedgerSnapshot, NotificationSource, NotificationView } from './ledger-types';
import type { QueryEvent } from './query-event';

export interface EventRow {
  event_key: string;
  kind: EventKind;
  notify_id: string;
  webhook_id: string;
  state: EventState;
  attempts: number;
  cycle_attempts: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  dead_at: number | null;
  /** Unused since schema version 2: the index outbox replaced the dead-letter index. */
  dead_indexed: number;
}

interface NotificationRow {
  notify_id: string;
  event_key: string;
  received_at: number;
  last_seen_at: number;
  resends: number;
  notify_time: string | null;
  notify_type: string | null;
  trade_status: string | null;
  sign_type: string;
  content_rule: string;
  key_fingerprint: string | null;
  charset: string;
  content_type: string | null;
  body_bytes: number;
  raw_body: ArrayBuffer | null;
  params_json: string | null;
  body_purged_at: number | null;
  source: NotificationSource;
  trade_no: string | null;
  subject: string | null;
  total_amount: string | null;
}

interface OrderInfoRow {
  order_key: string;
  app: string;
  out_trade_no: string | null;
  created_at: number;
}

/** An event claimed for one attempt: everything a payload needs, read in the claiming transaction. */
export interface ClaimedEvent {
  eventKey: string;
  kind: EventKind;
  source: EventSource;
  notifyId: string;
  webhookId: string;
  attempt: number;
  cycleAttempt: number;
  signType: SignType;
  contentRule: ContentRule | 'query-answer';
  charset: Charset;
  rawBody: Uint8Array;
  params: Record<string, string>;
}

/** A payment found by asking Alipay, as recordQueryPayment takes it. */
export interface QueryPayment extends QueryEvent {
  readonly tradeNo: string;
  readonly tradeStatus: string;
  readonly totalAmount: string;
  readonly sendPayDate: string | null;
  /** First 16 hex characters of the key that verified the answer. */
  readonly keyFingerprint: string;
  readonly forward: boolean;
}

/** The notify_id a query's answer is recorded under: no notification can have it (the core refuses a space in notify_id). */
export function queryNotifyId(tradeNo: string): string {
  return `query ${tradeNo}`;
}

/** An amount that is not the one the site registered: why the event is held, in the words of its last_error. */
export function amountMismatch(expectedCents: number | null, paidAmount: string | null | undefined): string | null {
  if (expectedCents === null) return null;
  const paid = paidAmount ? parseAmountCents(paidAmount) : null;
  if (paid !== null && Number(paid) === expectedCents) return null;
  const expected = `${Math.floor(expectedCents / 100)}.${String(expectedCents % 100).padStart(2, '0')}`;
  return `amount-mismatch: the site registered ${expected}, Alipay says ${paidAmount || 'no amount'}; held until an operator releases or refuses it`;
}

export type ClaimResult =
  | { ok: true; claimed: ClaimedEvent }
  | { ok: false; reason: 'unknown-event' | 'not-due' | 'body-purged'; state: EventState | null };

export interface AttemptRecord {
  eventKey: string;
  attempt: number;
  startedAt: number;
  durationMs: number | null;
  status: number | null;
  outcome: string;
  excerpt: string | null;
  retryAfterMs: number | null;
}

/** What an attempt leaves the event as. */
export type NextState =
  | { state: 'delivered'; at: number }
  | { state: 'pending'; nextAttemptAt: number; lastError: string }
  | { state: 'dead'; at: number; lastError: string };

/** Bodies of events still owed to the origin (or held for an operator) are kept whatever their age: they are what gets sent. */
const OWED_STATES = `('pending', 'delivering', 'held')`;
// A dead event's body is what its redelivery sends: kept for the retention period after it died,
// not after it was received (an event can die more than 30 days after its notification came).
const PURGEABLE = `raw_body IS NOT NULL AND received_at < ?1
  AND notify_id NOT IN (SELECT notify_id FROM events WHERE state IN ${OWED_STATES} OR (state = 'dead' AND dead_at >= ?1))`;

export class LedgerStore {
  /** Re-sends counted but not written yet, by notify_id (see countResend). */
  private readonly unflushedResends = new Map<string, { count: number; lastSeenAt: number }>();

  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  orderInfo(): OrderInfoRow | null {
    const row = this.sql.exec('SELECT order_key, app, out_trade_no, created_at FROM order_info').toArray()[0];
    return (row as OrderInfoRow | undefined) ?? null;
  }

  event(key: string): EventRow | null {
    return (this.sql.exec('SELECT * FROM events WHERE event_key = ?', key).toArray()[0] as EventRow | undefined) ?? null;
  }

  /** `paid` or `closed` when the order's trade is settled (nothing more to ask Alipay); null otherwise. */
  settledKind(): 'paid' | 'closed' | null {
    if (this.event('paid') !== null) return 'paid';
    if (this.event('closed') !== null) return 'closed';
    return null;
  }

  eventKeys(): { key: string; state: EventState }[] {
    return this.sql
      .exec<{ event_key: string; state: EventState }>('SELECT event_key, state FROM events ORDER BY created_at, event_key')
      .toArray()
      .map((r) => ({ key: r.event_key, state: r.state }));
  }

  /**
   * A re-send: the event of an already recorded notify_id, or null for a notification not seen
   * before. A read only: answering a re-send needs no durable write (see countResend).
   */
  recordedEventOf(notifyId: string): EventRow | null {
    const row = this.sql.exec('SELECT e.* FROM notifications n JOIN events e ON e.event_key = n.event_key WHERE n.notify_id = ?', notifyId).toArray()[0];
    return (row as EventRow | undefined) ?? null;
  }

  /** Whether an event is already recorded under this key (then its webhook-id exists and need not be derived). */
  hasEvent(key: string): boolean {
    return this.sql.exec('SELECT 1 FROM events WHERE event_key = ?', key).toArray().length > 0;
  }

  /**
   * Counts a re-send (or `copies` of them) in memory only. Alipay re-sends a notification up to 8
   * times and a storm of copies can arrive at once; a durable write per copy would make every copy
   * wait for its own write before `success`. The count is written with the next write of this
   * store (every write method below flushes first) or by the ledger's flush soon after; a crash
   * may lose a count, never a notification (the notification itself was recorded durably before).
   */
  countResend(notifyId: string, now: number, copies = 1): void {
    const pending = this.unflushedResends.get(notifyId);
    if (pending) {
      pending.count += copies;
      pending.lastSeenAt = Math.max(pending.lastSeenAt, now);
    } else {
      this.unflushedResends.set(notifyId, { count: copies, lastSeenAt: now });
    }
  }

  get hasUnflushedResends(): boolean {
    return this.unflushedResends.size > 0;
  }

  /** Writes the re-sends counted in memory. Part of any write transaction it is called in. */
  flushResends(): void {
    for (const [notifyId, { count, lastSeenAt }] of this.unflushedResends) {
      this.sql.exec(
        'UPDATE notifications SET resends = resends + ?, last_seen_at = MAX(last_seen_at, ?) WHERE notify_id = ?',
        count,
        lastSeenAt,
        notifyId,
      );
    }
    this.unflushedResends.clear();
  }

  /**
   * Records a notification whose notify_id is not recorded yet (the caller has just checked,
   * with no await since), deduping by event key: a new notification for something already
   * recorded (e.g. TRADE_FINISHED after TRADE_SUCCESS) adds its row but no event.
   * `webhookId` is needed only when the event is new.
   */
  record(input: AcceptInput, webhookId: string | null, now: number, expectedCents: number | null = null): { duplicate: Duplicate; event: EventRow } {
    return this.storage.transactionSync(() => {
      this.flushResends();
      // The first notification names the object; later ones leave that row as it is.
      this.sql.exec(
        'INSERT OR IGNORE INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)',
        input.orderKey,
        input.app,
        input.outTradeNo,
        now,
      );
      const p = input.params;
      this.sql.exec(
        `INSERT INTO notifications (notify_id, event_key, received_at, last_seen_at, notify_time, notify_type, trade_status,
           sign_type, content_rule, charset, content_type, body_bytes, raw_body, params_json,
           key_fingerprint, trade_no, subject, total_amount, refund_fee, gmt_payment)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        input.notifyId,
        input.event.key,
        now,
        now,
        p['notify_time'] ?? null,
        p['notify_type'] ?? null,
        p['trade_status'] ?? null,
        input.signType,
        input.contentRule,
        input.charset,
        input.contentType,
        input.rawBody.byteLength,
        // Its own ArrayBuffer: an RPC-delivered Uint8Array may be a view into a larger buffer.
        input.rawBody.slice().buffer,
        JSON.stringify(p),
        // Kept when the body is purged: the index row and the order page are built from these.
        input.keyFingerprint,
        p['trade_no'] || null,
        p['subject'] || null,
        p['total_amount'] || p['total_fee'] || null,
        p['refund_fee'] || null,
        p['gmt_payment'] || null,
      );
      const existing = this.event(input.event.key);
      if (existing) return { duplicate: 'event', event: existing };
      if (webhookId === null) throw new Error('a new event needs its webhook-id');
      const mismatch = input.event.kind === 'paid' && input.forward ? amountMismatch(expectedCents, p['total_amount'] || p['total_fee']) : null;
      const event = this.insertEvent(input.event.key, input.event.kind, input.notifyId, webhookId, input.forward, mismatch, now);
      this.endAsking(input.event.kind);
      return { duplicate: null, event };
    });
  }

  /** A new event: owed now (pending), recorded only, or held for an operator (an amount that is not the registered one). */
  private insertEvent(key: string, kind: EventKind, notifyId: string, webhookId: string, forward: boolean, heldFor: string | null, now: number): EventRow {
    const state: EventState = !forward ? 'recorded' : heldFor !== null ? 'held' : 'pending';
    const inserted = this.sql.exec(
      `INSERT INTO events (event_key, kind, notify_id, webhook_id, state, next_attempt_at, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      key,
      kind,
      notifyId,
      webhookId,
      state,
      state === 'pending' ? now : null,
      heldFor,
      now,
    );
    return inserted.toArray()[0] as unknown as EventRow;
  }

  /** A paid or closed trade needs no more asking (the reconcile table exists from ledger schema version 3). */
  private endAsking(kind: EventKind): void {
    if (kind !== 'paid' && kind !== 'closed') return;
    this.sql.exec("UPDATE reconcile SET state = ?, next_query_at = NULL WHERE state IN ('asking', 'idle')", kind);
  }

  /**
   * A payment found by asking Alipay: recorded like a notification (notify_id "query <trade_no>"),
   * as the order's `paid` event, unless a notification recorded it meanwhile (then null: nothing
   * new; the origin hears `paid` once). Held like a notification's when the amount is not the registered one.
   */
  recordQueryPayment(found: QueryPayment, webhookId: string, now: number): EventRow | null {
    return this.storage.transactionSync(() => {
      this.flushResends();
      if (this.event(found.event.key) !== null) {
        this.endAsking('paid');
        return null;
      }
      const notifyId = queryNotifyId(found.tradeNo);
      this.sql.exec(
        `INSERT OR IGNORE INTO notifications (notify_id, event_key, received_at, last_seen_at, notify_type, trade_status,
           sign_type, content_rule, charset, content_type, body_bytes, raw_body, params_json,
           key_fingerprint, trade_no, total_amount, gmt_payment, source)
         VALUES (?, ?, ?, ?, NULL, ?, 'RSA2', 'query-answer', 'utf-8', NULL, ?, ?, ?, ?, ?, ?, ?, 'query')`,
        notifyId,
        found.event.key,
        now,
        now,
        found.tradeStatus,
        found.rawBody.byteLength,
        found.rawBody.slice().buffer,
        JSON.stringify(found.params),
        found.keyFingerprint,
        found.tradeNo,
        found.totalAmount,
        found.sendPayDate,
      );
      const expected = (this.sql.exec<{ c: number | null }>('SELECT expected_cents AS c FROM reconcile').toArray()[0]?.c ?? null);
      const mismatch = found.forward ? amountMismatch(expected, found.totalAmount) : null;
      const event = this.insertEvent(found.event.key, found.event.kind, notifyId, webhookId, found.forward, mismatch, now);
      this.endAsking('paid');
      return event;
    });
  }

  /** Events owed to the origin (pending), due or not: what the delivery gate reserves slots for. */
  pendingCount(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM events WHERE state = 'pending'`).one().n;
  }

  /** Owed events wait (a hold): their time moves on, no attempt is spent. */
  postpone(keys: readonly string[], until: number): void {
    this.storage.transactionSync(() => {
      this.flushResends();
      for (const key of keys) this.sql.exec(`UPDATE events SET next_attempt_at = ? WHERE event_key = ? AND state = 'pending'`, until, key);
    });
  }

  /**
   * After a hold: the owed events (due before `dueBefore`) go out at the slots the gate handed out,
   * `spacingMs` apart from `firstSlotAt`, at most `slots` of them; returns how many were placed.
   */
  placeInSlots(dueBefore: number, firstSlotAt: number, spacingMs: number, slots: number): number {
    return this.storage.transactionSync(() => {
      this.flushResends();
      const keys = this.sql
        .exec<{ event_key: string }>(
          `SELECT event_key FROM events WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, event_key LIMIT ?`,
          dueBefore,
          slots,
        )
        .toArray()
        .map((r) => r.event_key);
      keys.forEach((key, i) => this.sql.exec('UPDATE events SET next_attempt_at = ? WHERE event_key = ?', Math.round(firstSlotAt + i * spacingMs), key));
      return keys.length;
    });
  }

  /** An operator's answer to a held payment: release it (owed now) or refuse it (never forwarded). */
  resolveHeld(key: string, decision: 'release' | 'refuse', now: number): EventRow | null {
    return this.storage.transactionSync(() => {
      this.flushResends();
      const event = this.event(key);
      if (event === null || event.state !== 'held') return null;
      if (decision === 'release') {
        this.sql.exec(`UPDATE events SET state = 'pending', next_attempt_at = ?, last_error = NULL WHERE event_key = ?`, now, key);
      } else {
        this.sql.exec(`UPDATE events SET state = 'refused', next_attempt_at = NULL, last_error = ? WHERE event_key = ?`, `refused by an operator (${event.last_error ?? 'held'})`.slice(0, 300), key);
      }
      return this.event(key);
    });
  }

  /** Whether the body this event forwards is still stored (not purged). */
  hasBody(key: string): boolean {
    return (
      this.sql
        .exec(`SELECT 1 FROM events e JOIN notifications n ON n.notify_id = e.notify_id WHERE e.event_key = ? AND n.raw_body IS NOT NULL`, key)
        .toArray().length > 0
    );
  }

  /**
   * Marks the event `delivering` and counts the attempt BEFORE the request leaves: the output
   * gate holds the request until this write is durable, and any later caller sees the claim.
   * `due`: only a pending event whose time has come; `now`: any pending event (a re-send in
   * after-delivery mode, or a redelivery that was just reset).
   */
  claim(key: string, mode: 'due' | 'now', now: number, leaseMs: number): ClaimResult {
    return this.storage.transactionSync((): ClaimResult => {
      this.flushResends();
      const event = this.event(key);
      if (!event) return { ok: false, reason: 'unknown-event', state: null };
      if (event.state !== 'pending' || (mode === 'due' && (event.next_attempt_at ?? Infinity) > now)) {
        return { ok: false, reason: 'not-due', state: event.state };
      }
      const source = this.sql
        .exec<Pick<NotificationRow, 'raw_body' | 'params_json' | 'sign_type' | 'content_rule' | 'charset' | 'source'>>(
          'SELECT raw_body, params_json, sign_type, content_rule, charset, source FROM notifications WHERE notify_id = ?',
          event.notify_id,
        )
        .toArray()[0];
      if (!source || source.raw_body === null || source.params_json === null) {
        return { ok: false, reason: 'body-purged', state: event.state };
      }
      this.sql.exec(
        `UPDATE events SET state = 'delivering', attempts = attempts + 1, cycle_attempts = cycle_attempts + 1,
           lease_until = ?, next_attempt_at = NULL WHERE event_key = ?`,
        now + leaseMs,
        key,
      );
      return {
        ok: true,
        claimed: {
          eventKey: key,
          kind: event.kind,
          source: source.source,
          notifyId: source.source === 'query' ? '' : event.notify_id,
          webhookId: event.webhook_id,
          attempt: event.attempts + 1,
          cycleAttempt: event.cycle_attempts + 1,
          signType: source.sign_type as SignType,
          contentRule: source.content_rule as ContentRule | 'query-answer',
          charset: source.charset as Charset,
          rawBody: new Uint8Array(source.raw_body),
          params: JSON.parse(source.params_json) as Record<string, string>,
        },
      };
    });
  }

  finishAttempt(record: AttemptRecord, next: NextState): void {
    this.storage.transactionSync(() => {
      this.flushResends();
      this.sql.exec(
        `INSERT INTO attempts (event_key, attempt, started_at, duration_ms, status, outcome, excerpt, retry_after_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        record.eventKey,
        record.attempt,
        record.startedAt,
        record.durationMs,
        record.status,
        record.outcome,
        record.excerpt,
        record.retryAfterMs,
      );
      if (next.state === 'delivered') {
        this.sql.exec(
          `UPDATE events SET state = 'delivered', delivered_at = ?, lease_until = NULL, next_attempt_at = NULL, last_error = NULL
           WHERE event_key = ?`,
          next.at,
          record.eventKey,
        );
      } else if (next.state === 'pending') {
        this.sql.exec(
          `UPDATE events SET state = 'pending', next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE event_key = ?`,
          next.nextAttemptAt,
          next.lastError,
          record.eventKey,
        );
      } else {
        this.sql.exec(
          `UPDATE events SET state = 'dead', dead_at = ?, lease_until = NULL, next_attempt_at = NULL, last_error = ?
           WHERE event_key = ?`,
          next.at,
          next.lastError,
          record.eventKey,
        );
      }
    });
  }

  /** An operator's redelivery: a fresh retry cycle starting now, whatever the state was. */
  resetForRedelivery(key: string, now: number): void {
    this.sql.exec(
      `UPDATE events SET state = 'pending', cycle_attempts = 0, next_attempt_at = ?, lease_until = NULL WHERE event_key = ?`,
      now,
      key,
    );
  }

  /** `delivering` rows nobody in this instance is working on: their attempt died with a previous instance. */
  strandedDeliveries(inFlight: ReadonlySet<string>): EventRow[] {
    const rows = this.sql.exec(`SELECT * FROM events WHERE state = 'delivering'`).toArray() as unknown as EventRow[];
    return rows.filter((r) => !inFlight.has(r.event_key));
  }

  dueEventKeys(now: number): string[] {
    return this.sql
      .exec<{ event_key: string }>(`SELECT event_key FROM events WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at`, now)
      .toArray()
      .map((r) => r.event_key);
  }

  /** Clears bodies older than the cutoff; the rows (and so dedupe) stay. Returns how many were purged. */
  purgeBodies(receivedBefore: number, now: number): number {
    return this.sql.exec(`UPDATE notifications SET raw_body = NULL, params_json = NULL, body_purged_at = ?2 WHERE ${PURGEABLE}`, receivedBefore, now)
      .rowsWritten;
  }

  /** The earliest time this object owes work to its own tables: a retry, a lease running out, a purge (the index outbox adds its own). */
  nextWakeAt(retentionMs: number): number | null {
    const times = this.sql
      .exec<{ t: number | null }>(
        `SELECT MIN(next_attempt_at) AS t FROM events WHERE state = 'pending'
         UNION ALL SELECT MIN(lease_until) FROM events WHERE state = 'delivering'
         UNION ALL SELECT MIN(MAX(n.received_at, COALESCE(e.dead_at, 0))) + ? FROM notifications n
           LEFT JOIN events e ON e.notify_id = n.notify_id AND e.state = 'dead'
           WHERE n.raw_body IS NOT NULL
           AND n.notify_id NOT IN (SELECT notify_id FROM events WHERE state IN ${OWED_STATES})`,
        retentionMs,
      )
      .toArray()
      .map((r) => r.t)
      .filter((t): t is number => t !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  snapshot(): LedgerSnapshot | null {
    const info = this.orderInfo();
    if (info === null) return null;
    const notifications = (this.sql.exec('SELECT * FROM notifications ORDER BY received_at, notify_id').toArray() as unknown as NotificationRow[]).map(
      (n): NotificationView => ({
        notifyId: n.notify_id,
        source: n.source,
        eventKey: n.event_key,
        receivedAt: iso(n.received_at),
        lastSeenAt: iso(n.last_seen_at),
        resends: n.resends,
        notifyTime: n.notify_time,
        notifyType: n.notify_type,
        tradeStatus: n.trade_status,
        signType: n.sign_type,
        contentRule: n.content_rule,
        keyFingerprint: n.key_fingerprint,
        charset: n.charset,
        contentType: n.content_type,
        bodyBytes: n.body_bytes,
        params: n.params_json === null ? null : (JSON.parse(n.params_json) as Record<string, string>),
        bodyPurgedAt: isoOrNull(n.body_purged_at),
        facts: { tradeNo: n.trade_no, subject: n.subject, totalAmount: n.total_amount },
      }),
    );
    const events = (this.sql.exec('SELECT * FROM events ORDER BY created_at, event_key').toArray() as unknown as EventRow[]).map(
      (e): EventView => ({
        eventKey: e.event_key,
        kind: e.kind,
        notifyId: e.notify_id,
        webhookId: e.webhook_id,
        state: e.state,
        attempts: e.attempts,
        nextAttemptAt: isoOrNull(e.next_attempt_at),
        lastError: e.last_error,
        createdAt: iso(e.created_at),
        deliveredAt: isoOrNull(e.delivered_at),
        deadAt: isoOrNull(e.dead_at),
      }),
    );
    const attempts = (
      this.sql.exec('SELECT * FROM attempts ORDER BY id').toArray() as unknown as {
        event_key: string;
        attempt: number;
        started_at: number;
        duration_ms: number | null;
        status: number | null;
        outcome: string;
        excerpt: string | null;
        retry_after_ms: number | null;
      }[]
    ).map(
      (a): AttemptView => ({
        eventKey: a.event_key,
        attempt: a.attempt,
        startedAt: iso(a.started_at),
        durationMs: a.duration_ms,
        status: a.status,
        outcome: a.outcome,
        excerpt: a.excerpt,
        retryAfterMs: a.retry_after_ms,
      }),
    );
    return { orderKey: info.order_key, app: info.app, outTradeNo: info.out_trade_no, createdAt: iso(info.created_at), notifications, events, attempts };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
