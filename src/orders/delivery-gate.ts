// DeliveryGate: one Durable Object per deployment (named `deliveries`) that says whether deliveries
// to the origin are on hold (the merchant's site is down for maintenance) and, when they resume,
// lets the owed ones out at a bounded rate (ORIGIN_MAX_RPS) so a fragile IIS site is not flooded.
//
// - While held, an order's ledger that owes a delivery starts no attempt (none is spent): it tells
//   the gate it is waiting (`wait`), and looks again later on its own in case the gate forgot it.
// - On resume, the gate's alarm hands each waiting order its release slots: consecutive times
//   1/ORIGIN_MAX_RPS seconds apart, one per owed event, handed out in the order the orders began to
//   wait. The ledger moves its owed events to those times (`release`), so its own alarm delivers
//   them then: the rate holds across every order without any of them asking twice.
// - The hold survives restarts (it is in this object's storage); /health and the console show it.
// - Held for more than an hour: an alert (then one a day while it lasts).
//
// Ledgers read the hold through deliveriesHeld() (src/orders/gate-view.ts), cached for a few seconds per
// isolate: a hold takes effect within that time, never by blocking an answer to Alipay.

import { DurableObject } from 'cloudflare:workers';
import { alertDesk } from '../alerts/desk-stub';
import { loadConfig } from '../config/load';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { DAY_MS, HOUR_MS } from '../utils/duration';

/** A hold this long is alerted; one more alert for each day it lasts. */
export const HELD_ALERT_AFTER_MS = HOUR_MS;
const HELD_ALERT_REPEAT_MS = DAY_MS;
/** Orders handed their slots per alarm run: a large backlog is released in steps. */
const RELEASE_BATCH = 100;
/** A ledger that could not be reached is handed its slots again after this. */
const RELEASE_RETRY_MS = 30_000;
const MISCONFIGURED_RETRY_MS = 5 * 60_000;
const MAX_REASON_CHARS = 200;

export interface GateStatus {
  readonly held: boolean;
  /** ISO time the hold began; null when not held. */
  readonly heldSince: string | null;
  readonly heldBy: string | null;
  readonly reason: string | null;
  /** Orders waiting for the hold to end (or for their slots). */
  readonly waitingOrders: number;
  /** Owed events among them. */
  readonly waitingEvents: number;
  /** While a backlog drains: when its last slot is. */
  readonly drainingUntil: string | null;
}

/** What `wait` answers: still held (the ledger waits), or the slots to deliver at (the hold ended meanwhile). */
export type WaitAnswer = { held: true } | { held: false; firstSlotAt: number; spacingMs: number };

interface HoldState {
  held: boolean;
  since: number | null;
  by: string | null;
  reason: string | null;
  /** When the next "held for long" alert is due. */
  alertAt: number | null;
  /** The next free release slot (epoch ms). */
  nextSlotAt: number;
}

const NOT_HELD: HoldState = { held: false, since: null, by: null, reason: null, alertAt: null, nextSlotAt: 0 };

