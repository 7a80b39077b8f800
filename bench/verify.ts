// bench:verify — verifications per second of the core path vs the physical limit vs the official SDK.
// Run by hand: `npm run bench:verify` (options after `--`: --rounds N --slot-ms N --paired-ms N
// --warmup-ms N --concurrency N --workerd-rounds N --skip-workerd --workerd-only). See bench/README.md for what the figures mean.

import { align, loadAverage, machineLine, print, progress, readOptions } from './common';
import { buildFixtures, type Fixtures } from './verify/candidates';
import { measure, measurePaired, runRounds, type RoundPlan } from './verify/harness';
import { measureWorkerd } from './verify/workerd';
import { adversarialSection, hostileReport, hostileSetup, type HostileSetup } from './verify/adversarial-section';
import { breakdown, GOAL_A_OVER_B, GOAL_A_OVER_C, ratios, summarize, table, type Summary } from './verify/report';

const PIECE_MS = 300;
/** The candidates that run one op at a time, so they can also be interleaved op by op. */
const PAIRED_IDS = ['a-seq', 'b-seq', 'c', 'd-seq'];

const WORKERD_OPS_PER_REQUEST = 2000;
const WORKERD_HOSTILE_OPS_PER_REQUEST = 20;

interface Plan extends RoundPlan {
  readonly pairedMs: number;
  readonly workerd: boolean;
  readonly adversarialMs: number;
  readonly adversarialOnly: boolean;
  readonly workerdOnly: boolean;
  readonly workerdRounds: number;
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
      'workerd-rounds': { default: 7, max: 100 },
    },
    ['skip-workerd', 'adversarial-only', 'workerd-only'],
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
    workerdOnly: options['workerd-only'],
    workerdRounds: options['workerd-rounds'],
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
  if (plan.workerdOnly) {
    progress('workerd');
    for (const line of await workerdSection(fixtures, hostile, plan.workerdRounds)) print(line);
    return;
  }
  if (plan.adversarialOnly) {
    progress('hostile bodies');
    for (const line of await adversarialSection(fixtures.workerdInput, hostile, plan.adversarialMs)) print(line);
    print();
    if (plan.workerd) for (const line of await workerdSection(fixtures, hostile, plan.workerdRounds)) print(line);
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
    for (const line of await workerdSection(fixtures, hostile, plan.workerdRounds)) print(line);
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

async function workerdSection(fixtures: Fixtures, hostile: HostileSetup, rounds: number): Promise<string[]> {
  const title = 'in workerd (the Worker runtime, through miniflare), one isolate, one verification at a time:';
  try {
    const input = fixtures.workerdInput;
    const w = await measureWorkerd(input, rounds, WORKERD_OPS_PER_REQUEST, {
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
      '  where (a) spends its time beyond (b): the core path rebuilt step by step from its own functions, each step ending in a verify:',
      ...workerdBreakdown(w.bareMicros, w.stepMicros, w.coreMicros).map((line) => `    ${line}`),
      `  (${w.rounds} alternating rounds of ${w.opsPerRequest}-verification requests, medians, minus an empty request; ` +
        'here (b) is a plain BoringSSL call with no thread pool or Node glue)',
      `  hostile bodies in workerd, the same way (the real notification in requests of ${w.opsPerRequest}, each body in requests of ${WORKERD_HOSTILE_OPS_PER_REQUEST}):`,
      ...hostileReport(hostile, input.body.length, w.hostile),
    ];
  } catch (error) {
    return [title, `  skipped: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** The step table of the workerd section: what each step of the core path adds, in µs per verification. */
function workerdBreakdown(bare: number, steps: readonly number[], core: number): string[] {
  const labels = [
    '1 parseForm: body text, split, %XX checks, name checks, sort, duplicates',
    '2 + the v1 sign content, built into a reused buffer',
    '3 + the sign: length measured, base64 decoded from the body',
    '4 + the CryptoKey from the per-isolate cache (verifyKeyFor)',
    '(a) verifyForm: + sign/sign_type found, type and certificate checks, result, async',
  ];
  const rows = [['step', 'us/op', 'adds']];
  rows.push(['(b) bare crypto.subtle.verify', bare.toFixed(1), '']);
  let previous = bare;
  [...steps, core].forEach((us, i) => {
    rows.push([labels[i]!, us.toFixed(1), `${us - previous >= 0 ? '+' : ''}${(us - previous).toFixed(1)}`]);
    previous = us;
  });
  return align(rows, 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
