// Asking Alipay about one order, for its OrderLedger: one alipay.trade.query at a time (claimed
// in storage before the request leaves, like a delivery, and kept in memory while it runs), its
// verified answer turned into what the order records, and the next query scheduled by
// RECONCILE_SCHEDULE until the order is paid, closed or expired (docs/ARCHITECTURE.md
// "Reconciliation"). A paid answer with no payment recorded becomes the order's `paid` event,
// forwarded like a notification's; a later notification dedupes into it.

import { queryTrade } from '../alipay/query-client';
import { checkTradeRef } from '../alipay/query-request';
import type { QueryResult } from '../alipay/query-response';
import type { Alert } from '../alerts/types';
import { hintForGateway } from '../config/advice';
import type { Config } from '../config/types';
import { webhookIdFor } from '../delivery/webhook-id';
import { logLine } from '../log';
import type { EventRow, LedgerStore } from './ledger-store';
import { queryEventOf } from './query-event';
import type { ReconcileRow, ReconcileState, ReconcileStore } from './reconcile-store';
import { nextQueryAt } from './reconcile-schedule';

/** A query's claim outlives its time limit by this much before it counts as cut off. */
const QUERY_LEASE_GRACE_MS = 60_000;
const QUERY_TIMEOUT_MS = 10_000;
/** Failures in a row that make a person hear of it, when asking again might still help. */
const FAILURES_BEFORE_ALERT = 3;
const MAX_ERROR_CHARS = 300;
/** A failure that may pass does not end asking: the last query is tried again this often, this many times. */
const FINAL_RETRY_MS = 10 * 60_000;
const MAX_FINAL_RETRIES = 6;

/**
 * Whether alipay.trade.query can be asked about this order at all, asking Alipay being configured:
 * it is an OpenAPI call made as one of ALIPAY_APP_ID (a legacy mapi order keyed by seller id has
 * none), and the order number must be one the request can carry (no spaces, say).
 */
export function queryable(config: Config, app: string, outTradeNo: string): boolean {
  return config.alipay.appIds.includes(app) && checkTradeRef({ outTradeNo }).ok;
}

/** What one query found, as the operator's "ask Alipay now" reports it. */
export type QueryRun =
  | { ran: true; outcome: 'paid-found' | 'already-recorded' | 'not-paid' | 'not-found' | 'closed'; tradeStatus: string | null; totalAmount: string | null; held: boolean }
  | { ran: true; outcome: 'failed'; reason: string; hint: string; transient: boolean }
  | { ran: false; why: 'not-configured' | 'not-queryable' | 'not-due' | 'busy' | 'unknown-order' };

export interface ReconcilerHooks {
  /** A payment was recorded from Alipay's answer: the ledger schedules its delivery and tells the buyer's page. */
  found(event: EventRow): Promise<void>;
  /** Something a person should hear about (sent after the fact, never waited for). */
  alert(alert: Omit<Alert, 'at'>): void;
  /** The fetch queries use (tests and the Worker's own). */
  fetch?: typeof fetch;
}

export class Reconciler {
  private running: Promise<QueryRun> | null = null;

  constructor(
    private readonly store: LedgerStore,
    private readonly reconcile: ReconcileStore,
    private readonly hooks: ReconcilerHooks,
  ) {}

  /** Whether a query is running in this instance (its claim in storage is then not stranded). */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Runs the query if it is due (the alarm) or asked for (`force`: an operator, or the buyer's
   * return). Never two at once: a second caller gets the running one's result.
   */
  run(config: Config, force: boolean): Promise<QueryRun> {
    if (this.running) return this.running;
    // With no query scheduled and none stranded (most orders: nobody registered them) there is
    // nothing to ask and nothing to stop: an alarm's run makes no write for it.
    if (!force && this.reconcile.dueAt() === null) return Promise.resolve({ ran: false, why: 'not-due' });
    const info = this.store.orderInfo();
    if (info === null || info.out_trade_no === null) return Promise.resolve({ ran: false, why: 'unknown-order' });
    // Asking Alipay was switched off after asking began, or this order cannot be asked about
    // (queryable): the schedule stops, so its alarm does not come back for it.
    const settings = config.reconcile;
    if (settings === null) {
      this.reconcile.stopAsking(Date.now());
      return Promise.resolve({ ran: false, why: 'not-configured' });
    }
    if (!queryable(config, info.app, info.out_trade_no)) {
      this.reconcile.stopAsking(Date.now());
      return Promise.resolve({ ran: false, why: 'not-queryable' });
    }
    const now = Date.now();
    const claimed = this.reconcile.claim(now, QUERY_TIMEOUT_MS + QUERY_LEASE_GRACE_MS, force);
    if (claimed === null) return Promise.resolve({ ran: false, why: force ? 'busy' : 'not-due' });
    const run = this.ask(config, claimed, info.order_key, info.app, info.out_trade_no).finally(() => (this.running = null));
    this.running = run;
    return run;
  }