export class DeliveryGate extends DurableObject<GatewayEnv> {
  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS gate (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL)');
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS waiting (order_key TEXT PRIMARY KEY, owed INTEGER NOT NULL, since INTEGER NOT NULL, retry_at INTEGER)');
  }

  status(): GateStatus {
    const state = this.read();
    const waiting = this.ctx.storage.sql.exec<{ orders: number; events: number | null }>('SELECT COUNT(*) AS orders, SUM(owed) AS events FROM waiting').one();
    const draining = state.nextSlotAt > Date.now() ? new Date(state.nextSlotAt).toISOString() : null;
    return {
      held: state.held,
      heldSince: state.since === null ? null : new Date(state.since).toISOString(),
      heldBy: state.by,
      reason: state.reason,
      waitingOrders: waiting.orders,
      waitingEvents: waiting.events ?? 0,
      drainingUntil: draining,
    };
  }

  /** Holds every delivery until resume. Holding again keeps the first hold's time. */
  async hold(options: { by?: string; reason?: string } = {}): Promise<GateStatus> {
    const state = this.read();
    if (!state.held) {
      const now = Date.now();
      this.write({ ...state, held: true, since: now, by: clip(options.by), reason: clip(options.reason), alertAt: now + HELD_ALERT_AFTER_MS });
      logLine({ level: 'warn', msg: 'deliveries held', by: clip(options.by), reason: clip(options.reason) });
      await this.ctx.storage.setAlarm(now + HELD_ALERT_AFTER_MS);
    }
    return this.status();
  }

  /** Ends the hold: the waiting orders are handed their release slots by the alarm, starting now. */
  async resume(options: { by?: string } = {}): Promise<GateStatus> {
    const state = this.read();
    if (state.held) {
      const heldMs = state.since === null ? 0 : Date.now() - state.since;
      this.write({ ...state, held: false, since: null, by: null, reason: null, alertAt: null });
      logLine({ msg: 'deliveries resumed', by: clip(options.by), held_ms: heldMs, waiting: this.status().waitingOrders });
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.status();
  }

  /**
   * An order owes `owed` deliveries. Held: it is noted, and released on resume. Not held (the
   * hold ended after the ledger last looked): its slots, at once, so it still keeps the rate.
   */
  async wait(orderKey: string, owed: number): Promise<WaitAnswer> {
    const state = this.read();
    const count = Math.max(1, Math.min(1000, Math.floor(owed)));
    if (state.held) {
      this.ctx.storage.sql.exec(
        'INSERT INTO waiting (order_key, owed, since) VALUES (?, ?, ?) ON CONFLICT (order_key) DO UPDATE SET owed = excluded.owed',
        orderKey,
        count,
        Date.now(),
      );
      return { held: true };
    }
    this.ctx.storage.sql.exec('DELETE FROM waiting WHERE order_key = ?', orderKey);
    const spacingMs = await this.spacingMs();
    return { held: false, firstSlotAt: this.takeSlots(count, spacingMs), spacingMs };
  }

  override async alarm(): Promise<void> {
    const state = this.read();
    const now = Date.now();
    if (state.held) {
      if (state.alertAt !== null && state.alertAt <= now) {
        await this.alertHeld(state, now);
        this.write({ ...state, alertAt: now + HELD_ALERT_REPEAT_MS });
      }
      const next = this.read().alertAt;
      if (next !== null) await this.ctx.storage.setAlarm(next);
      return;
    }
    const loaded = await loadConfig(this.env);
    if (!loaded.ok) {
      await this.ctx.storage.setAlarm(now + MISCONFIGURED_RETRY_MS);
      return;
    }
    const spacingMs = 1000 / loaded.config.forward.maxRps;
    const batch = this.ctx.storage.sql
      .exec<{ order_key: string; owed: number }>('SELECT order_key, owed FROM waiting WHERE retry_at IS NULL OR retry_at <= ? ORDER BY since, order_key LIMIT ?', now, RELEASE_BATCH)
      .toArray();
    for (const row of batch) {
      // The slots are taken (and the row removed) before the call: a slot handed out twice would break the rate.
      const firstSlotAt = this.takeSlots(row.owed, spacingMs);
      this.ctx.storage.sql.exec('DELETE FROM waiting WHERE order_key = ?', row.order_key);
      try {
        await this.env.ORDER_LEDGER.get(this.env.ORDER_LEDGER.idFromName(row.order_key)).release(firstSlotAt, spacingMs, row.owed);
      } catch (error) {
        logLine({ level: 'warn', msg: 'a waiting order could not be released; trying again', order: row.order_key, error });
        this.ctx.storage.sql.exec('INSERT OR IGNORE INTO waiting (order_key, owed, since, retry_at) VALUES (?, ?, ?, ?)', row.order_key, row.owed, now, now + RELEASE_RETRY_MS);
      }
    }
    const more = this.ctx.storage.sql.exec<{ at: number | null }>('SELECT MIN(COALESCE(retry_at, 0)) AS at FROM waiting').one().at;
    if (more !== null) await this.ctx.storage.setAlarm(Math.max(more, Date.now()));
  }

  // ---- state --------------------------------------------------------------------

  private async spacingMs(): Promise<number> {
    const loaded = await loadConfig(this.env);
    return 1000 / (loaded.ok ? loaded.config.forward.maxRps : 1);
  }

  /** `count` consecutive slots from the next free one (never in the past); returns the first. */
  private takeSlots(count: number, spacingMs: number): number {
    const state = this.read();
    const first = Math.max(Date.now(), state.nextSlotAt);
    this.write({ ...state, nextSlotAt: first + count * spacingMs });
    return first;
  }

  private async alertHeld(state: HoldState, now: number): Promise<void> {
    const hours = state.since === null ? 1 : Math.floor((now - state.since) / HOUR_MS);
    const waiting = this.status();
    const summary =
      `Deliveries to your site have been on hold for ${hours} hour${hours === 1 ? '' : 's'} (since ${state.since === null ? '?' : new Date(state.since).toISOString()}` +
      `${state.by ? `, by ${state.by}` : ''}${state.reason ? `: ${state.reason}` : ''}); ${waiting.waitingEvents} event(s) of ${waiting.waitingOrders} order(s) wait. ` +
      'Resume them in the console or with POST /admin/api/deliveries/resume.';
    const loaded = await loadConfig(this.env);
    if (!loaded.ok || loaded.config.alerts === null) {
      logLine({ level: 'warn', msg: 'alert', alert: 'deliveries-held', summary });
      return;
    }
    try {
      await alertDesk(this.env).note({ kind: 'deliveries-held', summary, details: { hours, waiting_orders: waiting.waitingOrders }, at: now });
    } catch (error) {
      logLine({ level: 'warn', msg: 'the alert desk could not be reached', alert: 'deliveries-held', error });
    }
  }

  private read(): HoldState {
    const row = this.ctx.storage.sql.exec<{ value: string }>('SELECT value FROM gate WHERE id = 1').toArray()[0];
    return row ? { ...NOT_HELD, ...(JSON.parse(row.value) as Partial<HoldState>) } : { ...NOT_HELD };
  }

  private write(state: HoldState): void {
    this.ctx.storage.sql.exec('INSERT INTO gate (id, value) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value', JSON.stringify(state));
  }
}

function clip(s: string | undefined): string | null {
  return s === undefined || s === '' ? null : s.slice(0, MAX_REASON_CHARS);
}
