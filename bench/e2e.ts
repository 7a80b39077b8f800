// bench:e2e — the gateway through local `wrangler dev`, over real HTTP on 127.0.0.1:
//   1. notifications per second (closed loop, fixed concurrency), p50/p99, for new orders and for
//      re-sends of recorded ones, each beside the architecture's floor in the same run and the same
//      `wrangler dev`: a bench-only route (bench/e2e/worker.ts) where a per-order Durable Object
//      does one SQLite INSERT (the ratios notify/baseline are the figures), and, for information,
//      the same plus an index row owed and pushed from its alarm; GET /health for scale;
//   2. duplicate storms: many identical notifications at once; latency, replies, and how many
//      deliveries the origin saw (must be 1), each beside its floor (as many requests at once to
//      the baseline route for one order: bench/e2e/storm.ts).
// Run by hand: `npm run bench:e2e` (options after `--`: --rounds N --slot-ms N --warmup-ms N
// --concurrency N --storm N --storms N --time-limit-s N, and --storm-only to skip part 1). It starts and stops its own processes
// (test/e2e/harness.ts). See bench/README.md for what the figures mean.
import { originClient, sleep, type OriginStats, type RunningStack } from '../test/e2e/harness';
import { paidNotification, uniqueId } from '../test/support/notifications';
import { align, fixed as ms, int, median, print, progress, readOptions } from './common';
import { groupCpu } from './e2e/cpu';
import { closedLoop, mergeErrors, percentile, type Request, type Slot } from './e2e/load';
import { BASELINE_PATH } from './e2e/baseline-route';
import { baselineRequest, notifyRequest } from './e2e/requests';
import { stormSection } from './e2e/storm';
import { benchWranglerConfig } from './e2e/wrangler-config';
import { runOnStack } from './stack-run';

interface Plan {
  rounds: number;
  slotMs: number;
  warmupMs: number;
  concurrency: number;
  storm: number;
  storms: number;
  stormOnly: boolean;
  timeLimitS: number;
}

const INITIAL_POOL = 3_000;
/** How many recorded notifications (and baseline orders) the re-send workloads cycle through. */
const RESEND_POOL_LIMIT = 2_000;
/** notify/baseline: the gateway's own work costs at most a quarter on top of the floor. */
const BASELINE_GOAL = 0.8;
const DRAIN_TIMEOUT_MS = 60_000;

function readPlan(): Plan {
  const options = readOptions(
    {
      rounds: { default: 10, max: 100 },
      'slot-ms': { default: 1000, max: 60_000 },
      'warmup-ms': { default: 1000, max: 60_000 },
      concurrency: { default: 16, max: 256 },
      storm: { default: 500, max: 5_000 },
      storms: { default: 3, max: 20 },
      'time-limit-s': { default: 300, max: 3_600 },
    },
    ['storm-only'],
  );
  return {
    rounds: options.rounds,
    slotMs: options['slot-ms'],
    warmupMs: options['warmup-ms'],
    concurrency: options.concurrency,
    storm: options.storm,
    storms: options.storms,
    stormOnly: options['storm-only'],
    timeLimitS: options['time-limit-s'],
  };
}

/**
 * Signed notifications for new orders, made before a slot starts: RSA signing on this same
 * 2-core machine would otherwise compete with the gateway for CPU inside the timed slot.
 */
class NotificationPool {
  private bodies: Uint8Array[] = [];
  signedInline = 0;

  /** `overrides`: the notifications' fields (default: TRADE_SUCCESS, a `paid` event, forwarded). */
  constructor(private readonly overrides: Record<string, string> = {}) {}

  async fill(size: number): Promise<void> {
    const missing = size - this.bodies.length;
    const batch = 64;
    for (let i = 0; i < missing; i += batch) {
      const made = await Promise.all(Array.from({ length: Math.min(batch, missing - i) }, async () => (await paidNotification(this.overrides)).body));
      this.bodies.push(...made);
    }
  }

  async take(): Promise<Uint8Array> {
    const body = this.bodies.pop();
    if (body !== undefined) return body;
    this.signedInline += 1; // reported: the pool was too small for this machine
    return (await paidNotification(this.overrides)).body;
  }
}

