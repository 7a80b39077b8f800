// OrderLedger: one SQLite-backed Durable Object per order. It is the lock for its order: every
// notification about the order goes through it, it dedupes and records them, and it owes each
// forwarded event to the origin until the origin has it (alarm-driven retries, then dead-letter).
import { DurableObject } from 'cloudflare:workers';
import { alertDesk } from '../alerts/desk-stub';
import type { Alert } from '../alerts/types';
import { loadConfig } from '../config/load';
import type { Config } from '../config/types';
import { attemptDelivery, type AttemptOutcome } from '../delivery/attempt';
import { buildAttemptRequest } from '../delivery/request';
import { nextRetryDelayMs } from '../delivery/retry';
import { webhookIdFor } from '../delivery/webhook-id';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { buyerStatusOf } from '../payments/summarize';
import type { BuyerStatus, IndexRow } from '../payments/types';
import { deliveriesHeld } from './gate-view';
import { deliveryGate } from './gate-stub';
import { IndexOutbox } from './index-outbox';
import { adminPathOf } from './order-key';
import { LedgerStore, type ClaimedEvent, type EventRow, type NextState } from './ledger-store';
import type {
  AcceptInput,
  AcceptResult,
  AmountDecision,
  AskResult,
  Duplicate,
  EventState,
  ExpectInput,
  ExpectResult,
  LedgerSnapshot,
  OrderRef,
  ReconcileView,
  RedeliverResult,
  RedeliveryResult,
} from './ledger-types';
import { nextQueryAt } from './reconcile-schedule';
import { ReconcileStore, type ReconcileTrigger } from './reconcile-store';
import { queryable, Reconciler } from './reconciler';
import { hasSchema, LEDGER_MIGRATIONS, migrate } from './schema';
import { StatusWatchers } from './status-watchers';
import { DAY_MS, HOUR_MS } from '../utils/duration';

/** Raw bodies are kept this long (for redelivery and inspection); the rows stay for dedupe. */
export const BODY_RETENTION_MS = 30 * DAY_MS;
/**
 * A `delivering` claim outlives its attempt by this much; the alarm set for the lease's end is what
 * resumes an attempt cut by a crash (nothing else wakes the object), so this is how late that
 * happens. The attempt itself is bounded by DELIVERY_TIMEOUT (the abort covers the body too), so a
 * few seconds cover the bookkeeping around it; it was 60 s, which left a cut delivery waiting
 * DELIVERY_TIMEOUT + 60 s after a crash.
 */
const LEASE_GRACE_MS = 5_000;
/** While settings are broken nothing can be delivered; look again after this. */
const MISCONFIGURED_RETRY_MS = 5 * 60_000;
const MAX_ERROR_CHARS = 300;
/** Re-sends are counted in memory (no write before their `success`) and written this long after the first, unless another write takes them sooner. */
const RESEND_FLUSH_MS = 1_000;
/** While deliveries are held, owed events look again this often (the gate also releases them when the hold ends). */
const HOLD_RECHECK_MS = HOUR_MS;
/** The buyer's pages ask Alipay at most this often, and at most MAX_BUYER_ASKS times per order (a tab left open). */
const BUYER_ASK_GAP_MS = 60_000;
const MAX_BUYER_ASKS = 10;
/** The cron sweep asks about a registered, unpaid order when nobody asked for this long. */
const SWEEP_GAP_MS = HOUR_MS;
const HELD_HINT = 'deliveries are on hold; they go out when an operator resumes them (console, or POST /admin/api/deliveries/resume)';

/** What one delivery (or the wait for one) ended as. */
interface DeliveryResult {
  state: EventState;
  outcome?: string;
  hint?: string;
}

/** An attempt's outcome, plus the failures the ledger itself can report. */
type Outcome =
  | AttemptOutcome
  | {
      ok: false;
      reason: 'interrupted' | 'internal-error' | 'body-purged';
      hint: string;
      status: null;
      retryAfterMs: null;
      durationMs: number | null;
      excerpt: string;
    };

const MISCONFIGURED_HINT = 'the gateway settings have problems (see /health)';