  private async ask(config: Config, row: ReconcileRow, orderKey: string, appId: string, outTradeNo: string): Promise<QueryRun> {
    const settings = config.reconcile!;
    const started = Date.now();
    let result: QueryResult;
    try {
      result = await queryTrade(
        { outTradeNo },
        {
          gatewayUrl: settings.gatewayUrl,
          appId,
          privateKey: settings.appPrivateKey.signingKey,
          certificates: settings.certificates,
          alipayKeys: config.alipay.keys,
          timeoutMs: QUERY_TIMEOUT_MS,
          ...(this.hooks.fetch ? { fetch: this.hooks.fetch } : {}),
        },
      );
    } catch (error) {
      // queryTrade promises not to throw; if it ever does, the order still gets its next query.
      result = { ok: false, reason: 'network-error', hint: `the query could not be made: ${error instanceof Error ? error.name : 'error'}`, transient: true };
    }
    const now = Date.now();
    const log = { msg: 'alipay query', order: orderKey, query: row.queries, duration_ms: now - started };

    if (!result.ok) {
      const hint = hintForGateway(result.hint, result.advice);
      const next = this.afterFailure(config, row, now, result.transient);
      this.reconcile.finish({ at: now, outcome: 'failed', error: `${result.reason}: ${hint}`.slice(0, MAX_ERROR_CHARS), ...next });
      logLine({ ...log, level: 'warn', outcome: 'failed', reason: result.reason, hint, transient: result.transient, state: next.state });
      if (!result.transient || row.failures + 1 >= FAILURES_BEFORE_ALERT) {
        this.hooks.alert({
          kind: 'query-failing',
          summary: `Asking Alipay about order ${outTradeNo} failed${row.failures + 1 > 1 ? ` ${row.failures + 1} times in a row` : ''}: ${hint}`,
          details: { order: orderKey, reason: result.reason },
        });
      }
      return { ran: true, outcome: 'failed', reason: result.reason, hint, transient: result.transient };
    }

    if (result.status === 'not-found') {
      const next = this.next(config, row, now);
      this.reconcile.finish({ at: now, outcome: 'not-found', error: null, ...next });
      logLine({ ...log, outcome: 'not-found', state: next.state });
      return { ran: true, outcome: 'not-found', tradeStatus: null, totalAmount: null, held: false };
    }

    const trade = result.trade;
    const facts = { tradeStatus: trade.tradeStatus, totalAmount: trade.totalAmount };
    if (trade.tradeStatus === 'TRADE_CLOSED') {
      this.reconcile.finish({ at: now, outcome: 'closed', error: null, state: 'closed', nextQueryAt: null, counted: true });
      logLine({ ...log, outcome: 'closed' });
      return { ran: true, outcome: 'closed', ...facts, held: false };
    }
    const found = queryEventOf(trade, appId);
    if (found === null) {
      const next = this.next(config, row, now);
      this.reconcile.finish({ at: now, outcome: 'not-paid', error: null, ...next });
      logLine({ ...log, outcome: 'not-paid', trade_status: trade.tradeStatus, state: next.state });
      return { ran: true, outcome: 'not-paid', ...facts, held: false };
    }

    const webhookId = await webhookIdFor(orderKey, found.event.key);
    const event = this.store.recordQueryPayment(
      {
        ...found,
        tradeNo: trade.tradeNo,
        tradeStatus: trade.tradeStatus,
        totalAmount: trade.totalAmount,
        sendPayDate: trade.sendPayDate,
        keyFingerprint: result.keyFingerprint.slice(0, 16),
        forward: config.forward.events.has(found.event.kind),
      },
      webhookId,
      Date.now(),
    );
    this.reconcile.finish({ at: now, outcome: event === null ? 'already-recorded' : 'paid-found', error: null, state: 'paid', nextQueryAt: null, counted: true });
    if (event === null) {
      logLine({ ...log, outcome: 'already-recorded', trade_status: trade.tradeStatus });
      return { ran: true, outcome: 'already-recorded', ...facts, held: false };
    }
    const held = event.state === 'held';
    logLine({ ...log, level: 'warn', outcome: 'paid-found', trade_status: trade.tradeStatus, total_amount: trade.totalAmount, event_state: event.state });
    this.hooks.alert({
      kind: 'payment-found-by-query',
      summary:
        `Order ${outTradeNo} was paid (${trade.totalAmount}, trade_no ${trade.tradeNo}) but its notification never arrived; ` +
        (held ? 'found by asking Alipay and held: its amount is not the one your site registered.' : 'found by asking Alipay and forwarded to your site.'),
      details: { order: orderKey, trade_status: trade.tradeStatus, total_amount: trade.totalAmount },
    });
    if (held) this.alertMismatch(orderKey, outTradeNo, event);
    await this.hooks.found(event);
    return { ran: true, outcome: 'paid-found', ...facts, held };
  }

