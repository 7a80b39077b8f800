// Parsers for the plain (never secret) settings: sign types, id lists, choices, durations and the
// notify path. Unlike values.ts they report straight into the settings reader's problem list, and may
// quote up to 40 characters of the value, because none of these settings holds a secret.

import { EVENT_KINDS, SIGN_TYPES, type EventKind, type SignType } from '../alipay/types';
import type { SettingName } from './names';
import { splitList, splitWordList } from './values';
import { DAY_MS, formatDuration, parseDuration } from '../utils/duration';

// Bounds that catch typos (`15ms` for `15s`) rather than express policy.
const MAX_RETRY_ATTEMPTS = 50;
const MAX_RETRY_DELAY_MS = 30 * DAY_MS;
const MIN_RETRY_DELAY_MS = 1_000;
const MIN_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 5 * 60_000;

type Report = (message: string) => void;

export function parseSignTypes(s: string, report: Report): SignType[] {
  const accepted = new Set<SignType>();
  for (const item of splitList(s)) {
    const upper = item.toUpperCase();
    if ((SIGN_TYPES as readonly string[]).includes(upper)) accepted.add(upper as SignType);
    else report(`unknown sign type "${item}" (use RSA2, RSA or MD5, comma-separated)`);
  }
  if (accepted.size === 0 && splitList(s).length === 0) report('empty (use RSA2, RSA or MD5, comma-separated)');
  // Canonical order (RSA2 first): verification tries the strongest accepted type first.
  return SIGN_TYPES.filter((t) => accepted.has(t));
}

export function parseIdList(
  s: string | undefined,
  setting: SettingName,
  what: string,
  problem: (setting: SettingName, message: string) => void,
): string[] {
  if (s === undefined) return [];
  // Ids are digits: spaces and line breaks separate them as commas do.
  const ids = splitWordList(s);
  for (const id of ids) {
    if (!/^\d{1,32}$/.test(id)) problem(setting, `${shownId(id)} is not ${what}: Alipay ids are digits only`);
  }
  return ids;
}

/**
 * A wrong id as a problem message (which /health shows to anyone) may quote it: unless it could
 * be a secret pasted into the wrong setting. The MD5 partner key sits beside the partner id in
 * Alipay's console (32 letters and digits), and tokens and keys are long and mixed: those are only
 * described.
 */
function shownId(id: string): string {
  const mostlyDigits = id.replace(/\D/g, '').length * 2 >= id.length;
  if (id.length <= 24 && (mostlyDigits || id.length <= 12)) return `"${id}"`;
  const md5Like = /^[0-9a-z]{32}$/i.test(id) ? ' (it looks like the 32-character MD5 key: keep that one in ALIPAY_MD5_KEY, a secret)' : '';
  return `a ${id.length}-character value${md5Like}`;
}

export function parseChoice<T extends string>(
  setting: SettingName,
  s: string,
  choices: readonly T[],
  problem: (setting: SettingName, message: string) => void,
): T | null {
  const value = s.trim().toLowerCase();
  if ((choices as readonly string[]).includes(value)) return value as T;
  problem(setting, `must be ${choices.join(' or ')}, not "${s.trim().slice(0, 40)}"`);
  return null;
}

export function parseEvents(s: string, report: Report): ReadonlySet<EventKind> {
  const events = new Set<EventKind>();
  const items = splitList(s.toLowerCase());
  for (const item of items) {
    if (item === 'all') EVENT_KINDS.forEach((k) => events.add(k));
    else if ((EVENT_KINDS as readonly string[]).includes(item)) events.add(item as EventKind);
    else report(`unknown event kind "${item.slice(0, 40)}" (use ${EVENT_KINDS.join(', ')} or all, comma-separated)`);
  }
  if (items.length === 0) report(`empty (use ${EVENT_KINDS.join(', ')} or all, comma-separated)`);
  return events;
}

export function parsePositiveDuration(
  setting: SettingName,
  s: string,
  problem: (setting: SettingName, message: string) => void,
): number | null {
  const ms = parseDuration(s);
  if (ms === null || ms <= 0) {
    problem(setting, `"${s.trim().slice(0, 40)}" is not a duration (e.g. 72h, 30m, 10s, 1500ms)`);
    return null;
  }
  return ms;
}

export function parseTimeout(s: string, problem: (setting: SettingName, message: string) => void): number | null {
  const ms = parsePositiveDuration('DELIVERY_TIMEOUT', s, problem);
  if (ms !== null && (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS)) {
    problem('DELIVERY_TIMEOUT', `must be between ${formatDuration(MIN_TIMEOUT_MS)} and ${formatDuration(MAX_TIMEOUT_MS)}`);
    return null;
  }
  return ms;
}

export function parseRetrySchedule(s: string, report: Report): number[] {
  const items = splitList(s);
  const delays: number[] = [];
  items.forEach((item, i) => {
    const ms = parseDuration(item);
    if (ms === null || ms <= 0) report(`entry ${i + 1} "${item.slice(0, 40)}" is not a duration (e.g. 10s,1m,5m,2h)`);
    else if (ms > MAX_RETRY_DELAY_MS) report(`entry ${i + 1} is longer than ${formatDuration(MAX_RETRY_DELAY_MS)}`);
    else if (ms < MIN_RETRY_DELAY_MS) report(`entry ${i + 1} "${item.slice(0, 40)}" is shorter than 1s (ms for s?)`);
    else delays.push(ms);
  });
  if (items.length === 0) report('empty (a comma-separated list of delays, e.g. 10s,1m,5m,2h)');
  if (items.length + 1 > MAX_RETRY_ATTEMPTS) report(`too many entries (${items.length}; at most ${MAX_RETRY_ATTEMPTS - 1})`);
  return delays;
}

export function parseNotifyPath(s: string, report: Report): string | null {
  const path = s.trim();
  if (!path.startsWith('/')) report(`must start with "/" (e.g. /alipay/notify)`);
  else if (!/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(path)) report('must be a plain URL path (no spaces, "?" or "#")');
  else if (path === '/health') report('/health is taken by the health check; choose another path');
  else return path;
  return null;
}
