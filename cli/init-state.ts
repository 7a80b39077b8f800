// What is configured now: wrangler.toml's [vars] and routes, and the secrets' names from
// `wrangler secret list` (Cloudflare never gives their values back), or everything in .dev.vars
// for a local trial.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { devVarsValues, readDevVarsText } from './init-devvars';
import { SETTINGS } from './init-settings';
import { parseToml, readWranglerLayout, type TomlDoc, type WranglerLayout } from './init-toml';
import { listSecrets, type WranglerRunner } from './init-wrangler';

export const WRANGLER_TOML = 'wrangler.toml';

export interface CurrentState {
  tomlPath: string;
  toml: TomlDoc;
  layout: WranglerLayout;
  /** Setting values init can see: wrangler.toml's vars, or everything in .dev.vars. */
  known: Record<string, string>;
  /** Secrets that are set but whose values init cannot see (Cloudflare). */
  hiddenSecrets: Set<string>;
  devVarsText: string | null;
  /** The Worker does not exist on Cloudflare yet. */
  noWorker: boolean;
}

export type StateResult =
  | { ok: true; state: CurrentState }
  | { ok: false; reason: 'no-toml' | 'unsupported-toml' | 'not-logged-in' | 'wrangler-failed'; detail: string };

export async function readState(dir: string, options: { devVars: boolean; wrangler: WranglerRunner }): Promise<StateResult> {
  const tomlPath = join(dir, WRANGLER_TOML);
  let text: string;
  try {
    text = await readFile(tomlPath, 'utf8');
  } catch {
    return { ok: false, reason: 'no-toml', detail: tomlPath };
  }
  const toml = parseToml(text);
  const layout = readWranglerLayout(toml);
  if (layout.unsupported) return { ok: false, reason: 'unsupported-toml', detail: layout.unsupported };

  const known: Record<string, string> = { ...layout.vars };
  const hiddenSecrets = new Set<string>();
  let devVarsText: string | null = null;
  let noWorker = false;
  if (options.devVars) {
    devVarsText = await readDevVarsText(dir);
    Object.assign(known, devVarsValues(devVarsText));
  } else {
    const secrets = await listSecrets(options.wrangler);
    if (!secrets.ok) return { ok: false, reason: secrets.reason === 'not-logged-in' ? 'not-logged-in' : 'wrangler-failed', detail: secrets.output };
    noWorker = 'noWorker' in secrets;
    for (const name of secrets.names) hiddenSecrets.add(name);
  }
  return { ok: true, state: { tomlPath, toml, layout, known, hiddenSecrets, devVarsText, noWorker } };
}

/** Whether a setting has a value now (seen or hidden). */
export function isSet(state: CurrentState, name: string): boolean {
  return (state.known[name] ?? '').trim() !== '' || state.hiddenSecrets.has(name);
}

/** A project counts as configured once the Alipay key or the app id is there. */
export function isConfigured(state: CurrentState): boolean {
  return ['ALIPAY_PUBLIC_KEY', 'ALIPAY_APP_ID', 'ALIPAY_SELLER_ID', 'ORIGIN_URL'].some((name) => isSet(state, name));
}

/** Rows for "what is set": vars with their values, secrets as set/unset, never a secret's value. */
export function describeState(state: CurrentState): { name: string; shown: string; set: boolean }[] {
  return SETTINGS.map((entry) => {
    const set = isSet(state, entry.name);
    const value = state.known[entry.name];
    // A secret is shown as set (''), never by value, even when .dev.vars holds it.
    const shown = set && entry.storage === 'var' && value !== undefined ? value : '';
    return { name: entry.name, shown, set };
  });
}
