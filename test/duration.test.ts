import { expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/utils/duration';

it.each([
  ['1500ms', 1_500],
  ['10s', 10_000],
  ['1m', 60_000],
  ['5m', 300_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
  ['1.5h', 5_400_000],
  [' 30s ', 30_000],
  ['0s', 0],
  // Upper-case units, as typed with Caps Lock or copied from elsewhere. There is no month or week
  // unit, so M is minutes.
  ['30S', 30_000],
  ['2M', 120_000],
  ['1M', 60_000],
  ['1500MS', 1_500],
  ['250Ms', 250],
  ['2H', 7_200_000],
  ['1D', 86_400_000],
])('parses %s', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
});

it.each(['', '10', 's', '10 s', '10sec', '-1s', '+1s', '1e3ms', '1.2345s', '10s,1m', '1w', '1W', '1y', '1mo', '1µs'])('refuses %j', (text) => {
  expect(parseDuration(text)).toBeNull();
});

it('formats with the largest exact unit', () => {
  expect([1_500, 10_000, 90_000, 3_600_000, 86_400_000, 0].map(formatDuration)).toEqual(['1500ms', '10s', '90s', '1h', '1d', '0ms']);
});
