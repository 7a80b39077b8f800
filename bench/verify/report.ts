// Printing for bench:verify: one table of medians, the goal ratios three ways, and where the
// core's time goes.

import { align, fixed, int, median } from '../common';
import type { Candidate, Sample } from './harness';

export const GOAL_A_OVER_B = 0.85;
export const GOAL_A_OVER_C = 1.0;

export interface Summary {
  readonly opsPerSec: number;
  readonly min: number;
  readonly max: number;
  readonly cpuMicrosPerOp: number;
}

export function summarize(samples: readonly Sample[]): Summary {
  const ops = samples.map((s) => s.opsPerSec);
  return {
    opsPerSec: median(ops),
    min: Math.min(...ops),
    max: Math.max(...ops),
    cpuMicrosPerOp: median(samples.map((s) => s.cpuMicrosPerOp)),
  };
}

function modeLabel(c: Candidate, concurrency: number): string {
  return c.mode === 'concurrent' ? `${concurrency} in flight` : c.mode;
}

export function table(
  candidates: readonly Candidate[],
  results: ReadonlyMap<string, Summary>,
  paired: ReadonlyMap<string, number>,
  concurrency: number,
): string[] {
  const rows = [['candidate', 'mode', 'ops/s median', 'min .. max', 'CPU us/op', 'op-by-op ops/s']];
  for (const c of candidates) {
    const r = results.get(c.id)!;
    const p = paired.get(c.id);
    rows.push([
      c.label,
      modeLabel(c, concurrency),
      int(r.opsPerSec),
      `${int(r.min)} .. ${int(r.max)}`,
      fixed(r.cpuMicrosPerOp),
      p === undefined ? '-' : int(p),
    ]);
  }
  return align(rows, 2);
}

export interface RatioInputs {
  readonly samples: ReadonlyMap<string, readonly Sample[]>;
  readonly results: ReadonlyMap<string, Summary>;
  readonly paired: ReadonlyMap<string, number>;
  readonly concurrency: number;
}

function verdict(ratio: number, goal: number): string {
  return `${fixed(ratio, 2)} ${ratio >= goal ? 'pass' : 'FAIL'}`;
}

/**
 * Each goal ratio three ways: the median of per-round ratios (the two slots of a round are
 * close in time), op-by-op interleaving (sequential only), and CPU time per verification
 * (how much CPU the same work costs, whatever the threading and the machine's other load).
 */
export function ratios({ samples, results, paired, concurrency }: RatioInputs): string[] {
  const perRound = (x: string, y: string): number => median(samples.get(x)!.map((s, i) => s.opsPerSec / samples.get(y)![i]!.opsPerSec));
  const cpu = (x: string, y: string): number => results.get(y)!.cpuMicrosPerOp / results.get(x)!.cpuMicrosPerOp;
  const pair = (x: string, y: string): number | undefined => {
    const px = paired.get(x);
    const py = paired.get(y);
    return px === undefined || py === undefined ? undefined : px / py;
  };
  const row = (name: string, x: string, y: string, goal: number): string[] => {
    const p = pair(x, y);
    return [name, `>= ${fixed(goal, 2)}`, verdict(perRound(x, y), goal), p === undefined ? '-' : verdict(p, goal), verdict(cpu(x, y), goal)];
  };
  const inFlight = `${concurrency} in flight`;
  return align(
    [
      ['ratio', 'goal', 'rounds', 'op-by-op', 'CPU time'],
      row('a/b  sequential', 'a-seq', 'b-seq', GOAL_A_OVER_B),
      row(`a/b  ${inFlight}`, 'a-conc', 'b-conc', GOAL_A_OVER_B),
      row('a/c  sequential vs SDK', 'a-seq', 'c', GOAL_A_OVER_C),
      row(`a/c  ${inFlight} vs SDK`, 'a-conc', 'c', GOAL_A_OVER_C),
      row('d/b  GBK sequential (info)', 'd-seq', 'b-seq', GOAL_A_OVER_B),
    ],
    2,
  );
}

/**
 * (a) minus (b), step by step: op-by-op wall times of the core path rebuilt from its public
 * functions (each step ending in a verify), then CPU time, then the sync pieces alone.
 */
export function breakdown(
  paired: ReadonlyMap<string, number>,
  results: ReadonlyMap<string, Summary>,
  steps: readonly Candidate[],
  pieces: readonly Candidate[],
  pieceResults: ReadonlyMap<string, Summary>,
): string[] {
  const micros = (id: string): number => 1e6 / paired.get(id)!;
  const b = micros('b-seq');
  const a = micros('a-seq');
  const rows: string[][] = [['wall time, op by op', 'us/op', 'step adds']];
  rows.push(['(b) bare crypto.subtle.verify', fixed(b), '']);
  let previous = b;
  for (const step of steps) {
    const us = micros(step.id);
    rows.push([step.label, fixed(us), `${us - previous >= 0 ? '+' : ''}${fixed(us - previous)}`]);
    previous = us;
  }
  rows.push(['(a) verifyForm (the rest: verifyPairs itself)', fixed(a), `${a - previous >= 0 ? '+' : ''}${fixed(a - previous)}`]);
  const lines = align(rows, 1);
  lines.push(
    `core path total: +${fixed(a - b)} us on top of (b) = ${fixed(((a - b) / a) * 100)}% of (a); a/b >= ${GOAL_A_OVER_B} allows +${fixed(b / GOAL_A_OVER_B - b)} us`,
  );
  const cpuA = results.get('a-seq')!.cpuMicrosPerOp;
  const cpuB = results.get('b-seq')!.cpuMicrosPerOp;
  lines.push(`CPU time (rounds): (a) ${fixed(cpuA)} us = (b) ${fixed(cpuB)} us + ${fixed(cpuA - cpuB)} us`);
  lines.push(
    'sync pieces alone, tight loop (hot caches, so less than in the pipeline): ' +
      pieces.map((p) => `${p.label} ${fixed(1e6 / pieceResults.get(p.id)!.opsPerSec, 2)} us`).join(', '),
  );
  return lines;
}
