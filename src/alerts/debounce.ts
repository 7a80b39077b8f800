// One message per kind per window, with counts. The first occurrence of a kind goes out at once;
// what follows within the window is counted (its first few kept as samples) and goes out as one
// digest when the window ends. Pure functions over a small JSON state: the state's home (a
// Durable Object's storage, with an alarm at `wakeAt`) calls them and sends what they return.

import { ALERT_KINDS, type Alert, type AlertDetailValue, type AlertDigest, type AlertKind } from './types';

export interface KindState {
  /** When the last message of this kind went out (or was attempted), epoch ms. */
  readonly lastSentAt: number | null;
  /** Occurrences since then, not sent yet. */
  readonly pending: AlertDigest | null;
}

export interface AlertState {
  readonly kinds: Readonly<Partial<Record<AlertKind, KindState>>>;
}

export const EMPTY_ALERT_STATE: AlertState = { kinds: {} };

export interface DebouncePolicy {
  /** Window per kind, ms. */
  readonly windowMs: Readonly<Record<AlertKind, number>>;
  readonly maxSamples: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_POLICY: DebouncePolicy = {
  windowMs: {
    'dead-letter': 10 * MINUTE,
    'origin-failing': 30 * MINUTE,
    'rejection-spike': 30 * MINUTE,
    'payment-found-by-query': 10 * MINUTE,
    'amount-mismatch': 10 * MINUTE,
    // A certificate that expires in weeks needs a daily reminder, not one every few minutes.
    'certificate-expiring': 24 * HOUR,
    'unknown-cert-sn': HOUR,
    'deliveries-held': HOUR,
    'query-failing': HOUR,
    'genuine-refused': 30 * MINUTE,
  },
  maxSamples: 5,
};

/** What to do now: the digests to send, and when to call flushDue next (null: nothing pending). */
export interface DebounceStep {
  readonly state: AlertState;
  readonly send: AlertDigest[];
  readonly wakeAt: number | null;
}

// Alerts come from code, but may quote what a client sent: bounded so the state stays small.
const MAX_SUMMARY_CHARS = 300;
const MAX_DETAILS = 12;
const MAX_DETAIL_CHARS = 200;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The alert as it is kept: summary and details bounded. */
export function boundedAlert(alert: Alert): Alert {
  const details: Record<string, AlertDetailValue> = {};
  for (const [key, value] of Object.entries(alert.details ?? {}).slice(0, MAX_DETAILS)) {
    details[clip(key, 40)] = typeof value === 'string' ? clip(value, MAX_DETAIL_CHARS) : value;
  }
  return { kind: alert.kind, summary: clip(alert.summary, MAX_SUMMARY_CHARS), ...(alert.details ? { details } : {}), at: alert.at };
}

function merge(earlier: AlertDigest | null, later: AlertDigest, maxSamples: number): AlertDigest {
  if (earlier === null) return { ...later, samples: later.samples.slice(0, maxSamples) };
  return {
    kind: later.kind,
    count: earlier.count + later.count,
    firstAt: Math.min(earlier.firstAt, later.firstAt),
    lastAt: Math.max(earlier.lastAt, later.lastAt),
    samples: [...earlier.samples, ...later.samples].slice(0, maxSamples),
  };
}

function digestOf(alert: Alert): AlertDigest {
  const kept = boundedAlert(alert);
  const count = Math.max(1, Math.floor(alert.count ?? 1));
  return { kind: kept.kind, count, firstAt: kept.at, lastAt: kept.at, samples: [kept] };
}

function withKind(state: AlertState, kind: AlertKind, ks: KindState): AlertState {
  return { kinds: { ...state.kinds, [kind]: ks } };
}

/** The earliest moment a pending digest may go out. */
export function nextWake(state: AlertState, policy: DebouncePolicy = DEFAULT_POLICY): number | null {
  let wake: number | null = null;
  for (const kind of ALERT_KINDS) {
    const ks = state.kinds[kind];
    if (!ks?.pending) continue;
    const at = (ks.lastSentAt ?? ks.pending.firstAt) + policy.windowMs[kind];
    if (wake === null || at < wake) wake = at;
  }
  return wake;
}

/** One occurrence, at `alert.at`: sent at once when its kind's window is clear, else counted. */
export function noteAlert(state: AlertState, alert: Alert, policy: DebouncePolicy = DEFAULT_POLICY): DebounceStep {
  const now = alert.at;
  const ks = state.kinds[alert.kind] ?? { lastSentAt: null, pending: null };
  const merged = merge(ks.pending, digestOf(alert), policy.maxSamples);
  const windowClear = ks.lastSentAt === null || now - ks.lastSentAt >= policy.windowMs[alert.kind];
  const next = withKind(state, alert.kind, windowClear ? { lastSentAt: now, pending: null } : { lastSentAt: ks.lastSentAt, pending: merged });
  return { state: next, send: windowClear ? [merged] : [], wakeAt: nextWake(next, policy) };
}

/** At `now` (an alarm): every pending digest whose window has ended. */
export function flushDue(state: AlertState, now: number, policy: DebouncePolicy = DEFAULT_POLICY): DebounceStep {
  let next = state;
  const send: AlertDigest[] = [];
  for (const kind of ALERT_KINDS) {
    const ks = next.kinds[kind];
    if (!ks?.pending) continue;
    if (ks.lastSentAt !== null && now - ks.lastSentAt < policy.windowMs[kind]) continue;
    send.push(ks.pending);
    next = withKind(next, kind, { lastSentAt: now, pending: null });
  }
  return { state: next, send, wakeAt: nextWake(next, policy) };
}

/**
 * A digest that could not be delivered (its retries spent): back in front of its kind's pending
 * occurrences, counts kept, to go out with them when the window ends. The window is not reset, so
 * an unreachable alert URL is tried once per window, not in a loop.
 */
export function returnUnsent(state: AlertState, digest: AlertDigest, policy: DebouncePolicy = DEFAULT_POLICY): DebounceStep {
  const ks = state.kinds[digest.kind] ?? { lastSentAt: null, pending: null };
  const pending = ks.pending === null ? merge(null, digest, policy.maxSamples) : merge(digest, ks.pending, policy.maxSamples);
  const next = withKind(state, digest.kind, { lastSentAt: ks.lastSentAt ?? digest.lastAt, pending });
  return { state: next, send: [], wakeAt: nextWake(next, policy) };
}
