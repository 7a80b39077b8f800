// bench:e2e — the gateway through local `wrangler dev`, over real HTTP on 127.0.0.1:
//   1. notifications per second for unique orders (closed loop, fixed concurrency), p50/p99,
//      beside the same server's GET /health in the same run (the ratio is the figure);
//   2. a duplicate storm: many identical notifications at once; latency, replies, and how many
//      deliveries the origin saw (must be 1).
// Run by hand: `npm run bench:e2e` (options after `--`: --rounds N --slot-ms N --warmup-ms N
// --concurrency N --storm N --time-limit-s N). It starts and stops its own processes
// (test/e2e/harness.ts). See bench/README.md for what the figures mean.
import { originClient, sleep, startStack, type OriginStats, type RunningStack } from '../test/e2e/harness';
import { paidNotification } from '../test/support/notifications';
import { align, fixed as ms, int, machineLine, median, print, progress, readOptions } from './common';
import { closedLoop, mergeErrors, percentile, timed, type Request, type Slot } from './e2e/load';

interface Plan {
  rounds: number;
  slotMs: number;
  warmupMs: number;
  concurrency: number;
  storm: number;
  timeLimitS: number;
}

const INITIAL_POOL = 3_000;
const DRAIN_TIMEOUT_MS = 60_000;

function readPlan(): Plan {
  const options = readOptions({
    rounds: { default: 10, max: 100 },
    'slot-ms': { default: 1000, max: 60_000 },
    'warmup-ms': { default: 1000, max: 60_000 },
    concurrency: { default: 16, max: 256 },
    storm: { default: 500, max: 5_000 },
    'time-limit-s': { default: 300, max: 3_600 },
  });
  return {
    rounds: options.rounds,
    slotMs: options['slot-ms'],
    warmupMs: options['warmup-ms'],
    concurrency: options.concurrency,
    storm: options.storm,
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

  async fill(size: number): Promise<void> {
    const missing = size - this.bodies.length;
    const batch = 64;
    for (let i = 0; i < missing; i += batch) {
      const made = await Promise.all(Array.from({ length: Math.min(batch, missing - i) }, async () => (await paidNotification()).body));
      this.bodies.push(...made);
    }
  }

  async take(): Promise<Uint8Array> {
    const body = this.bodies.pop();
    if (body !== undefined) return body;
    this.signedInline += 1; // reported: the pool was too small for this machine
    return (await paidNotification()).body;
  }
}

function notifyRequest(url: string, body: Uint8Array): Request {
  return {
    url,
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
    ok: (status, text) => status === 200 && text === 'success',
  };
}

async function main(): Promise<void> {
  const plan = readPlan();
  const startedAt = performance.now();
  print('bench:e2e  (alipay-notify-edge)');
  print(machineLine());

  progress('starting the test origin and wrangler dev ...');
  const stack = await startStack();
  const stopAll = (() => {
    let stopping: Promise<void> | undefined;
    return () => (stopping ??= stack.stop());
  })();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAll().then(() => process.exit(130)));
  }
  const limit = setTimeout(() => {
    // Not progress: the reason the run fails, so it is written whether or not stderr is a terminal.
    process.stderr.write(`time limit of ${plan.timeLimitS}s reached; stopping\n`);
    void stopAll().then(() => process.exit(1));
  }, plan.timeLimitS * 1000);
  limit.unref();

  let exactlyOnce = false;
  try {
    exactlyOnce = await run(plan, stack);
  } finally {
    clearTimeout(limit);
    await stopAll();
  }
  print();
  print(`total ${((performance.now() - startedAt) / 1000).toFixed(1)} s, all processes stopped`);
  if (!exactlyOnce) process.exitCode = 1;
}

