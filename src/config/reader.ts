// Reading raw settings: every problem is collected (not just the first), named by its setting,
// and phrased without ever quoting a secret, so the same list can go to the log and to the
// unauthenticated /health endpoint.

import { DEFAULTS, SETTING_NAMES, type SettingName } from './names';
import type { ConfigProblem } from './types';

/** Far above any real value (a certificate chain is a few KiB); bounds what parsing may cost. */
const MAX_SETTING_CHARS = 64 * 1024;

/** `NAME: message`, the one-line form used in logs, /health and the CLI. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.setting}: ${p.message}`;
}

export type Report = (setting: SettingName, message: string) => void;

export class SettingsReader {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  readonly problem: Report = (setting, message) => void this.problems.push({ setting, message });
  readonly warn: Report = (setting, message) => void this.warnings.push({ setting, message });

  constructor(private readonly raw: Readonly<Record<string, unknown>>) {}

  /** Unset, empty and whitespace-only all mean "use the default": wrangler.toml often holds `NAME = ""`. */
  text(name: SettingName): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.problem(name, `must be text (a wrangler var or secret), not ${typeof value}`);
      return undefined;
    }
    if (value.length > MAX_SETTING_CHARS) {
      this.problem(name, `too long (${value.length} characters; at most ${MAX_SETTING_CHARS})`);
      return undefined;
    }
    return value.trim() === '' ? undefined : value;
  }

  withDefault(name: keyof typeof DEFAULTS): string {
    return this.text(name) ?? DEFAULTS[name];
  }

  /** Problems in the order of SETTING_NAMES. */
  sortedProblems(): ConfigProblem[] {
    const order = (p: ConfigProblem) => SETTING_NAMES.indexOf(p.setting);
    return [...this.problems].sort((a, b) => order(a) - order(b));
  }
}