// The shared frame (bench/stack-run.ts) starts the stack once, stops it on every way out and
// exits 1 when a notification was not delivered exactly once.
runOnStack('bench:e2e', async () => {
  const plan = readPlan();
  return { stack: { wranglerConfig: await benchWranglerConfig() }, timeLimitS: plan.timeLimitS, run: (stack) => run(plan, stack) };
});

/** The bodies (or order keys) answered `success` so far, handed out again in turn as re-sends. */
class Recorded<T> {
  private readonly items: T[] = [];
  private next = 0;

  add(item: T): void {
    this.items.push(item);
    if (this.items.length > RESEND_POOL_LIMIT) this.items.shift();
  }

  take(): T {
    if (this.items.length === 0) throw new Error('nothing recorded yet to re-send');
    this.next = (this.next + 1) % this.items.length;
    return this.items[this.next]!;
  }
}

interface Workload {
  readonly label: string;
  readonly slots: Slot[];
  /** The CPU the gateway's processes spent in each slot (null off Linux). */
  readonly cpu: ({ allMs: number; workerdMs: number } | null)[];
  run(slotMs: number): Promise<Slot>;
}

/** One slot of `w`, with the CPU the gateway's processes spent on it (for forwarded new orders: until the origin has them all). */
async function measure(w: Workload, slotMs: number, gatewayGroup: number): Promise<void> {
  const before = groupCpu(gatewayGroup);
  const slot = await w.run(slotMs);
  const after = groupCpu(gatewayGroup);
  w.slots.push(slot);
  w.cpu.push(before === null || after === null ? null : { allMs: after.allMs - before.allMs, workerdMs: after.workerdMs - before.workerdMs });
}