async function run(plan: Plan, stack: RunningStack): Promise<boolean> {
  const { info } = stack;
  const origin = originClient(info.originControlUrl);
  print(
    `gateway: wrangler dev (local, workerd) on 127.0.0.1, ACK_MODE=durable FORWARD_FORMAT=form RSA2; ` +
      `origin: test/e2e/origin-process.mjs on 127.0.0.1; load generator: this process (same machine)`,
  );
  print(
    `method: closed loop, ${plan.concurrency} in flight; warm-up ${plan.warmupMs} ms each; ${plan.rounds} rounds x ${plan.slotMs} ms ` +
      'per workload, order flipped every round; every notify slot uses new orders, and the origin is drained before the next slot',
  );

  const pool = new NotificationPool();
  progress(`signing ${INITIAL_POOL} notifications ...`);
  await pool.fill(INITIAL_POOL);

  const health: Request = { url: `${info.gatewayUrl}/health`, init: { method: 'GET' }, ok: (status) => status === 200 };
  let acknowledged = 0;
  const drains: number[] = [];
  const notifySlot = async (slotMs: number): Promise<Slot> => {
    const slot = await closedLoop(async () => notifyRequest(info.notifyUrl, await pool.take()), plan.concurrency, slotMs);
    acknowledged += slot.requests - [...slot.errors.values()].reduce((a, b) => a + b, 0);
    const drainStart = performance.now();
    await waitForAccepted(origin, acknowledged);
    drains.push(performance.now() - drainStart);
    await pool.fill(Math.max(INITIAL_POOL, 3 * slot.requests));
    return slot;
  };
  const healthSlot = (slotMs: number): Promise<Slot> => closedLoop(() => health, plan.concurrency, slotMs);

  progress('warm-up ...');
  await notifySlot(plan.warmupMs);
  await healthSlot(plan.warmupMs);

  const notify: Slot[] = [];
  const healthSlots: Slot[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    progress(`round ${round + 1}/${plan.rounds}`);
    if (round % 2 === 0) {
      notify.push(await notifySlot(plan.slotMs));
      healthSlots.push(await healthSlot(plan.slotMs));
    } else {
      healthSlots.push(await healthSlot(plan.slotMs));
      notify.push(await notifySlot(plan.slotMs));
    }
  }
  const afterRounds = await origin.stats();

  print();
  for (const line of throughputTable([
    ['POST /alipay/notify (new order each)', notify],
    ['GET /health', healthSlots],
  ])) {
    print(line);
  }
  const ratios = notify.map((slot, i) => slot.perSecond / healthSlots[i]!.perSecond);
  const ratioOfMedians = median(notify.map((s) => s.perSecond)) / median(healthSlots.map((s) => s.perSecond));
  print(`ratio notify/health: ${ratioOfMedians.toFixed(3)} (median of per-round ratios ${median(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(3)} .. ${Math.max(...ratios).toFixed(3)})`);
  printErrors('notify', mergeErrors(notify));
  printErrors('health', mergeErrors(healthSlots));
  if (pool.signedInline > 0) print(`note: the pre-signed pool ran dry; ${pool.signedInline} notifications were signed inside timed slots`);
  const uniqueOk = afterRounds.accepted === acknowledged && afterRounds.idsAcceptedMoreThanOnce === 0;
  print(
    `origin: ${int(afterRounds.accepted)} deliveries accepted for ${int(acknowledged)} acknowledged orders (warm-up included), ` +
      `${afterRounds.idsAcceptedMoreThanOnce} webhook-ids accepted more than once, ${afterRounds.rejected} bad signatures; ` +
      `drain after a notify slot: median ${int(median(drains))} ms, max ${int(Math.max(...drains))} ms  ${uniqueOk ? 'OK' : 'MISMATCH'}`,
  );

  const stormOk = await storm(plan, stack);
  return uniqueOk && stormOk;
}

function throughputTable(rows: Array<[string, Slot[]]>): string[] {
  const table = [['workload', 'req/s median', 'min .. max', 'p50 ms', 'p99 ms', 'requests']];
  for (const [label, slots] of rows) {
    const rates = slots.map((s) => s.perSecond);
    const latencies = slots.flatMap((s) => s.latenciesMs);
    table.push([
      label,
      int(median(rates)),
      `${int(Math.min(...rates))} .. ${int(Math.max(...rates))}`,
      ms(percentile(latencies, 50)),
      ms(percentile(latencies, 99)),
      int(latencies.length),
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

/** `plan.storm` copies of one new notification, all sent at once. */
async function storm(plan: Plan, stack: RunningStack): Promise<boolean> {
  const origin = originClient(stack.info.originControlUrl);
  const { params, body } = await paidNotification();
  const order = params.out_trade_no!;
  const request = notifyRequest(stack.info.notifyUrl, body);
  progress(`duplicate storm: ${plan.storm} at once ...`);

  const start = performance.now();
  const results = await Promise.all(Array.from({ length: plan.storm }, () => timed(request)));
  const wholeMs = performance.now() - start;

  // Wait for the delivery, then as long again as the slowest reply took: a second delivery
  // started by a late copy would have arrived by then.
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await origin.deliveries(order)).length === 0 && Date.now() < deadline) await sleep(50);
  await sleep(Math.max(1_000, Math.max(...results.map((r) => r.ms))));
  const deliveries = await origin.deliveries(order);
  const accepted = deliveries.filter((d) => d.outcome === 'accepted').length;

  const latencies = results.map((r) => r.ms);
  const success = results.filter((r) => r.ok).length;
  const others = new Map<string, number>();
  for (const r of results) if (!r.ok) others.set(r.label, (others.get(r.label) ?? 0) + 1);

  print();
  print(`duplicate storm: ${plan.storm} identical notifications (one new order) sent at once`);
  print(`  replies: ${success} success${others.size > 0 ? `, others: ${[...others].map(([what, n]) => `${n} x "${what}"`).join(', ')}` : ''}`);
  print(
    `  latency ms: p50 ${ms(percentile(latencies, 50))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(Math.max(...latencies))}  ` +
      `(whole storm ${int(wholeMs)} ms)`,
  );
  const ok = accepted === 1 && deliveries.length === 1;
  print(`  deliveries at the origin for that order: ${deliveries.length} (${accepted} accepted; must be 1)  ${ok ? 'OK' : 'MISMATCH'}`);
  return ok;
}

main().catch((error) => {
  process.stderr.write(`bench:e2e failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
