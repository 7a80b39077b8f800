// Durations as operators write them in wrangler.toml: `1500ms`, `10s`, `1m`, `2h`, `1d`, `1.5h`.
// A unit is mandatory: a bare `10` could mean seconds or milliseconds, and guessing wrong
// turns a 10-second retry into a 10-millisecond one. Units may be upper case (`30S`, `2M`): there
// is no month or week unit, so `M` can only be minutes.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const HOUR_MS = UNIT_MS.h;
export const DAY_MS = UNIT_MS.d;

const DURATION = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m|h|d)$/i;

/** Milliseconds (rounded to a whole number), or null when `s` is not a duration. */
export function parseDuration(s: string): number | null {
  const match = DURATION.exec(s.trim());
  if (!match) return null;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2]!.toLowerCase() as keyof typeof UNIT_MS]);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest exact spelling of `ms` in the same syntax, for summaries (`90000` -> `90s`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
