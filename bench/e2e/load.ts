// Closed-loop HTTP load for bench:e2e: N requests in flight, each worker sends its next request
// as soon as the previous answer is read, until the slot ends. Every answer is checked, so a
// run where the gateway quietly started refusing shows up as errors, not as speed.

export interface Slot {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Milliseconds, one per request, in completion order. */
  readonly latenciesMs: number[];
  /** Answers that were not the expected one, by `status body` (first 40 chars). */
  readonly errors: Map<string, number>;
}

export interface Request {
  readonly url: string;
  readonly init: RequestInit;
  /** Whether this answer is the right one for the request. */
  readonly ok: (status: number, body: string) => boolean;
}

/** One request, timed from send to the last byte of the answer. */
export async function timed(request: Request): Promise<{ ms: number; ok: boolean; label: string }> {
  const start = performance.now();
  try {
    const response = await fetch(request.url, request.init);
    const body = await response.text();
    return { ms: performance.now() - start, ok: request.ok(response.status, body), label: `${response.status} ${body.slice(0, 40)}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ms: performance.now() - start, ok: false, label: `network ${cause ?? (error instanceof Error ? error.message : String(error))}` };
  }
}

export async function closedLoop(next: () => Request | Promise<Request>, concurrency: number, ms: number): Promise<Slot> {
  const start = performance.now();
  const deadline = start + ms;
  const latenciesMs: number[] = [];
  const errors = new Map<string, number>();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const result = await timed(await next());
      latenciesMs.push(result.ms);
      if (!result.ok) errors.set(result.label, (errors.get(result.label) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Elapsed runs until the last in-flight request finished, so every counted request is inside it.
  const seconds = (performance.now() - start) / 1000;
  return { requests: latenciesMs.length, seconds, perSecond: latenciesMs.length / seconds, latenciesMs, errors };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function mergeErrors(slots: readonly Slot[]): Map<string, number> {
  const all = new Map<string, number>();
  for (const slot of slots) for (const [label, n] of slot.errors) all.set(label, (all.get(label) ?? 0) + n);
  return all;
}
