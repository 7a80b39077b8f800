// bench:verify — verifications per second of the core path vs the physical limit vs the official SDK.
// Run by hand: `npm run bench:verify` (options after `--`: --rounds N --slot-ms N --paired-ms N
// --warmup-ms N --concurrency N --skip-workerd). See bench/README.md for what the figures mean.

import { loadAverage, machineLine, print, progress, readOptions } from './common';
import { buildFixtures, type Fixtures } from './verify/candidates';
import { measure, measurePaired, runRounds, type RoundPlan } from './verify/harness';
import { measureWorkerd } from './verify/workerd';
import { adversarialSection, hostileReport, hostileSetup, type HostileSetup } from './verify/adversarial-section';
import { breakdown, GOAL_A_OVER_B, GOAL_A_OVER_C, ratios, summarize, table, type Summary } from './verify/report';

const PIECE_MS = 300;
/** The candidates that run one op at a time, so they can also be interleaved op by op. */
const PAIRED_IDS = ['a-seq', 'b-seq', 'c', 'd-seq'];

const WORKERD_ROUNDS = 7;
const WORKERD_OPS_PER_REQUEST = 2000;
const WORKERD_HOSTILE_OPS_PER_REQUEST = 20;

interface Plan extends RoundPlan {
  readonly pairedMs: number;
  readonly workerd: boolean;
  readonly adversarialMs: number;
  readonly adversarialOnly: boolean;
}

function readPlan(): Plan {
  const options = readOptions(
    {
      rounds: { default: 6 },
      'slot-ms': { default: 700 },
      'paired-ms': { default: 8000 },
      'warmup-ms': { default: 300 },
      concurrency: { default: 16 },
      'adversarial-ms': { default: 6000 },
    },
    ['skip-workerd', 'adversarial-only'],
  );
  return {
    rounds: options.rounds,
    slotMs: options['slot-ms'],
    pairedMs: options['paired-ms'],
    warmupMs: options['warmup-ms'],
    concurrency: options.concurrency,
    workerd: !options['skip-workerd'],
    adversarialMs: options['adversarial-ms'],
    adversarialOnly: options['adversarial-only'],
  };
}

