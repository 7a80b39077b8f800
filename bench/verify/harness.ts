// Timing harness for bench:verify. A shared machine is noisy, so candidates are never timed
// in one block each: every round gives each candidate one slot, the order flips every round,
// and the report uses medians. Noise then lands on all candidates alike instead of on one.

/**
 * `sync`: a plain call (the SDK's node:crypto path). `sequential`: one promise at a time.
 * `concurrent`: N promises in flight, because Node's WebCrypto runs each verify on the libuv
 * thread pool: with several in flight it uses more than one core, which a sync call never does.
 * Every op returns whether the notification verified, so a run that silently broke shows up.
 */
export type Candidate =
  | { readonly id: string; readonly label: string; readonly mode: 'sync'; readonly op: () => boolean }
  | { readonly id: string; readonly label: string; readonly mode: 'sequential' | 'concurrent'; readonly op: () => Promise<boolean> };

export interface Sample {
  readonly opsPerSec: number;
  /** Process CPU time (all threads: main + thread pool) per op: what a verify really costs. */
  readonly cpuMicrosPerOp: number;
}

export interface RoundPlan {
  readonly rounds: number;
  readonly slotMs: number;
  readonly warmupMs: number;
  readonly concurrency: number;
}

/** Sync ops are checked against the clock once per batch, so reading the clock costs nothing measurable. */
const SYNC_BATCH = 8;

export async function measure(candidate: Candidate, ms: number, concurrency: number): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  let ops = 0;
  let valid = 0;

  if (candidate.mode === 'sync') {
    const op = candidate.op;
    do {
      for (let i = 0; i < SYNC_BATCH; i++) if (op()) valid++;
      ops += SYNC_BATCH;
    } while (performance.now() < deadline);
  } else {
    const op = candidate.op;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) {
        if (await op()) valid++;
        ops++;
      }
    };
    const inFlight = candidate.mode === 'concurrent' ? concurrency : 1;
    await Promise.all(Array.from({ length: inFlight }, worker));
  }

  // Elapsed time runs until the last in-flight op finished, so every counted op is inside it.
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (valid !== ops) throw new Error(`${candidate.label}: ${ops - valid} of ${ops} verifications failed during timing`);
  return { opsPerSec: ops / seconds, cpuMicrosPerOp: (cpu.user + cpu.system) / ops };
}

/** Warm-up slot for each candidate, then `rounds` rounds of one slot each, alternating the order. */
export async function runRounds(
  candidates: readonly Candidate[],
  plan: RoundPlan,
  onRound: (round: number) => void = () => {},
): Promise<Map<string, Sample[]>> {
  for (const c of candidates) await measure(c, plan.warmupMs, plan.concurrency);
  const samples = new Map<string, Sample[]>(candidates.map((c) => [c.id, []]));
  for (let round = 0; round < plan.rounds; round++) {
    onRound(round);
    const order = round % 2 === 0 ? candidates : [...candidates].reverse();
    for (const c of order) samples.get(c.id)!.push(await measure(c, plan.slotMs, plan.concurrency));
  }
  return samples;
}

/**
 * Op-by-op interleaving: one op of each candidate per pass, in a fresh random order every pass,
 * the wall time of each op summed per candidate. A burst of load from another process then hits
 * every candidate within the same ~100 us, and no candidate always follows the same neighbour
 * (an op right after a long synchronous one runs on a warmer core), so these ratios are far
 * steadier than whole slots on a busy machine. Concurrent candidates cannot be interleaved so.
 */
export async function measurePaired(candidates: readonly Candidate[], ms: number): Promise<Map<string, number>> {
  const seconds = new Map<string, number>(candidates.map((c) => [c.id, 0]));
  const counts = new Map<string, number>(candidates.map((c) => [c.id, 0]));
  const order = [...candidates];
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    shuffle(order);
    for (const c of order) {
      const t0 = performance.now();
      const valid = c.mode === 'sync' ? c.op() : await c.op();
      const t1 = performance.now();
      if (!valid) throw new Error(`${c.label}: a verification failed during timing`);
      seconds.set(c.id, seconds.get(c.id)! + (t1 - t0) / 1000);
      counts.set(c.id, counts.get(c.id)! + 1);
    }
  }
  return new Map(candidates.map((c) => [c.id, counts.get(c.id)! / seconds.get(c.id)!]));
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
