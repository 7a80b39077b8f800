// env -> one typed Config, read section by section; any problem in any section makes the whole
// result a list of problems (all of them, by setting name) instead of a config.

import { readAlertSettings } from './alert-settings';
import { readAlipaySettings } from './alipay-settings';
import { readForwardSettings } from './forward-settings';
import { SETTING_NAMES, type ConfigEnv } from './names';
import { SettingsReader } from './reader';
import { readReconcileSettings } from './reconcile-settings';
import { readRouteSettings } from './route-settings';
import { summarize } from './summary';
import { readVisibilitySettings } from './visibility-settings';
import type { ConfigResult } from './types';

// Keyed on the raw strings: the same env (every request of an isolate) parses keys once.
// A handful of entries covers tests that load several configs in one isolate.
const MEMO_LIMIT = 8;
const memo = new Map<string, Promise<ConfigResult>>();

export function loadConfig(env: ConfigEnv): Promise<ConfigResult> {
  const raw = env as Record<string, unknown>;
  const memoKey = JSON.stringify(SETTING_NAMES.map((name) => (typeof raw[name] === 'string' ? raw[name] : typeof raw[name])));
  let result = memo.get(memoKey);
  if (!result) {
    result = parseConfig(raw);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(memoKey, result);
  }
  return result;
}

async function parseConfig(raw: Record<string, unknown>): Promise<ConfigResult> {
  const settings = new SettingsReader(raw);
  const alipay = await readAlipaySettings(settings);
  const forward = readForwardSettings(settings);
  const { section: routes, routes: brokenRoutes } = readRouteSettings(settings);
  const visibility = readVisibilitySettings(settings, routes?.notifyPath ?? null);
  const reconcile = await readReconcileSettings(settings, alipay);
  const alerts = readAlertSettings(settings);

  if (settings.problems.length > 0 || !alipay || !forward || !routes || !visibility || !reconcile || !alerts) {
    return { ok: false, problems: settings.sortedProblems(), routes: brokenRoutes };
  }
  return {
    ok: true,
    config: {
      alipay,
      notifyPath: routes.notifyPath,
      ackMode: forward.ackMode,
      forward: forward.forward,
      returnUrl: routes.returnUrl?.href ?? null,
      adminToken: routes.adminToken,
      visibility,
      reconcile: reconcile.reconcile,
      alerts: alerts.target,
      summary: summarize(alipay, forward, routes, settings.warnings, { visibility, reconcile: reconcile.summary, alerts: alerts.summary }),
    },
  };
}