async function run(plan: Plan, stack: RunningStack): Promise<boolean> {
  const { info } = stack;
  const origin = originClient(info.originControlUrl);
  print(
    `gateway: wrangler dev (local, workerd) on 127.0.0.1, ACK_MODE=durable FORWARD_FORMAT=form RSA2; ` +
      `origin: test/e2e/origin-process.mjs on 127.0.0.1; load generator: this process (same machine)`,
  );
  // Any notification's bytes: the baseline stores them without reading them.
  const sampleBody = (await paidNotification()).body;
  if (plan.stormOnly) return stormSection(plan, stack, sampleBody);
  print(
    `method: closed loop, ${plan.concurrency} in flight; warm-up ${plan.warmupMs} ms each; ${plan.rounds} rounds x ${plan.slotMs} ms ` +
      'per workload, the order rotated every round; every new-order slot uses new orders, and the origin is drained after each notify slot',
  );
  print(
    `baseline: ${BASELINE_PATH}, built only into the bench Worker (bench/e2e/worker.ts): the same body to a per-order Durable Object ` +
      'that does one SQLite INSERT and returns; "+ index outbox" also marks the index owed in the same transaction and pushes a row ' +
      'to a per-month index object from its alarm, as the ledger does',
  );

  const pool = new NotificationPool();
  // WAIT_BUYER_PAY (an order created, not paid yet) is recorded but not forwarded under the default
  // FORWARD_EVENTS: the accept path alone, with no delivery running beside it in the slot.
  const waitingPool = new NotificationPool({ trade_status: 'WAIT_BUYER_PAY' });
  progress(`signing ${2 * INITIAL_POOL} notifications ...`);
  await pool.fill(INITIAL_POOL);
  await waitingPool.fill(INITIAL_POOL);

  const recordedBodies = new Recorded<Uint8Array>();
  const baselineOrders = new Recorded<string>();
  let acknowledged = 0;
  const drains: number[] = [];

  /** `from`: a pool of new orders' notifications (forwarded when it is `pool`), or the re-sends. */
  const notifyLoop = async (slotMs: number, from: NotificationPool | Recorded<Uint8Array>): Promise<Slot> => {
    const forwarded = from === pool;
    const slot = await closedLoop(
      async () => {
        const body = await from.take();
        return notifyRequest(info.notifyUrl, body, forwarded ? () => recordedBodies.add(body) : undefined);
      },
      plan.concurrency,
      slotMs,
    );
    if (!(from instanceof NotificationPool)) return slot;
    if (forwarded) {
      acknowledged += slot.requests - [...slot.errors.values()].reduce((a, b) => a + b, 0);
      const drainStart = performance.now();
      await waitForAccepted(origin, acknowledged);
      drains.push(performance.now() - drainStart);
    }
    await from.fill(Math.max(INITIAL_POOL, 3 * slot.requests));
    return slot;
  };
  const baselineLoop = (slotMs: number, nextOrder: () => string, recordForResends: boolean, withIndex = false): Promise<Slot> =>
    closedLoop(
      () => {
        const order = nextOrder();
        return baselineRequest(info.gatewayUrl, order, sampleBody, recordForResends ? () => baselineOrders.add(order) : undefined, withIndex);
      },
      plan.concurrency,
      slotMs,
    );
  const health: Request = { url: `${info.gatewayUrl}/health`, init: { method: 'GET' }, ok: (status) => status === 200 };

  const workload = (label: string, runSlot: (slotMs: number) => Promise<Slot>): Workload => ({ label, slots: [], cpu: [], run: runSlot });
  const notifyNew = workload('notify, new order, paid (its delivery in the slot)', (t) => notifyLoop(t, pool));
  const notifyNewRecorded = workload('notify, new order, WAIT_BUYER_PAY (not forwarded)', (t) => notifyLoop(t, waitingPool));
  const baselineNew = workload('baseline, new order each', (t) => baselineLoop(t, () => uniqueId('B'), true));
  const baselineIndexedNew = workload('baseline + index outbox, new order each (info)', (t) => baselineLoop(t, () => uniqueId('BI'), false, true));
  const notifyResend = workload('notify, re-send of a recorded paid notification', (t) => notifyLoop(t, recordedBodies));
  const baselineResend = workload('baseline, existing order', (t) => baselineLoop(t, () => baselineOrders.take(), false));
  const healthWorkload = workload('GET /health', (t) => closedLoop(() => health, plan.concurrency, t));
  // New-order workloads first in the warm-up: the re-send workloads re-send what they recorded.
  const workloads = [notifyNew, notifyNewRecorded, baselineNew, baselineIndexedNew, notifyResend, baselineResend, healthWorkload];

  progress('warm-up ...');
  for (const w of workloads) await w.run(plan.warmupMs);

  for (let round = 0; round < plan.rounds; round++) {
    progress(`round ${round + 1}/${plan.rounds}`);
    for (let i = 0; i < workloads.length; i++) await measure(workloads[(i + round) % workloads.length]!, plan.slotMs, stack.gateway.process.pid);
  }
  const afterRounds = await origin.stats();

  print();
  for (const line of throughputTable(workloads)) print(line);
  print();
  const ratioLines = [
    ratioRow('notify/baseline, new orders (accept path)', notifyNewRecorded, baselineNew, BASELINE_GOAL),
    ratioRow('notify/baseline, re-sends', notifyResend, baselineResend, BASELINE_GOAL),
    ratioRow('notify/(baseline + index outbox), new orders (info)', notifyNewRecorded, baselineIndexedNew, null),
    ratioRow('notify/baseline, new paid orders incl. delivery (info)', notifyNew, baselineNew, null),
    ratioRow('notify/health, new paid orders (info)', notifyNew, healthWorkload, null),
  ];
  const header = ['ratio', 'goal', 'req/s: of medians', 'per-round median', 'range', 'CPU/req b/a: all', 'workerd'];
  for (const line of align([header, ...ratioLines], 2)) print(line);
  for (const w of workloads) printErrors(w.label, mergeErrors(w.slots));
  const signedInline = pool.signedInline + waitingPool.signedInline;
  if (signedInline > 0) print(`note: the pre-signed pool ran dry; ${signedInline} notifications were signed inside timed slots`);
  const uniqueOk = afterRounds.accepted === acknowledged && afterRounds.idsAcceptedMoreThanOnce === 0;
  print(
    `origin: ${int(afterRounds.accepted)} deliveries accepted for ${int(acknowledged)} acknowledged orders (warm-up included; re-sends must add none), ` +
      `${afterRounds.idsAcceptedMoreThanOnce} webhook-ids accepted more than once, ${afterRounds.rejected} bad signatures; ` +
      `drain after a notify slot: median ${int(median(drains))} ms, max ${int(Math.max(...drains))} ms  ${uniqueOk ? 'OK' : 'MISMATCH'}`,
  );

  const stormOk = await stormSection(plan, stack, sampleBody);
  return uniqueOk && stormOk;
}

