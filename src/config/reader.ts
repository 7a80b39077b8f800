// Reading raw settings: every problem is collected (not just the first), named by its setting,
// and phrased without ever quoting a secret, so the same list can go to the log and to the
// unauthenticated /health endpoint.

import { unquote } from '../utils/pasted-text';
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
  /** Settings that are set but could not be read at all: their problem is already listed. */
  private readonly unreadable = new Set<SettingName>();
  readonly problem: Report = (setting, message) => {
    // "required" for a setting that is set would contradict the problem already listed for it.
    if (this.unreadable.has(setting) && /^required\b/.test(message)) return;
    this.problems.push({ setting, message });
  };
  readonly warn: Report = (setting, message) => void this.warnings.push({ setting, message });

  constructor(private readonly raw: Readonly<Record<string, unknown>>) {}

  /**
   * The value, trimmed and without ONE pair of quotes around it ("…", '…', “…”): pasted from a
   * shell, a .env file or a Chinese keyboard, the quotes are never part of the value. Unset, empty
   * and whitespace-only all mean "use the default": wrangler.toml often holds `NAME = ""`. A var
   * written without quotes in wrangler.toml (`INDEX_SHARDS = 2`) arrives as a number or boolean and
   * is read as its text.
   */
  text(name: SettingName): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    let text: string;
    if (typeof value === 'string') {
      text = value;
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      text = String(value);
    } else if (typeof value === 'number') {
      // TOML integers are read as JavaScript numbers: past 2^53 the last digits are already gone.
      return this.unreadableValue(name, `is a number too long to keep every digit: write it in quotes in wrangler.toml: ${name} = "..."`);
    } else if (Array.isArray(value)) {
      return this.unreadableValue(name, `must be text, not a list: write it in quotes in wrangler.toml, comma-separated: ${name} = "..."`);
    } else {
      return this.unreadableValue(name, `must be text (a wrangler var or secret), not ${typeof value}`);
    }
    if (text.length > MAX_SETTING_CHARS) {
      return this.unreadableValue(name, `too long (${text.length} characters; at most ${MAX_SETTING_CHARS})`);
    }
    const unquoted = unquote(text);
    return unquoted === '' ? undefined : unquoted;
  }

  private unreadableValue(name: SettingName, message: string): undefined {
    if (!this.unreadable.has(name)) this.problems.push({ setting: name, message });
    this.unreadable.add(name);
    return undefined;
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
