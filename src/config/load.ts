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
// Per env object, the values its result was built from: the runtime hands every request of an
// isolate the same env, so a request only compares the settings (no key string to build; with
// certificates that is several KiB per request). A changed value falls through to the memo.
const byEnv = new WeakMap<object, { values: unknown[]; result: Promise<ConfigResult> }>();

export function loadConfig(env: ConfigEnv): Promise<ConfigResult> {
  const raw = env as Record<string, unknown>;
  const last = byEnv.get(raw);
  if (last !== undefined && SETTING_NAMES.every((name, i) => raw[name] === last.values[i])) return last.result;
  const values = SETTING_NAMES.map((name) => raw[name]);
  // Numbers and booleans (vars written without quotes in wrangler.toml) are read as their text, so
  // they key by value too: INDEX_SHARDS = 2 and INDEX_SHARDS = 3 are different configurations.
  const memoKey = JSON.stringify(values.map(memoPart));
  let result = memo.get(memoKey);
  if (!result) {
    result = parseConfig(raw);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(memoKey, result);
  }
  byEnv.set(raw, { values, result });
  return result;
}

function memoPart(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  return Array.isArray(value) ? 'list' : typeof value;
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
