// bench:verify's workerd section: (a) and (b) again, inside workerd, the runtime the Worker
// really runs in. There, crypto.subtle.verify is a plain BoringSSL call on the isolate thread
// (no thread pool, no Node glue), so (b) is much cheaper than in Node and the same core path
// is a larger share of the total. Clocks are frozen inside workerd, so each request repeats
// one kind of verification N times and the requests are timed from Node: per op =
// (median time of an N-op request - median time of an empty one) / N.

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

export interface WorkerdResult {
  readonly coreMicros: number;
  readonly bareMicros: number;
  readonly opsPerRequest: number;
  readonly rounds: number;
}

/** workerd runs JavaScript only: the entry and the core are bundled on the fly with esbuild (installed with wrangler). */
async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({ entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', write: false, logLevel: 'silent' });
  return built.outputFiles[0]!.text;
}

export async function measureWorkerd(input: WorkerdInput, rounds: number, opsPerRequest: number): Promise<WorkerdResult> {
  const mf = new Miniflare({ modules: true, script: await bundle(), compatibilityDate: COMPATIBILITY_DATE });
  try {
    const setUp = await mf.dispatchFetch('http://bench/', {
      method: 'POST',
      body: JSON.stringify({
        body: base64Encode(input.body),
        key: input.key,
        signature: base64Encode(input.signature),
        content: base64Encode(input.content),
      }),
    });
    if (!setUp.ok) throw new Error(`workerd set-up failed: ${await setUp.text()}`);

    const timeRequest = async (mode: string, n: number): Promise<number> => {
      const start = performance.now();
      const response = await mf.dispatchFetch(`http://bench/?mode=${mode}&n=${n}`);
      const valid = Number(await response.text());
      const ms = performance.now() - start;
      if (valid !== n) throw new Error(`workerd: ${mode} verified ${valid} of ${n}`);
      return ms;
    };
    const modes = ['core', 'bare', 'empty'] as const;
    const times = new Map<string, number[]>(modes.map((m) => [m, []]));
    for (const m of modes) await timeRequest(m, m === 'empty' ? 0 : opsPerRequest); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const m of round % 2 === 0 ? modes : [...modes].reverse()) times.get(m)!.push(await timeRequest(m, m === 'empty' ? 0 : opsPerRequest));
    }
    const empty = median(times.get('empty')!);
    const perOp = (m: string): number => ((median(times.get(m)!) - empty) * 1000) / opsPerRequest;
    return { coreMicros: perOp('core'), bareMicros: perOp('bare'), opsPerRequest, rounds };
  } finally {
    await mf.dispose();
  }
}
