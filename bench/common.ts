// What bench:verify and bench:e2e share: reading positive-integer options, printing the report
// (stdout) and progress (stderr), the machine line every report starts with, and the number and
// table formatting.
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

export interface IntOption {
  readonly default: number;
  /** Inclusive; none by default. */
  readonly max?: number;
}

/**
 * The command line's `--name N` options (positive integers, each with a default) and `--flag`
 * booleans (false unless given). Anything else, or a value out of range, throws.
 */
export function readOptions<I extends string, F extends string = never>(
  ints: Record<I, IntOption>,
  flags: readonly F[] = [],
): Record<I, number> & Record<F, boolean> {
  const entries = Object.entries(ints) as [I, IntOption][];
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(entries.map(([name, o]) => [name, { type: 'string' as const, default: String(o.default) }])),
      ...Object.fromEntries(flags.map((name) => [name, { type: 'boolean' as const, default: false }])),
    },
  });
  const read = values as Record<string, string | boolean>;
  const out: Record<string, number | boolean> = {};
  for (const [name, o] of entries) out[name] = positiveInt(name, read[name] as string, o.max);
  for (const name of flags) out[name] = read[name] === true;
  return out as Record<I, number> & Record<F, boolean>;
}

function positiveInt(name: string, text: string, max = Number.POSITIVE_INFINITY): number {
  const n = Number(text);
  if (Number.isInteger(n) && n >= 1 && n <= max) return n;
  const range = max === Number.POSITIVE_INFINITY ? 'a positive integer' : `an integer from 1 to ${max}`;
  throw new Error(`--${name} must be ${range}, got "${text}"`);
}

export const print = (line = ''): void => void process.stdout.write(`${line}\n`);
/** Progress goes to stderr, and only to a terminal, so a captured report stays clean. */
export const progress = (line: string): void => void (process.stderr.isTTY && process.stderr.write(`${line}\n`));

export const loadAverage = (): string => loadavg()[0]!.toFixed(2);

/** The first line of a report: what ran it and how busy the machine was; `details` go before the load average. */
export function machineLine(...details: string[]): string {
  return [`Node ${process.version} ${process.platform}/${process.arch}`, `${availableParallelism()} CPUs`, ...details, `load average ${loadAverage()} at start`].join(', ');
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, digits = 1): string => n.toFixed(digits);

/** Columns padded to their widest cell: the first `leftColumns` left-aligned, the rest (numbers) right-aligned. */
export function align(rows: string[][], leftColumns: number): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col < leftColumns ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ').trimEnd());
}

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