/**
 * a/b in req/s: of the medians, the median of the per-round ratios (same round = same machine
 * load), their range; and b/a in the gateway's CPU per request over all rounds (the same
 * direction: 1 = a request of a costs what one of b costs), which other processes' load moves least.
 */
function ratioRow(label: string, a: Workload, b: Workload, goal: number | null): string[] {
  const perRound = a.slots.map((slot, i) => slot.perSecond / b.slots[i]!.perSecond);
  const ofMedians = median(a.slots.map((s) => s.perSecond)) / median(b.slots.map((s) => s.perSecond));
  const verdict = (ratio: number) => (goal === null ? '' : ratio >= goal ? ' pass' : ' FAIL');
  const cpuA = cpuPerRequest(a);
  const cpuB = cpuPerRequest(b);
  const cpuRatio = (pick: 'allMs' | 'workerdMs') => {
    if (cpuA === null || cpuB === null) return 'n/a';
    const ratio = cpuB[pick] / cpuA[pick];
    return `${ratio.toFixed(3)}${verdict(ratio)}`;
  };
  return [
    label,
    goal === null ? '-' : `>= ${goal.toFixed(2)}`,
    `${ofMedians.toFixed(3)}${verdict(ofMedians)}`,
    median(perRound).toFixed(3),
    `${Math.min(...perRound).toFixed(3)} .. ${Math.max(...perRound).toFixed(3)}`,
    cpuRatio('allMs'),
    cpuRatio('workerdMs'),
  ];
}

/** The gateway's CPU ms per request over all rounds, or null off Linux. */
function cpuPerRequest(w: Workload): { allMs: number; workerdMs: number } | null {
  if (w.cpu.some((c) => c === null)) return null;
  const requests = w.slots.reduce((sum, s) => sum + s.requests, 0);
  const sum = (pick: 'allMs' | 'workerdMs') => w.cpu.reduce<number>((total, c) => total + c![pick], 0) / requests;
  return { allMs: sum('allMs'), workerdMs: sum('workerdMs') };
}

function throughputTable(workloads: readonly Workload[]): string[] {
  const table = [['workload', 'req/s median', 'min .. max', 'p50 ms', 'p99 ms', 'requests', 'CPU ms/req', '(workerd)']];
  for (const w of workloads) {
    const rates = w.slots.map((s) => s.perSecond);
    const latencies = w.slots.flatMap((s) => s.latenciesMs);
    const cpu = cpuPerRequest(w);
    table.push([
      w.label,
      int(median(rates)),
      `${int(Math.min(...rates))} .. ${int(Math.max(...rates))}`,
      ms(percentile(latencies, 50)),
      ms(percentile(latencies, 99)),
      int(latencies.length),
      cpu === null ? 'n/a' : cpu.allMs.toFixed(2),
      cpu === null ? 'n/a' : cpu.workerdMs.toFixed(2),
    ]);
  }
  return align(table, 1);
}

function printErrors(label: string, errors: Map<string, number>): void {
  if (errors.size === 0) return;
  print(`${label} answers that were not the expected one: ${[...errors].map(([what, n]) => `${n} x "${what}"`).join(', ')}`);
}

async function waitForAccepted(origin: ReturnType<typeof originClient>, expected: number): Promise<OriginStats> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const stats = await origin.stats();
    if (stats.accepted >= expected || Date.now() > deadline) return stats;
    await sleep(50);
  }
}

