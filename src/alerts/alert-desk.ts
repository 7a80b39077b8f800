// AlertDesk: the one Durable Object per deployment that alerts go through (named `alerts`). Code
// that notices something (the notify path, an order's ledger, the cron trigger) reports it here
// and moves on: a report is one small synchronous write, never a send. What is due goes into an
// outbox and leaves from this object's alarm, with sendAlert's time limit and retries, so no
// answer to Alipay and no delivery ever waits for a robot. The debounce state (one message per
// kind per window, with counts), the rejection window and the origin's failure streak are kept
// as JSON in one small table.

import { DurableObject } from 'cloudflare:workers';
import { loadConfig } from '../config/load';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { EMPTY_ALERT_STATE, flushDue, nextWake, noteAlert, returnUnsent, type AlertState } from './debounce';
import { EMPTY_STREAK, noteDelivery, type DeliveryReport, type OriginStreak } from './origin-streak';
import { sendAlert, type AlertSendOptions } from './send';
import type { Alert, AlertDigest } from './types';
import { REJECTION_SPIKE, countSome, emptyWindow, type WindowCount } from './window-count';

/** While the settings are broken nothing can be sent; look again after this. */
const MISCONFIGURED_RETRY_MS = 5 * 60_000;
const MAX_OUTBOX = 50;

/** Rejected notifications counted by an isolate since its last report (src/alerts/rejection-feed.ts). */
export interface RejectionReport {
  /** Signatures that did not verify (signature-mismatch, signature-encoding). */
  readonly signatureFailures: number;
  /** Notifications naming an Alipay certificate no configured one has (and no key verified). */
  readonly unknownCertSns: readonly { readonly sn: string; readonly count: number }[];
  /** Notifications Alipay signed that the gateway refused all the same, by reason (absent from older isolates). */
  readonly genuineRefusals?: readonly { readonly reason: string; readonly count: number }[];
  readonly at: number;
}

export interface DeskView {
  readonly outbox: number;
  readonly pending: Partial<Record<Alert['kind'], number>>;
  readonly lastSentAt: Partial<Record<Alert['kind'], string>>;
  readonly rejectionsInWindow: number;
  readonly originFailures: number;
}

interface OutboxItem {
  readonly id: number;
  readonly digest: AlertDigest;
}

interface DeskState {
  debounce: AlertState;
  outbox: OutboxItem[];
  nextId: number;
  rejections: WindowCount;
  origin: OriginStreak;
}

const EMPTY_DESK: DeskState = { debounce: EMPTY_ALERT_STATE, outbox: [], nextId: 1, rejections: emptyWindow(REJECTION_SPIKE), origin: EMPTY_STREAK };

