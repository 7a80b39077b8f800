// The cron triggers (wrangler.toml [triggers]), dispatched by their expression so each job runs on
// its own schedule:
// - once a day, the certificates that expire within 30 days are reported to the alert desk;
// - every hour, the sweep: registered orders still unpaid (waiting rows of the payments index,
//   newest first, up to SWEEP_MAX_ORDERS) are asked about, by their ledger, when nobody asked for
//   an hour. Their own schedule normally does it; the sweep covers an order whose ledger lost its
//   alarm, and orders payable for days.

import { alertDesk } from './alerts/desk-stub';
import { expiringCertificates, type WatchedCertificate } from './alerts/cert-expiry';
import { loadConfig } from './config/load';
import type { Config } from './config/types';
import type { GatewayEnv } from './env';
import { logLine } from './log';
import type { IndexedPayment } from './payments/index-store';
import { listPayments, type Page } from './payments/queries';
import { DAY_MS } from './utils/duration';

/** 01:00 UTC, 09:00 in Beijing: a certificate reminder arrives in working hours. Must match wrangler.toml. */
export const DAILY_CRON = '0 1 * * *';
/** Every hour (at a minute nothing else favours). Must match wrangler.toml. */
export const SWEEP_CRON = '17 * * * *';
/** Registered orders first seen this long ago at most are swept; older ones have expired (Alipay's window is at most 15 days). */
const SWEEP_WINDOW_MS = 15 * DAY_MS;
/**
 * Waiting orders read per index page, and at most per sweep: the sweep is a safety net, not the
 * schedule. 600 ledger calls and the few index pages that list them stay well inside a cron
 * invocation's 1,000 subrequests. Orders whose asking ended (closed, or expired unpaid) are no
 * longer waiting rows, so abandoned orders do not crowd payable ones out of it.
 */
const SWEEP_PAGE = 200;
const SWEEP_MAX_ORDERS = 600;
const SWEEP_CONCURRENCY = 4;
/** The swept orders' queries go out this far apart (600 orders: a minute), not all at once. */
export const SWEEP_SPACING_MS = 100;
/**
 * Ledger calls failing this many times in a row end the sweep early: the cause is then not one
 * order (the invocation ran out of subrequests, or storage is down), and each further call would
 * only fail and log the same way. The next hourly sweep starts again.
 */
const SWEEP_FAILURES_TO_STOP = 10;

export async function handleScheduled(controller: Pick<ScheduledController, 'cron' | 'scheduledTime'>, env: GatewayEnv): Promise<void> {
  const loaded = await loadConfig(env);
  if (!loaded.ok) {
    logLine({ level: 'error', msg: 'scheduled work skipped: gateway settings have problems', cron: controller.cron, problems: loaded.problems.map((p) => p.setting) });
    return;
  }
  if (controller.cron === DAILY_CRON) await checkCertificates(loaded.config, env, controller.scheduledTime);
  if (controller.cron === SWEEP_CRON) await sweepExpectedOrders(loaded.config, env, controller.scheduledTime);
}

/** Registered orders still waiting: their ledgers ask Alipay if nobody did for an hour (they decide; most say no). */
export async function sweepExpectedOrders(
  config: Config,
  env: GatewayEnv,
  now: number,
  { page: pageSize = SWEEP_PAGE, max = SWEEP_MAX_ORDERS } = {},
): Promise<{ orders: number; asked: number; stopped: boolean }> {
  if (config.reconcile === null) return { orders: 0, asked: 0, stopped: false };
  const scope = { env, shards: config.visibility.indexShards };
  const orders: IndexedPayment[] = [];
  let before: Page['next'] = null;
  do {
    const limit = Math.min(pageSize, max - orders.length);
    const page = await listPayments(scope, { from: now - SWEEP_WINDOW_MS, to: now + 1, statuses: ['waiting'], deliveries: null, before, limit });
    orders.push(...page.items.filter((row) => row.outTradeNo !== null));
    before = page.next;
  } while (before !== null && orders.length < max);
  let asked = 0;
  let next = 0;
  let failuresInARow = 0;
  let stopped = false;
  const worker = async () => {
    while (next < orders.length && !stopped) {
      const index = next++;
      const row = orders[index]!;
      try {
        const answer = await env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(row.orderKey)).askSoon(
          'sweep',
          { orderKey: row.orderKey, app: row.appId, outTradeNo: row.outTradeNo! },
          now + index * SWEEP_SPACING_MS,
        );
        failuresInARow = 0;
        if (answer.asked) asked += 1;
      } catch (error) {
        failuresInARow += 1;
        // Once stopped, a call still out that succeeds does not start the sweep again.
        if (failuresInARow >= SWEEP_FAILURES_TO_STOP) stopped = true;
        logLine({ level: 'warn', msg: 'sweep could not reach an order', order: row.orderKey, error });
      }
    }
  };
  await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  logLine({
    level: stopped ? 'warn' : 'info',
    msg: 'sweep of registered orders',
    waiting: orders.length,
    asked,
    ...(stopped ? { stopped: `${SWEEP_FAILURES_TO_STOP} orders in a row could not be reached; the next sweep tries again`, not_reached: orders.length - next } : {}),
  });
  return { orders: orders.length, asked, stopped };
}

/** The certificates the gateway depends on, with their expiry. */
export function watchedCertificates(config: Config): WatchedCertificate[] {
  const certs: WatchedCertificate[] = [];
  for (const key of config.alipay.keys) {
    if (key.certSn !== undefined && key.notAfter !== undefined) certs.push({ role: 'alipay', sn: key.certSn, notAfter: key.notAfter });
  }
  const app = config.reconcile?.certificates;
  if (app) certs.push({ role: 'app', sn: app.appCertSn, notAfter: app.appCertNotAfter });
  return certs;
}

async function checkCertificates(config: Config, env: GatewayEnv, now: number): Promise<void> {
  const alerts = expiringCertificates(watchedCertificates(config), now);
  if (config.alerts === null) {
    // No one to tell: the log line is all there is (the desk logs each alert it receives itself).
    for (const alert of alerts) logLine({ level: 'warn', msg: 'alert', alert: alert.kind, summary: alert.summary, details: alert.details });
    return;
  }
  const desk = alertDesk(env);
  for (const alert of alerts) await desk.note(alert);
}