  /** A held payment (another amount than registered): a person decides. */
  alertMismatch(orderKey: string, outTradeNo: string, event: EventRow): void {
    this.hooks.alert({
      kind: 'amount-mismatch',
      summary: `Order ${outTradeNo}: ${event.last_error ?? 'the amount paid is not the one your site registered'}. Release or refuse it in the console.`,
      details: { order: orderKey, event: event.event_key },
    });
  }

  /**
   * What comes after a query made now that found nothing. A query made before the schedule's own
   * time (somebody hurried it) leaves the schedule where it was; the schedule's own query moves it
   * on, or ends asking (expired, or the schedule ran out).
   */
  private next(config: Config, row: ReconcileRow, now: number): { state: ReconcileState; nextQueryAt: number | null; counted: boolean } {
    // The order's own notification already settled it (an operator asked anyway, say, and this
    // Alipay, a sandbox or the local stand-in, did not know the trade): asking ends as settled.
    const settled = this.store.settledKind();
    if (settled !== null) return { state: settled, nextQueryAt: null, counted: true };
    const scheduleMs = config.reconcile!.scheduleMs;
    const scheduled = nextQueryAt(scheduleMs, { done: row.scheduled_done, since: row.schedule_since, expiresAt: row.expires_at });
    if (scheduled !== null && scheduled > now) return { state: 'asking', nextQueryAt: scheduled, counted: false };
    const at = nextQueryAt(scheduleMs, { done: row.scheduled_done + 1, since: now, expiresAt: row.expires_at });
    if (at !== null) return { state: 'asking', nextQueryAt: at, counted: true };
    return { state: row.expires_at !== null && now >= row.expires_at ? 'expired' : 'idle', nextQueryAt: null, counted: true };
  }

  /**
   * After a failed query: as after any other, except that a failure that may pass (a timeout, a 5xx)
   * never ends asking. The last query, a little after the order's expiry, is the one that finds a
   * payment made in its last minutes; it is tried again, FINAL_RETRY_MS apart, up to
   * MAX_FINAL_RETRIES failures in a row.
   */
  private afterFailure(config: Config, row: ReconcileRow, now: number, transient: boolean): { state: ReconcileState; nextQueryAt: number | null; counted: boolean } {
    const next = this.next(config, row, now);
    const settled = next.state === 'paid' || next.state === 'closed';
    if (settled || next.nextQueryAt !== null || !transient || row.failures + 1 >= MAX_FINAL_RETRIES) return next;
    return { state: 'asking', nextQueryAt: now + FINAL_RETRY_MS, counted: next.counted };
  }
}
