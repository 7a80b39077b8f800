// bench:verify's workerd section: the core path and the bare verify again, and the hostile
// bodies, inside workerd, the runtime the Worker really runs in. There crypto.subtle.verify is a
// plain BoringSSL call on the isolate thread (no thread pool, no Node glue), so (b) is much
// cheaper than in Node and the same core path is a larger share of the total.
//
// Clocks are frozen inside workerd, so each request repeats one kind of verification N times and
// is measured from outside: by the CPU time the workerd process spent on it (Linux: the sum of
// /proc/<pid>/task/*/schedstat), which other processes on a shared machine barely disturb, and by
// wall time as well. Per op = (median request - median empty request) / N.

import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { base64Encode } from '../../src/utils/base64';
import { median } from '../common';

const ENTRY = fileURLToPath(new URL('./worker-entry.ts', import.meta.url));
const COMPATIBILITY_DATE = '2026-04-26'; // as wrangler.toml

export interface WorkerdInput {
  readonly body: Uint8Array;
  readonly key: string;
  readonly signature: Uint8Array;
  readonly content: Uint8Array;
}

export interface HostileInput {
  /** Nine more keys (base64 SPKI) for the 10-key configuration. */
  readonly moreKeys: readonly string[];
  readonly bodies: readonly Uint8Array[];
  readonly opsPerRequest: number;
}

export interface WorkerdResult {
  /** 'cpu' when workerd's CPU time could be read, else 'wall'. */
  readonly clock: 'cpu' | 'wall';
  readonly coreMicros: number;
  readonly bareMicros: number;
  /** The core path rebuilt step by step (worker-entry.ts `stepwise`), µs per op, steps 1..4. */
  readonly stepMicros: number[];
  readonly wallCoreMicros: number;
  readonly wallBareMicros: number;
  readonly opsPerRequest: number;
  readonly rounds: number;
  /** µs per op by configuration ('one', 'ten'), index -1 = the real notification, then each hostile body. */
  readonly hostile: ReadonlyMap<'one' | 'ten', number[]>;
}

/** workerd runs JavaScript only: the entry and the core are bundled on the fly with esbuild (installed with wrangler). */
async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({ entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', write: false, logLevel: 'silent' });
  return built.outputFiles[0]!.text;
}

function workerdChildren(): Set<number> {
  try {
    const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' });
    const rows = out.split('\n').map((line) => line.trim().split(/\s+/));
    return new Set(rows.filter((r) => r[2]?.includes('workerd') && Number(r[1]) === process.pid).map((r) => Number(r[0])));
  } catch {
    return new Set();
  }
}

/** Nanoseconds on CPU of every thread of `pid` so far, or null where /proc has no schedstat. */
function cpuNanos(pid: number): number | null {
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return total;
  } catch {
    return null;
  }
}

export async function measureWorkerd(input: WorkerdInput, rounds: number, opsPerRequest: number, hostile: HostileInput): Promise<WorkerdResult> {
  const before = workerdChildren();
  const mf = new Miniflare({ modules: true, script: await bundle(), compatibilityDate: COMPATIBILITY_DATE });
  try {
    const setUp = await mf.dispatchFetch('http://bench/', {
      method: 'POST',
      body: JSON.stringify({
        body: base64Encode(input.body),
        key: input.key,
        tenKeys: [input.key, ...hostile.moreKeys].join('\n'),
        signature: base64Encode(input.signature),
        content: base64Encode(input.content),
        hostile: hostile.bodies.map((b) => base64Encode(b)),
      }),
    });
    if (!setUp.ok) throw new Error(`workerd set-up failed: ${await setUp.text()}`);
    const started = [...workerdChildren()].filter((pid) => !before.has(pid));
    const pid = started.length === 1 && cpuNanos(started[0]!) !== null ? started[0]! : null;

    /** [cpu ms (or null), wall ms] of one request. */
    const request = async (query: string, n: number): Promise<[number | null, number]> => {
      const cpu0 = pid === null ? null : cpuNanos(pid);
      const t0 = performance.now();
      const response = await mf.dispatchFetch(`http://bench/?${query}&n=${n}`);
      const right = Number(await response.text());
      const wall = performance.now() - t0;
      const cpu1 = pid === null ? null : cpuNanos(pid);
      if (right !== n) throw new Error(`workerd: ${query}: ${right} of ${n} answers right`);
      return [cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / 1e6, wall];
    };
    /** Median per-op µs of `query` over rounds, alternating with the others, minus an empty request. */
    const measureAll = async (queries: readonly [string, number][]): Promise<{ cpu: number[] | null; wall: number[] }> => {
      const all: [string, number][] = [...queries, ['mode=core', 0]];
      const cpu = all.map(() => [] as number[]);
      const wall = all.map(() => [] as number[]);
      for (const [q, n] of all) await request(q, n); // warm-up
      for (let round = 0; round < rounds; round++) {
        const order = all.map((_, i) => i);
        if (round % 2 === 1) order.reverse();
        for (const i of order) {
          const [c, w] = await request(all[i]![0], all[i]![1]);
          if (c !== null) cpu[i]!.push(c);
          wall[i]!.push(w);
        }
      }
      const perOp = (times: number[][]) => queries.map((q, i) => ((median(times[i]!) - median(times.at(-1)!)) * 1000) / q[1]);
      return { cpu: pid === null ? null : perOp(cpu), wall: perOp(wall) };
    };

    const main = await measureAll([
      ['mode=core', opsPerRequest],
      ['mode=bare', opsPerRequest],
      ...[1, 2, 3, 4].map((step): [string, number] => [`mode=step&step=${step}`, opsPerRequest]),
    ]);
    const byConfig = new Map<'one' | 'ten', number[]>();
    for (const config of ['one', 'ten'] as const) {
      const queries: [string, number][] = [-1, ...hostile.bodies.map((_, i) => i)].map((i) => [
        `mode=hostile&config=${config}&body=${i}`,
        i < 0 ? opsPerRequest : hostile.opsPerRequest,
      ]);
      const times = await measureAll(queries);
      byConfig.set(config, times.cpu ?? times.wall);
    }
    const [core, bare, ...steps] = main.cpu ?? main.wall;
    return {
      clock: main.cpu === null ? 'wall' : 'cpu',
      coreMicros: core!,
      bareMicros: bare!,
      stepMicros: steps,
      wallCoreMicros: main.wall[0]!,
      wallBareMicros: main.wall[1]!,
      opsPerRequest,
      rounds,
      hostile: byConfig,
    };
  } finally {
    await mf.dispose();
  }
}
