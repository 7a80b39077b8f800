// When to try again. The schedule is the operator's (RETRY_SCHEDULE); jitter spreads a burst of
// retries (an origin outage fails many orders at once) so they do not all return together.
import { DAY_MS } from '../utils/duration';

/** Jitter only ever lengthens a delay (up to +20%), so a retry never comes earlier than configured. */
const JITTER = 0.2;
/** A Retry-After beyond this is treated as this: one origin header must not park an event for weeks. */
const MAX_RETRY_AFTER_MS = DAY_MS;

/**
 * Delay before the next attempt, or null when the schedule is exhausted.
 * `attemptsMade` counts attempts in the current cycle (1 after the first failure);
 * `scheduleMs[i]` is the delay after attempt i+1.
 */
export function nextRetryDelayMs(
  scheduleMs: readonly number[],
  attemptsMade: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  const base = scheduleMs[attemptsMade - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 + JITTER * random()));
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null; // Date.parse accepts bare numbers like "-1" or "1.5"; HTTP-dates always have a day name
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