export class OrderLedger extends DurableObject<GatewayEnv> {
  private readonly store: LedgerStore;
  private readonly outbox: IndexOutbox;
  private readonly watchers: StatusWatchers;
  private readonly reconcile: ReconcileStore;
  private readonly reconciler: Reconciler;
  /** Attempts running in this instance. A `delivering` row not in here was stranded by a previous instance. */
  private readonly inFlight = new Map<string, Promise<DeliveryResult>>();
  /**
   * The alarm as this instance last set or read it (null: none), so a request costs no getAlarm
   * and no setAlarm unless the time really changes. `undefined`: not known, read it before use.
   * Only this class sets the alarm, so the view stays true while the instance lives.
   */
  private alarmAt: number | null | undefined = undefined;
  private resendFlush: ReturnType<typeof setTimeout> | null = null;
  /** While the alarm handler runs it pushes the index row itself before re-arming, so the row asks for no alarm of its own. */
  private alarmRunning = false;
  /**
   * Whether the tables are known to exist. A new object has none until its first write
   * (ensureSchema): reads answer as for an empty ledger without creating any, so looking up an
   * order that does not exist (the admin search, an order page, the buyer's status) leaves no
   * database behind.
   */
  private schemaKnown = false;

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage);
    this.outbox = new IndexOutbox(ctx.storage, env);
    this.watchers = new StatusWatchers(ctx, () => this.buyerStatus());
    this.reconcile = new ReconcileStore(ctx.storage, this.store);
    this.reconciler = new Reconciler(this.store, this.reconcile, {
      found: async (event) => {
        this.watchers.broadcast();
        if (event.state === 'pending' && event.next_attempt_at !== null) await this.alarmNoLaterThan(event.next_attempt_at);
      },
      alert: (alert) => this.alert(alert),
    });
    ctx.blockConcurrencyWhile(async () => {
      // A new order's object: nothing recorded, so no alarm, no stranded delivery and no index row
      // owed; its tables wait for its first write (ensureSchema).
      if (!hasSchema(ctx.storage)) {
        this.alarmAt = null;
        return;
      }
      this.schemaKnown = true;
      migrate(ctx.storage, LEDGER_MIGRATIONS); // the versions it lacks
      // A ledger that never recorded anything never set an alarm: it reads none.
      this.alarmAt = this.store.orderInfo() === null ? null : await ctx.storage.getAlarm();
      // Evicted mid-attempt: resume from storage right away rather than when the lease runs out.
      if (this.store.strandedDeliveries(new Set()).length > 0) await this.setAlarm(Date.now());
      // Whatever else is owed (a retry, a query, the index row of a ledger from before the index or
      // evicted before its push, a purge): the alarm comes no later than that. Every write path
      // sets it too; this makes a wake-up repair one that an eviction or a failed call left unset.
      const now = Date.now();
      const owed = [this.store.nextWakeAt(BODY_RETENTION_MS), this.outbox.dueAt(now), this.reconcile.dueAt(now)].filter((t): t is number => t !== null);
      if (owed.length > 0) await this.alarmNoLaterThan(Math.min(...owed));
    });
  }

  /** Whether this object has its tables (see `schemaKnown`; looking costs a read of sqlite_master, and writes nothing). */
  private hasTables(): boolean {
    this.schemaKnown ||= hasSchema(this.ctx.storage);
    return this.schemaKnown;
  }

  /** Creates the tables before the first write; every path that may write calls it first. */
  private ensureSchema(): void {
    if (this.hasTables()) return;
    migrate(this.ctx.storage, LEDGER_MIGRATIONS);
    this.schemaKnown = true;
  }

  // ---- RPC ------------------------------------------------------------------

  /** Records one verified notification (deduped) and, in after-delivery mode, waits for the origin. */
  async accept(input: AcceptInput): Promise<AcceptResult> {
    this.ensureSchema();
    let config: Config | null = null;
    if (input.waitForDelivery) {
      const loaded = await loadConfig(this.env);
      if (!loaded.ok) {
        return { ok: false, reason: 'misconfigured', hint: MISCONFIGURED_HINT, duplicate: null, eventKey: input.event.key, state: 'pending' };
      }
      config = loaded.config;
    }

    const { duplicate, event } = await this.record(input);
    const eventKey = event.event_key;
    if (duplicate !== 'notify-id') this.watchers.broadcast();
    if (duplicate === null && event.state === 'held') this.reconciler.alertMismatch(input.orderKey, input.outTradeNo ?? input.orderKey, event);
    if (config === null) {
      if (duplicate === 'notify-id') return { ok: true, duplicate, eventKey, state: event.state };
      // A new forwarded event is owed now, and a new notification owes the index its row (even when
      // nothing is forwarded): the alarm moves only if that is earlier than where it is.
      const owed = [event.state === 'pending' ? event.next_attempt_at : null, this.outbox.dueAt(Date.now())].filter((t): t is number => t !== null);
      if (owed.length > 0) await this.alarmNoLaterThan(Math.min(...owed));
      return { ok: true, duplicate, eventKey, state: event.state };
    }

    const result = await this.deliverNow(eventKey, config);
    // Whatever happened (delivered, put off by a hold, not forwarded at all), what the order still
    // owes (a retry, a release slot, the index row) needs the alarm: an attempt set it, the rest did not.
    await this.scheduleAlarm();
    if (result.state === 'delivered' || result.state === 'recorded') return { ok: true, duplicate, eventKey, state: result.state };
    const dead = result.state === 'dead';
    const fallbackHint = dead ? 'the event is dead-lettered; redeliver it with the admin API' : 'the origin has not acknowledged the event yet';
    return {
      ok: false,
      reason: dead ? 'dead' : 'not-delivered',
      hint: result.hint ?? fallbackHint,
      duplicate,
      eventKey,
      state: result.state,
    };
  }

  /**
   * Dedupe, then record. A re-send of a recorded notify_id is answered from what is stored, with
   * no durable write: `success` needs the notification durable, and it is (if its first copy's
   * write is still in flight, the output gate holds this answer until it lands). Only a notification
   * not seen before is written, and only a new event pays for deriving its webhook-id.
   */
  private async record(input: AcceptInput): Promise<{ duplicate: Duplicate; event: EventRow }> {
    const known = this.store.recordedEventOf(input.notifyId);
    if (known) return this.resend(input.notifyId, known);
    // Events are never deleted, so with no await between this check and the write it stays true.
    if (this.store.hasEvent(input.event.key)) return this.store.record(input, null, Date.now());
    const webhookId = await webhookIdFor(input.orderKey, input.event.key);
    // The await let other requests in: a copy of this notification may have been recorded meanwhile
    // (a different notify_id for the same event is fine: store.record dedupes by event key).
    const recordedMeanwhile = this.store.recordedEventOf(input.notifyId);
    if (recordedMeanwhile) return this.resend(input.notifyId, recordedMeanwhile);
    // The amount the site registered, if it did: a payment of another amount is held (read with no await before the write).
    return this.store.record(input, webhookId, Date.now(), this.reconcile.expectedCents());
  }

  private resend(notifyId: string, event: EventRow): { duplicate: Duplicate; event: EventRow } {
    this.store.countResend(notifyId, Date.now());
    // Written shortly after, once: a timer's write happens after this answer has left, so it holds nothing up.
    this.resendFlush ??= setTimeout(() => {
      this.resendFlush = null;
      this.store.flushResends();
    }, RESEND_FLUSH_MS);
    return { duplicate: 'notify-id', event };
  }

  /**
   * Copies of a recorded notification that the Worker answered itself (src/http/recorded-notifications.ts),
   * counted like the re-sends answered here. Called after those answers, so it writes at once.
   */
  countResends(notifyId: string, copies: number, lastSeenAt: number): void {
    if (!Number.isSafeInteger(copies) || copies < 1 || !Number.isFinite(lastSeenAt) || !this.hasTables()) return;
    // A notify_id this ledger never recorded matches no row: nothing is written for it.
    this.store.countResend(notifyId, lastSeenAt, copies);
    this.store.flushResends();
  }

  /** The whole ledger of this order, or null when the object has never recorded anything. */
  snapshot(): LedgerSnapshot | null {
    if (!this.hasTables()) return null;
    if (this.store.hasUnflushedResends) this.store.flushResends();
    const snapshot = this.store.snapshot();
    return snapshot === null ? null : { ...snapshot, reconcile: this.reconcileView() };
  }

  private reconcileView(): ReconcileView | null {
    const row = this.reconcile.row();
    if (row === null) return null;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      state: row.state,
      firstTrigger: row.first_trigger,
      startedAt: new Date(row.started_at).toISOString(),
      expectedAmount: row.expected_amount,
      expiresAt: iso(row.expires_at),
      registeredAt: iso(row.registered_at),
      queries: row.queries,
      lastQueryAt: iso(row.last_query_at),
      lastOutcome: row.last_outcome,
      lastError: row.last_error,
      nextQueryAt: row.state === 'asking' ? iso(row.next_query_at) : null,
    };
  }

  // ---- asking Alipay ----------------------------------------------------------

  /**
   * The merchant's site registered this order (POST /alipay/orders): the amount to expect, and
   * until when it can be paid. Asking Alipay starts on RECONCILE_SCHEDULE (when it is configured).
   */
  async expect(input: ExpectInput): Promise<ExpectResult> {
    this.ensureSchema();
    const loaded = await loadConfig(this.env);
    if (!loaded.ok) return { ok: false, reason: 'misconfigured', hint: MISCONFIGURED_HINT };
    const config = loaded.config;
    const now = Date.now();
    const settled = this.store.settledKind();
    const asking = config.reconcile !== null && queryable(config, input.app, input.outTradeNo);
    const first = !asking || settled !== null ? null : nextQueryAt(config.reconcile!.scheduleMs, { done: 0, since: now, expiresAt: input.expiresAt });
    this.reconcile.start('registered', now, first, input);
    this.reconcile.register(input.totalAmount, input.totalCents, input.expiresAt, now);
    await this.scheduleAlarm();
    const row = this.reconcile.row()!;
    // Alipay said the trade is closed (asking ended with its answer): registering it again does not reopen it.
    const status = settled ?? (row.state === 'closed' ? 'closed' : 'expected');
    logLine({ msg: 'order registered', order: input.orderKey, total_amount: input.totalAmount, expires_at: new Date(input.expiresAt).toISOString(), asking: row.state === 'asking' });
    return {
      ok: true,
      status,
      asking: row.state === 'asking',
      nextQueryAt: row.state === 'asking' && row.next_query_at !== null ? new Date(row.next_query_at).toISOString() : null,
    };
  }

  /**
   * Someone wants the order's payment known soon: the buyer came back from Alipay (`return`), the
   * buyer's status page is still waiting (`status`), or the cron sweep (`sweep`, registered orders
   * only). Bounded per order; the query itself runs in the alarm, never in the caller's request.
   */
  async askSoon(trigger: Exclude<ReconcileTrigger, 'registered' | 'operator'>, order: OrderRef, notBefore?: number): Promise<{ asked: boolean }> {
    const loaded = await loadConfig(this.env);
    if (!loaded.ok || loaded.config.reconcile === null || !queryable(loaded.config, order.app, order.outTradeNo)) return { asked: false };
    // Past the checks that need no table: asking writes (a status page of a gateway that does not ask writes nothing).
    this.ensureSchema();
    if (this.store.settledKind() !== null) return { asked: false };
    const now = Date.now();
    const row = this.reconcile.row();
    const sinceLast = row?.last_query_at == null ? Infinity : now - row.last_query_at;
    if (trigger === 'sweep') {
      if (row === null || row.registered_at === null || (row.state !== 'asking' && row.state !== 'idle') || sinceLast < SWEEP_GAP_MS) return { asked: false };
    } else if ((row !== null && row.asked_by_buyer >= MAX_BUYER_ASKS) || sinceLast < BUYER_ASK_GAP_MS) {
      return { asked: false };
    }
    if (row !== null && (row.state === 'expired' || row.state === 'paid' || row.state === 'closed')) return { asked: false };
    // The sweep spreads its orders out (`notBefore`), so Alipay is not asked about hundreds at once.
    const at = notBefore !== undefined && notBefore > now ? notBefore : now;
    this.reconcile.start(trigger, now, at, order);
    if (trigger !== 'sweep') this.reconcile.countBuyerAsk();
    await this.alarmNoLaterThan(at);
    return { asked: true };
  }

  /** The operator's "ask Alipay now": the query runs now, and what it found is the answer. */
  async askNow(order: OrderRef): Promise<AskResult> {
    const loaded = await loadConfig(this.env);
    if (!loaded.ok) return { ok: false, reason: 'misconfigured', hint: MISCONFIGURED_HINT };
    const config = loaded.config;
    if (config.reconcile === null) return { ok: false, reason: 'not-configured', hint: 'asking Alipay needs ALIPAY_APP_PRIVATE_KEY (see /health)' };
    this.ensureSchema(); // past the checks that need no table: the question itself is recorded
    this.reconcile.start('operator', Date.now(), Date.now(), order);
    const run = await this.reconciler.run(config, true);
    // The operator (the console) reads the order and the index next: write the row first.
    await this.outbox.push(config.visibility.indexShards, Date.now(), true);
    await this.scheduleAlarm();
    if (!run.ran) {
      const hints = {
        'not-configured': 'asking Alipay needs ALIPAY_APP_PRIVATE_KEY',
        'not-queryable': `this order cannot be asked about: its app (${order.app}) is not one of ALIPAY_APP_ID (alipay.trade.query is asked as one of them), or its out_trade_no is not one the query can carry`,
        'not-due': 'nothing to ask',
        busy: 'a query about this order is running; its answer shows on the order in a moment',
        'unknown-order': 'no order by that number',
      } as const;
      return { ok: false, reason: run.why, hint: hints[run.why] };
    }
    return { ok: true, run, reconcile: this.reconcileView() };
  }

  /** An operator's decision on a held payment (another amount than the site registered). */
  async resolveAmount(eventKey: string, decision: AmountDecision): Promise<RedeliverResult> {
    // No tables: no event to decide on, and nothing to create for a number that was never recorded.
    if (!this.hasTables()) return { ok: false, reason: 'unknown-event', hint: `this order has no event "${eventKey}"` };
    const event = this.store.resolveHeld(eventKey, decision, Date.now());
    if (event === null) {
      const known = this.store.event(eventKey);
      return { ok: false, reason: known === null ? 'unknown-event' : 'not-held', hint: known === null ? `this order has no event "${eventKey}"` : `the event is ${known.state}, not held` };
    }
    logLine({ level: 'warn', msg: `held payment ${decision === 'release' ? 'released' : 'refused'} by an operator`, order: this.store.orderInfo()?.order_key, event: eventKey });
    this.watchers.broadcast();
    // A released payment is owed now: its alarm is set before anything else is awaited (the index
    // push below goes to another object, and this instance may not live to see it answer).
    await this.scheduleAlarm();
    const loaded = await loadConfig(this.env);
    if (loaded.ok) await this.outbox.push(loaded.config.visibility.indexShards, Date.now(), true);
    await this.scheduleAlarm();
    return { ok: true, results: [{ eventKey, state: event.state }] };
  }

  /** The delivery gate's slots after a hold: the owed events go out at them (see src/orders/delivery-gate.ts). */
  async release(firstSlotAt: number, spacingMs: number, slots: number): Promise<void> {
    this.ensureSchema();
    const placed = this.store.placeInSlots(Date.now() + HOLD_RECHECK_MS + 1_000, firstSlotAt, spacingMs, slots);
    if (placed > 0) await this.alarmNoLaterThan(firstSlotAt);
  }

  /** The order's payments-index row as it stands now (the admin search reads it straight from here). */
  indexRow(): IndexRow | null {
    // What the index would list: nothing for a number somebody only asked about (IndexOutbox.listable).
    return this.hasTables() && this.outbox.listable() ? this.outbox.row() : null;
  }

  /** What the buyer's status page may know. */
  buyerStatus(): BuyerStatus {
    if (!this.hasTables()) return buyerStatusOf(null, null);
    return buyerStatusOf(this.outbox.row(), this.store.event('paid')?.state ?? null);
  }

  /** The buyer's live status: a WebSocket upgrade forwarded by the Worker after it checked the signed link. */
  override fetch(request: Request): Response {
    return this.watchers.accept(request);
  }

  /** Buyers' pages never need to send anything; a socket that does is closed (status-watchers.ts). */
  override webSocketMessage(ws: WebSocket): void {
    this.watchers.message(ws);
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.watchers.closed(ws, code, reason);
  }

  /** Operator redelivery: attempt now, whatever the state. Without `eventKey`, every forwarded event. */
  async redeliver(eventKey?: string): Promise<RedeliverResult> {
    const loaded = await loadConfig(this.env);
    if (!loaded.ok) return { ok: false, reason: 'misconfigured', hint: MISCONFIGURED_HINT };
    const config = loaded.config;
    const info = this.hasTables() ? this.store.orderInfo() : null;
    if (info === null) return { ok: false, reason: 'unknown-order', hint: 'no notification was ever recorded for this order' };

    let keys: string[];
    if (eventKey !== undefined) {
      if (this.store.event(eventKey) === null) return { ok: false, reason: 'unknown-event', hint: `this order has no event "${eventKey}"` };
      keys = [eventKey];
    } else {
      // A payment held or refused for its amount is an operator's decision (release), never part of "all".
      keys = this.store.eventKeys().filter((e) => e.state !== 'recorded' && e.state !== 'held' && e.state !== 'refused').map((e) => e.key);
    }
    const held = await deliveriesHeld(this.env);

    const results = await Promise.all(
      keys.map(async (key): Promise<RedeliveryResult> => {
        const running = this.inFlight.get(key);
        if (running) return { eventKey: key, ...(await running) };
        const state = this.store.event(key)!.state;
        if (state === 'held' || state === 'refused') {
          return { eventKey: key, state, outcome: 'amount-held', hint: 'a payment of another amount than the site registered: release it first' };
        }
        if (held) return { eventKey: key, state, outcome: 'held', hint: HELD_HINT };
        if (!this.store.hasBody(key)) {
          const hint = 'the notification body was purged after the retention period; this event can no longer be forwarded';
          return { eventKey: key, state: this.store.event(key)!.state, outcome: 'body-purged', hint };
        }
        // Reset and claim with no await in between: nothing can slip in and start a second attempt.
        this.store.resetForRedelivery(key, Date.now());
        return { eventKey: key, ...(await this.startDelivery(key, 'now', config)) };
      }),
    );
    // The operator (or a bulk redelivery counting what remains) reads the index next: write it first.
    await this.outbox.push(config.visibility.indexShards, Date.now(), true);
    await this.scheduleAlarm();
    return { ok: true, results };
  }

  /** Alarms are at-least-once: running this twice, or with nothing due, changes nothing. */
  override async alarm(): Promise<void> {
    this.ensureSchema();
    // The alarm that fired is spent: the runtime drops it after this handler unless the handler sets another.
    this.alarmAt = null;
    if (this.store.hasUnflushedResends) this.store.flushResends();
    const loaded = await loadConfig(this.env);
    if (!loaded.ok) {
      logLine({ level: 'error', msg: 'ledger cannot deliver: gateway settings have problems', problems: loaded.problems.map((p) => p.setting) });
      await this.setAlarm(Date.now() + MISCONFIGURED_RETRY_MS);
      return;
    }
    const config = loaded.config;
    this.alarmRunning = true;
    try {
      this.recoverStranded(config);
      // Asking Alipay first: a payment it finds goes out with this alarm's deliveries. A query
      // already out (an operator's, or the buyer's) is not waited for: it schedules what follows itself.
      if (!this.reconciler.busy) await this.reconciler.run(config, false);
      const now = Date.now();
      const due = this.store.dueEventKeys(now);
      if (due.length > 0 && (await this.mayDeliver(due, now))) await Promise.all(due.map((key) => this.startDelivery(key, 'due', config)));
      const purged = this.store.purgeBodies(now - BODY_RETENTION_MS, now);
      if (purged > 0) logLine({ msg: 'raw bodies purged', order: this.store.orderInfo()?.order_key, purged });
      // After the deliveries: one push carries what they changed (an origin's timeout delays the row, nothing else).
      await this.outbox.push(config.visibility.indexShards, Date.now());
    } finally {
      this.alarmRunning = false;
    }
    await this.scheduleAlarm();
  }

  // ---- delivery -------------------------------------------------------------

  /**
   * after-delivery mode: the answer for this event. In flight: wait for that attempt's answer.
   * Owed and due (a new event, or a retry the alarm has not run yet): attempt it now. Owed but not
   * due: "not yet", without an extra attempt, so Alipay's re-sends cannot hammer a failing origin
   * faster than RETRY_SCHEDULE; once the alarm delivers it, the next re-send gets `success`.
   */
  private async deliverNow(eventKey: string, config: Config): Promise<DeliveryResult> {
    const running = this.inFlight.get(eventKey);
    if (running) return running;
    this.recoverStranded(config);
    const event = this.store.event(eventKey);
    if (event?.state === 'pending' && !(await this.mayDeliver([eventKey], Date.now()))) return { state: 'pending', hint: HELD_HINT };
    return this.startDelivery(eventKey, 'due', config);
  }

  /**
   * Whether owed deliveries may go out now. While deliveries are held they wait, spending no
   * attempt: the gate is told (it releases them when the hold ends) and they look again later; if
   * the hold ended meanwhile, the gate hands out slots at ORIGIN_MAX_RPS and they go out at those.
   */
  private async mayDeliver(keys: readonly string[], now: number): Promise<boolean> {
    if (!(await deliveriesHeld(this.env))) return true;
    const orderKey = this.store.orderInfo()?.order_key ?? '';
    let answer;
    try {
      // Every owed event, not only the due ones: those put off before are owed as much.
      answer = await deliveryGate(this.env).wait(orderKey, Math.max(keys.length, this.store.pendingCount()));
    } catch (error) {
      logLine({ level: 'warn', msg: 'the delivery gate could not be reached; delivering', order: orderKey, error });
      return true;
    }
    if (answer.held) {
      this.store.postpone(keys, now + HOLD_RECHECK_MS);
      logLine({ msg: 'deliveries held: waiting', order: orderKey, events: keys.length });
    } else {
      this.store.placeInSlots(now + HOLD_RECHECK_MS + 1_000, answer.firstSlotAt, answer.spacingMs, Math.max(keys.length, this.store.pendingCount()));
    }
    return false;
  }

  /**
   * Claims the event (state written before the request leaves) and starts one attempt. Synchronous
   * up to the claim, and the promise is registered in the same turn, so a concurrent caller either
   * sees the claim in storage or the promise here, never neither.
   */
  private startDelivery(eventKey: string, mode: 'due' | 'now', config: Config): Promise<DeliveryResult> {
    const running = this.inFlight.get(eventKey);
    if (running) return running;
    const claim = this.store.claim(eventKey, mode, Date.now(), config.forward.timeoutMs + LEASE_GRACE_MS);
    if (!claim.ok) {
      if (claim.reason === 'body-purged') {
        // Owed but nothing left to send (cannot happen through purging, which spares owed events): give up loudly.
        const event = this.store.event(eventKey)!;
        const hint = 'the notification body is missing; this event can no longer be forwarded';
        return Promise.resolve(this.settle(eventKey, event.attempts, null, failure('body-purged', hint), Date.now(), config));
      }
      const lastError = this.store.event(eventKey)?.last_error;
      return Promise.resolve({ state: claim.state ?? 'pending', ...(lastError ? { hint: lastError } : {}) });
    }
    const promise = this.runAttempt(claim.claimed, config).finally(() => this.inFlight.delete(eventKey));
    this.inFlight.set(eventKey, promise);
    return promise;
  }

  private async runAttempt(claimed: ClaimedEvent, config: Config): Promise<DeliveryResult> {
    const orderKey = this.store.orderInfo()?.order_key ?? '';
    const started = Date.now();
    let outcome: Outcome;
    try {
      await this.scheduleAlarm(); // the lease: if this instance dies mid-attempt, the alarm resumes
      const request = await buildAttemptRequest({ ...claimed, orderKey }, config.forward, started);
      outcome = await attemptDelivery(request);
    } catch (error) {
      outcome = failure('internal-error', `the attempt could not be made: ${error instanceof Error ? error.name : 'error'}`, Date.now() - started);
    }
    const result = this.settle(claimed.eventKey, claimed.attempt, claimed.cycleAttempt, outcome, started, config);
    await this.scheduleAlarm();
    return result;
  }

  /**
   * Records the attempt and moves the event on: delivered, pending with the next retry, or dead.
   * `cycleAttempt` is the attempt's place in the retry schedule; null when no retry can help.
   */
  private settle(eventKey: string, attempt: number, cycleAttempt: number | null, outcome: Outcome, startedAt: number, config: Config): DeliveryResult {
    const now = Date.now();
    const event = this.store.event(eventKey)!;
    let next: NextState;
    if (outcome.ok) {
      next = { state: 'delivered', at: now };
    } else {
      const lastError = `${outcome.reason}: ${outcome.hint}`.slice(0, MAX_ERROR_CHARS);
      const delay = cycleAttempt !== null ? nextRetryDelayMs(config.forward.retryScheduleMs, cycleAttempt, outcome.retryAfterMs) : null;
      next = delay === null ? { state: 'dead', at: now, lastError } : { state: 'pending', nextAttemptAt: now + delay, lastError };
    }
    this.store.finishAttempt(
      {
        eventKey,
        attempt,
        startedAt,
        durationMs: outcome.durationMs,
        status: outcome.status,
        outcome: outcome.ok ? 'delivered' : outcome.reason,
        excerpt: outcome.excerpt || null,
        retryAfterMs: outcome.ok ? null : outcome.retryAfterMs,
      },
      next,
    );

    const order = this.store.orderInfo()?.order_key;
    logLine({
      level: outcome.ok ? 'info' : 'warn',
      msg: 'delivery attempt',
      order,
      event: eventKey,
      kind: event.kind,
      webhook_id: event.webhook_id,
      attempt,
      outcome: outcome.ok ? 'delivered' : outcome.reason,
      status: outcome.status,
      duration_ms: outcome.durationMs,
      // Why it failed (the cause, named) and what the origin said: what an operator reads first.
      ...(outcome.ok ? {} : { error: outcome.hint, ...(outcome.excerpt ? { origin_said: outcome.excerpt } : {}) }),
      state: next.state,
      ...(next.state === 'pending' ? { next_attempt_at: new Date(next.nextAttemptAt).toISOString() } : {}),
    });
    this.reportDelivery(outcome.ok, order ?? '', next.state === 'delivered' ? undefined : next.lastError);
    if (next.state === 'dead') {
      this.alert({
        kind: 'dead-letter',
        summary: `Event ${eventKey} of order ${order} gave up after ${attempt} attempts: ${next.lastError}. Redeliver it from the console (or POST ${order === undefined ? '/admin/orders/.../' : adminPathOf(order)}/redeliver) once your site takes it.`,
        details: { order: order ?? '', event: eventKey, attempts: attempt },
      });
      logLine({
        level: 'error',
        alert: 'dead-letter',
        msg: `event ${eventKey} of order ${order} is dead after ${attempt} attempts; redeliver it with POST ${order === undefined ? '/admin/orders/.../' : adminPathOf(order)}/redeliver`,
        order,
        event: eventKey,
        kind: event.kind,
        attempts: attempt,
        last_error: next.lastError,
      });
    }
    return outcome.ok ? { state: next.state, outcome: 'delivered' } : { state: next.state, outcome: outcome.reason, hint: outcome.hint };
  }

  /** Attempts that died with a previous instance count as failed attempts (the origin may or may not have them). */
  private recoverStranded(config: Config): void {
    for (const row of this.store.strandedDeliveries(new Set(this.inFlight.keys()))) {
      const hint = 'the gateway restarted during the attempt; the origin may have received it (it dedupes on webhook-id)';
      this.settle(row.event_key, row.attempts, row.cycle_attempts, failure('interrupted', hint), Date.now(), config);
    }
  }

  // ---- bookkeeping ----------------------------------------------------------

  /** One alarm per object: set it to the earliest thing this order owes (a storage call only when that changes). */
  private async scheduleAlarm(): Promise<void> {
    const indexDue = this.alarmRunning ? null : this.outbox.dueAt(Date.now());
    const owed = [this.store.nextWakeAt(BODY_RETENTION_MS), indexDue, this.reconcile.dueAt()].filter((t): t is number => t !== null);
    const next = owed.length === 0 ? null : Math.min(...owed);
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm(); // not `??=`: null is known (no alarm)
    if (next === this.alarmAt) return;
    if (next === null) {
      this.alarmAt = null;
      await this.ctx.storage.deleteAlarm();
    } else {
      await this.setAlarm(next);
    }
  }

  /**
   * New work owed at `at`: bring the alarm forward if it is later (or unset), else leave it. An
   * early alarm is harmless (it finds nothing due and re-arms at the earliest owed time), so
   * adding work never needs the full recomputation of scheduleAlarm.
   */
  private async alarmNoLaterThan(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm(); // not `??=`: null is known (no alarm)
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    await this.setAlarm(at);
  }

  /** An alert for a person, sent after the fact through the alert desk: nothing here waits for it. */
  private alert(alert: Omit<Alert, 'at'>): void {
    const at = Date.now();
    this.ctx.waitUntil(
      (async () => {
        const loaded = await loadConfig(this.env);
        if (!loaded.ok || loaded.config.alerts === null) return;
        await alertDesk(this.env).note({ ...alert, at });
      })().catch((error: unknown) => logLine({ level: 'warn', msg: 'the alert desk could not be reached', alert: alert.kind, error })),
    );
  }

  /** Every attempt's outcome, for the "your site keeps failing" alert (failures in a row across orders). */
  private reportDelivery(ok: boolean, orderKey: string, error?: string): void {
    const at = Date.now();
    this.ctx.waitUntil(
      (async () => {
        const loaded = await loadConfig(this.env);
        if (!loaded.ok || loaded.config.alerts === null) return;
        await alertDesk(this.env).delivery({ ok, orderKey, at, ...(error ? { error } : {}) });
      })().catch((e: unknown) => logLine({ level: 'warn', msg: 'the alert desk could not be reached', error: e })),
    );
  }

  private async setAlarm(at: number): Promise<void> {
    this.alarmAt = at; // before the await: a request let in meanwhile sees the alarm as set
    await this.ctx.storage.setAlarm(at);
  }
}

function failure(reason: 'interrupted' | 'internal-error' | 'body-purged', hint: string, durationMs: number | null = null): Outcome {
  return { ok: false, reason, hint, status: null, retryAfterMs: null, durationMs, excerpt: '' };
}
