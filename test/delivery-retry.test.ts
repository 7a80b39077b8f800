// Retry schedule, jitter and Retry-After.
import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs, parseRetryAfter } from '../src/delivery/retry';

const schedule = [10_000, 60_000, 300_000];

describe('nextRetryDelayMs', () => {
  it('follows the schedule and ends after it', () => {
    expect(nextRetryDelayMs(schedule, 1, null, () => 0)).toBe(10_000);
    expect(nextRetryDelayMs(schedule, 2, null, () => 0)).toBe(60_000);
    expect(nextRetryDelayMs(schedule, 3, null, () => 0)).toBe(300_000);
    expect(nextRetryDelayMs(schedule, 4, null, () => 0)).toBeNull();
    expect(nextRetryDelayMs([], 1, null)).toBeNull();
  });

  it('adds jitter of at most 20%, never less than the schedule', () => {
    expect(nextRetryDelayMs(schedule, 1, null, () => 0.999_999)).toBe(12_000);
    for (let i = 0; i < 50; i++) {
      const d = nextRetryDelayMs(schedule, 2, null)!;
      expect(d).toBeGreaterThanOrEqual(60_000);
      expect(d).toBeLessThanOrEqual(72_000);
    }
  });

  it('honours a longer Retry-After, capped at one day', () => {
    expect(nextRetryDelayMs(schedule, 1, 120_000, () => 0)).toBe(120_000);
    expect(nextRetryDelayMs(schedule, 2, 1_000, () => 0)).toBe(60_000);
    expect(nextRetryDelayMs(schedule, 1, 30 * 86_400_000, () => 0)).toBe(86_400_000);
    expect(nextRetryDelayMs(schedule, 3, 1_000, () => 0)).toBe(300_000);
    expect(nextRetryDelayMs(schedule, 4, 1_000, () => 0)).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('-1', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
