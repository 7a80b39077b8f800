// Checking an answer on the spot with the gateway's own diagnostics: the candidate value goes
// through the same loadConfig the Worker runs (with every answer given so far), and the problems
// it reports for that setting are the answer's problems. So init can never accept what the
// deployed gateway would refuse, and its messages are the ones /health and `check` show.
//
// Settings the gateway does not know yet (being built on other branches) are checked by a local
// validator until they land: `gatewayOr(local)` uses the gateway's reading as soon as the name is
// in SETTING_NAMES, so the local one retires by itself (then the entry drops its `check`, which
// means the gateway's reading, and the local validator can go). `locallyValidated()` in init-settings.ts lists the ones in use.

import { loadConfig } from '../src/config/load';
import { SETTING_NAMES, type SettingName } from '../src/config/names';

export type Verdict = { ok: true; notes: string[] } | { ok: false; problems: string[] };
/** Every answer known so far (vars and secrets), by setting name. */
export type KnownSettings = Readonly<Record<string, string>>;

export interface Validator {
  /** `gateway`: the Worker's own config reader; `local`: a stand-in until the gateway has the setting. */
  readonly source: (name: string) => 'gateway' | 'local';
  check(name: string, value: string, known: KnownSettings): Promise<Verdict>;
}

const OK: Verdict = { ok: true, notes: [] };

export function isGatewaySetting(name: string): name is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

/** The problems the gateway reports for `name` when it runs with `known` plus this value. */
export async function gatewayProblems(name: SettingName, value: string, known: KnownSettings): Promise<string[]> {
  const result = await loadConfig({ ...known, [name]: value });
  if (result.ok) return [];
  return result.problems.filter((p) => p.setting === name).map((p) => p.message);
}

/** The gateway's reading of the setting (problems for it, nothing else). */
export const gateway: Validator = {
  source: () => 'gateway',
  async check(name, value, known) {
    if (!isGatewaySetting(name)) throw new Error(`${name} is not a gateway setting: give its table entry a local validator`);
    const problems = await gatewayProblems(name, value, known);
    return problems.length > 0 ? { ok: false, problems } : OK;
  },
};

type LocalCheck = (value: string, known: KnownSettings) => Verdict | Promise<Verdict>;

/** The gateway's reading once the setting exists there; until then `local`. */
export function gatewayOr(local: LocalCheck): Validator {
  return {
    source: (name) => (isGatewaySetting(name) ? 'gateway' : 'local'),
    async check(name, value, known) {
      if (isGatewaySetting(name)) return gateway.check(name, value, known);
      return local(value, known);
    },
  };
}