async function main(): Promise<void> {
  const plan = readPlan();
  const startedAt = performance.now();
  const fixtures = await buildFixtures();
  const { candidates, pieces, steps } = fixtures;

  print('bench:verify  (alipay-notify-edge)');
  print(machineLine(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`));
  for (const line of fixtures.description) print(line);
  print(
    `method: warm-up ${plan.warmupMs} ms each; ${plan.rounds} rounds x ${plan.slotMs} ms per candidate, order reversed ` +
      `every other round, medians; then ${plan.pairedMs} ms op-by-op interleaving of the one-at-a-time candidates and the core path's steps`,
  );
  print(`goal: a/b >= ${GOAL_A_OVER_B} and a/c >= ${GOAL_A_OVER_C}`);
  print();
  const hostile = await hostileSetup(fixtures.workerdInput);
  if (plan.adversarialOnly) {
    progress('hostile bodies');
    for (const line of await adversarialSection(fixtures.workerdInput, hostile, plan.adversarialMs)) print(line);
    print();
    if (plan.workerd) for (const line of await workerdSection(fixtures, hostile)) print(line);
    return;
  }

  const samples = await runRounds(candidates, plan, (round) => progress(`round ${round + 1}/${plan.rounds}`));
  const results = new Map<string, Summary>([...samples].map(([id, s]) => [id, summarize(s)]));
  progress('op-by-op interleaving');
  const paired = await measurePaired([...PAIRED_IDS.map((id) => candidates.find((c) => c.id === id)!), ...steps], plan.pairedMs);
  const pieceResults = new Map<string, Summary>();
  for (const p of pieces) {
    await measure(p, PIECE_MS / 3, 1);
    pieceResults.set(p.id, summarize([await measure(p, PIECE_MS, 1)]));
  }

  for (const line of table(candidates, results, paired, plan.concurrency)) print(line);
  print();
  print('ratios: "rounds" = median of per-round ratios; "op-by-op" = interleaved one op at a time; "CPU time" = inverse ratio of CPU us/op');
  for (const line of ratios({ samples, results, paired, concurrency: plan.concurrency })) print(`  ${line}`);
  print();
  print('where the core path spends its time, per verification (one at a time):');
  for (const line of breakdown(paired, results, steps, pieces, pieceResults)) print(`  ${line}`);
  print();
  progress('hostile bodies');
  for (const line of await adversarialSection(fixtures.workerdInput, hostile, plan.adversarialMs)) print(line);
  print();
  if (plan.workerd) {
    progress('workerd');
    for (const line of await workerdSection(fixtures, hostile)) print(line);
    print();
  }
  print('notes:');
  print(`  - Node's WebCrypto runs each verify on the libuv thread pool, so the async candidates are shown one at a time`);
  print(`    (sequential) AND with ${plan.concurrency} in flight, which can use several cores. alipay-sdk is synchronous node:crypto`);
  print('    on the main thread: concurrency cannot change it, so it is measured once. workerd (the Worker runtime) has');
  print('    no such pool: an isolate verifies one request at a time on its own thread; its section measures that directly.');
  print('  - CPU us/op = process CPU time (main + pool threads) per verification: its cost regardless of threading, and');
  print('    the figure least disturbed by other processes on a shared machine.');
  print('  - checkNotifySignV2 on a v1 notification verifies twice (v2 content with sign_type first, then v1) and');
  print('    re-parses the PEM key string on every call; (c) is handed the params object, (c+) also parses the body.');
  print(`total run time ${((performance.now() - startedAt) / 1000).toFixed(1)} s, load average ${loadAverage()} at end`);
}

async function workerdSection(fixtures: Fixtures, hostile: HostileSetup): Promise<string[]> {
  const title = 'in workerd (the Worker runtime, through miniflare), one isolate, one verification at a time:';
  try {
    const input = fixtures.workerdInput;
    const w = await measureWorkerd(input, WORKERD_ROUNDS, WORKERD_OPS_PER_REQUEST, {
      moreKeys: hostile.moreKeyTexts,
      bodies: hostile.bodies.map((b) => b.body),
      opsPerRequest: WORKERD_HOSTILE_OPS_PER_REQUEST,
    });
    const ratio = w.bareMicros / w.coreMicros;
    const clock = w.clock === 'cpu' ? "workerd's CPU time" : 'wall time';
    return [
      `${title.slice(0, -1)}, measured by ${clock}:`,
      `  (a) core verifyForm           ${w.coreMicros.toFixed(1).padStart(6)} us/op`,
      `  (b) bare crypto.subtle.verify ${w.bareMicros.toFixed(1).padStart(6)} us/op`,
      `  a/b ${ratio.toFixed(2)} ${ratio >= GOAL_A_OVER_B ? 'pass' : 'FAIL'} (goal >= ${GOAL_A_OVER_B}): the core path adds +${(w.coreMicros - w.bareMicros).toFixed(1)} us; ` +
        `the goal allows +${(w.bareMicros / GOAL_A_OVER_B - w.bareMicros).toFixed(1)} us`,
      `  wall time: (a) ${w.wallCoreMicros.toFixed(1)} us/op, (b) ${w.wallBareMicros.toFixed(1)} us/op, a/b ${(w.wallBareMicros / w.wallCoreMicros).toFixed(2)}`,
      `  (${w.rounds} alternating rounds of ${w.opsPerRequest}-verification requests, medians, minus an empty request; ` +
        'here (b) is a plain BoringSSL call with no thread pool or Node glue)',
      `  hostile bodies in workerd, the same way (the real notification in requests of ${w.opsPerRequest}, each body in requests of ${WORKERD_HOSTILE_OPS_PER_REQUEST}):`,
      ...hostileReport(hostile, input.body.length, w.hostile),
    ];
  } catch (error) {
    return [title, `  skipped: ${error instanceof Error ? error.message : String(error)}`];
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