export class AlertDesk extends DurableObject<GatewayEnv> {
  /** The alarm as last set or read (null: none); undefined until read. */
  private alarmAt: number | null | undefined = undefined;
  /** Tests shorten the sender's waits; production uses sendAlert's defaults. */
  protected sendOptions: AlertSendOptions = {};

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS desk (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  // ---- reports ------------------------------------------------------------------

  /** One occurrence of something a person should hear about. */
  async note(alert: Alert): Promise<void> {
    const state = this.read();
    this.noteInto(state, alert);
    this.write(state);
    await this.schedule(state);
  }

  /** Counts of rejected notifications from one isolate: a spike of signature failures, and certificates the gateway does not have. */
  async rejections(report: RejectionReport): Promise<void> {
    const state = this.read();
    if (report.signatureFailures > 0) {
      const counted = countSome(state.rejections, report.at, REJECTION_SPIKE, REJECTION_SPIKE.threshold, report.signatureFailures);
      state.rejections = counted.state;
      if (counted.reached) {
        this.noteInto(state, {
          kind: 'rejection-spike',
          summary:
            `${counted.count} notifications failed signature verification within ${REJECTION_SPIKE.windowMs / 60_000} minutes. ` +
            'After a key change, check ALIPAY_PUBLIC_KEY (the Alipay public key 支付宝公钥, not your app public key 应用公钥); otherwise someone is sending forged notifications (they are refused).',
          details: { failures: counted.count },
          at: report.at,
        });
      }
    }
    for (const { sn, count } of report.unknownCertSns.slice(0, 5)) {
      this.noteInto(state, {
        kind: 'unknown-cert-sn',
        summary:
          `Notifications name Alipay certificate SN ${sn.slice(0, 40)}, which is not configured, and no configured key verifies them (answered 503: Alipay keeps them). ` +
          'If Alipay renewed its certificate, add the new alipayCertPublicKey_RSA2.crt to ALIPAY_PUBLIC_KEY.',
        details: { sn: sn.slice(0, 40), rejected: count },
        at: report.at,
        count,
      });
    }
    for (const { reason, count } of (report.genuineRefusals ?? []).slice(0, 8)) {
      this.noteInto(state, {
        kind: 'genuine-refused',
        summary:
          `${count} notification${count > 1 ? 's' : ''} signed by Alipay ${count > 1 ? 'were' : 'was'} refused (${reason.slice(0, 40)}): Alipay re-sends for about 25 hours, then gives up. ` +
          `Fix the cause (the "notification" log lines with reason ${reason.slice(0, 40)} say what it is), or the payment never reaches your site.`,
        details: { reason: reason.slice(0, 40), refused: count },
        at: report.at,
        count,
      });
    }
    this.write(state);
    await this.schedule(state);
  }

  /** One delivery attempt's outcome: consecutive failures across orders mean the origin is down. */
  async delivery(report: DeliveryReport): Promise<void> {
    const state = this.read();
    const step = noteDelivery(state.origin, report);
    // A success on a clean streak changes nothing: no write.
    if (report.ok && state.origin.failures === 0) return;
    state.origin = step.streak;
    if (step.alert) this.noteInto(state, step.alert);
    this.write(state);
    await this.schedule(state);
  }

  view(): DeskView {
    const state = this.read();
    const pending: DeskView['pending'] = {};
    const lastSentAt: DeskView['lastSentAt'] = {};
    for (const [kind, ks] of Object.entries(state.debounce.kinds) as [Alert['kind'], NonNullable<AlertState['kinds'][Alert['kind']]>][]) {
      if (ks.pending) pending[kind] = ks.pending.count;
      if (ks.lastSentAt !== null) lastSentAt[kind] = new Date(ks.lastSentAt).toISOString();
    }
    const rejectionsInWindow = countSome(state.rejections, Date.now(), REJECTION_SPIKE, Infinity, 0).count;
    return { outbox: state.outbox.length, pending, lastSentAt, rejectionsInWindow, originFailures: state.origin.failures };
  }

  // ---- sending ------------------------------------------------------------------

  /** Alarms are at-least-once; an item leaves the outbox only once sent, or back into its kind's pending count. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const state = this.read();
    const due = flushDue(state.debounce, Date.now());
    state.debounce = due.state;
    for (const digest of due.send) this.enqueue(state, digest);
    this.write(state);

    const loaded = await loadConfig(this.env);
    if (!loaded.ok) {
      logLine({ level: 'error', msg: 'alerts cannot be sent: gateway settings have problems', problems: loaded.problems.map((p) => p.setting) });
      await this.setAlarm(Date.now() + MISCONFIGURED_RETRY_MS);
      return;
    }
    const target = loaded.config.alerts;
    if (target === null) {
      // ALERT_URL was removed: what was waiting is dropped (it is in the log lines already).
      if (state.outbox.length > 0) logLine({ level: 'warn', msg: 'alerts dropped: ALERT_URL is not set', dropped: state.outbox.map((i) => i.digest.kind) });
      this.write({ ...state, outbox: [] });
      await this.schedule(this.read());
      return;
    }

    for (const item of state.outbox) {
      const result = await sendAlert(target, item.digest, this.sendOptions);
      // Reports may have come in during the send: work on what is stored now.
      const now = this.read();
      now.outbox = now.outbox.filter((i) => i.id !== item.id);
      if (result.ok) {
        logLine({ msg: 'alert sent', kind: item.digest.kind, count: item.digest.count, attempts: result.attempts, format: target.format });
      } else {
        logLine({ level: 'warn', msg: 'alert not sent', kind: item.digest.kind, count: item.digest.count, reason: result.reason, hint: result.hint, attempts: result.attempts });
        now.debounce = returnUnsent(now.debounce, item.digest).state;
      }
      this.write(now);
    }
    await this.schedule(this.read());
  }

  // ---- state --------------------------------------------------------------------

  private noteInto(state: DeskState, alert: Alert): void {
    // The log line is the record; the message is its digest.
    logLine({ level: 'warn', msg: 'alert', alert: alert.kind, summary: alert.summary, ...(alert.details ? { details: alert.details } : {}), ...(alert.count ? { count: alert.count } : {}) });
    const step = noteAlert(state.debounce, alert);
    state.debounce = step.state;
    for (const digest of step.send) this.enqueue(state, digest);
  }

  private enqueue(state: DeskState, digest: AlertDigest): void {
    // An unreachable receiver never lets the outbox grow without bound: failures go back into the
    // per-kind counts, and at most one item per kind is waiting at any time in practice.
    if (state.outbox.length >= MAX_OUTBOX) state.outbox.shift();
    state.outbox.push({ id: state.nextId++, digest });
  }

  private read(): DeskState {
    const rows = this.ctx.storage.sql.exec<{ name: string; value: string }>('SELECT name, value FROM desk').toArray();
    const stored = Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value) as unknown]));
    return { ...structuredClone(EMPTY_DESK), ...(stored as Partial<DeskState>) };
  }

  private write(state: DeskState): void {
    for (const [name, value] of Object.entries(state)) {
      this.ctx.storage.sql.exec('INSERT INTO desk (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', name, JSON.stringify(value));
    }
  }

  /** One alarm: now while the outbox holds something, else when the first pending digest's window ends. */
  private async schedule(state: DeskState): Promise<void> {
    const at = state.outbox.length > 0 ? Date.now() : nextWake(state.debounce);
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (at === null) {
      if (this.alarmAt !== null) {
        this.alarmAt = null;
        await this.ctx.storage.deleteAlarm();
      }
      return;
    }
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    await this.setAlarm(at);
  }

  private async setAlarm(at: number): Promise<void> {
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}
