// Rejected notifications, counted per hour and reason (never stored whole), so a spike of
// signature-mismatch after a key rotation shows on the console. Counting must never slow or block
// Alipay's answer: counts gather in memory and are flushed after the response (the request's
// waitUntil). While one flush is in flight, later counts wait for the next one, so a flood of junk
// becomes a few writes per isolate instead of one per request. Best effort: a count whose flush fails is logged
// and dropped (the log line of each rejection remains the full record).
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { indexName, monthOf } from './index-name';
import type { RejectionCount } from './index-store';
import { paymentsIndex } from './index-stub';
import { HOUR_MS } from '../utils/duration';

/** Distinct (hour, reason) pairs held between flushes; reasons come from code, so this is never reached in practice. */
const MAX_PENDING = 256;

const pending = new Map<string, RejectionCount>();
let flushing: Promise<void> | null = null;

/** Counts one rejection. `reason` is one of the gateway's own reason codes, never input text. */
export function countRejection(env: GatewayEnv, reason: string, ctx: Pick<ExecutionContext, 'waitUntil'>, now = Date.now()): void {
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const key = `${hour} ${reason}`;
  const entry = pending.get(key);
  if (entry) entry.count += 1;
  else if (pending.size < MAX_PENDING) pending.set(key, { hour, reason, count: 1 });
  if (flushing === null) flushing = flush(env).finally(() => (flushing = null));
  ctx.waitUntil(flushing);
}

async function flush(env: GatewayEnv): Promise<void> {
  while (pending.size > 0) {
    const batch = [...pending.values()];
    pending.clear();
    const byMonth = new Map<string, RejectionCount[]>();
    for (const c of batch) byMonth.set(monthOf(c.hour), [...(byMonth.get(monthOf(c.hour)) ?? []), c]);
    await Promise.all(
      [...byMonth].map(async ([month, counts]) => {
        try {
          await paymentsIndex(env, indexName(month, 0)).addRejections(counts);
        } catch (error) {
          logLine({ level: 'warn', msg: 'rejection counts not recorded', counts, error });
        }
      }),
    );
  }
}
