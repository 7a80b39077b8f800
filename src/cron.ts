// The cron trigger (wrangler.toml [triggers]): once a day, the certificates that expire within
// 30 days are reported to the alert desk (its debounce makes that one message a day per kind).
// Work is dispatched by the trigger's expression, so each job runs on its own schedule.

import { alertDesk } from './alerts/desk-stub';
import { expiringCertificates, type WatchedCertificate } from './alerts/cert-expiry';
import { loadConfig } from './config/load';
import type { Config } from './config/types';
import type { GatewayEnv } from './env';
import { logLine } from './log';

/** 01:00 UTC, 09:00 in Beijing: a certificate reminder arrives in working hours. Must match wrangler.toml. */
export const DAILY_CRON = '0 1 * * *';

export async function handleScheduled(controller: Pick<ScheduledController, 'cron' | 'scheduledTime'>, env: GatewayEnv): Promise<void> {
  const loaded = await loadConfig(env);
  if (!loaded.ok) {
    logLine({ level: 'error', msg: 'scheduled work skipped: gateway settings have problems', cron: controller.cron, problems: loaded.problems.map((p) => p.setting) });
    return;
  }
  if (controller.cron === DAILY_CRON) await checkCertificates(loaded.config, env, controller.scheduledTime);
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
