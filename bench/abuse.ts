// bench:abuse — 10,000 malformed requests through local `wrangler dev` (random bytes, bad
// percent-encoding, duplicate keys, truncations, tampered and unsigned bodies, oversize with and
// without Content-Length, slow bodies chunked and with a length, wrong methods) while genuine
// notifications keep arriving; prints every answer by kind, how the genuine ones fared, and the
// gateway's memory before, at the peak and after it settles (test/e2e/abuse.ts). Exit 1 if any
// malformed request got `success` or a genuine one was not acknowledged by the gateway.
// Run by hand: `npm run bench:abuse` (options after `--`: --bodies N --concurrency N --slow N
// --slow-interval-ms N --oversize-bytes N --genuine-concurrency N --genuine-pause-ms N --settle-ms N --seed N
// --time-limit-s N). A smaller version runs in `npm run test:e2e`.
import { abuseReport, runAbuse, type AbusePlan } from '../test/e2e/abuse';
import { print, progress, readOptions } from './common';
import { runOnStack } from './stack-run';

runOnStack('bench:abuse', () => {
  const options = readOptions({
    bodies: { default: 10_000, max: 1_000_000 },
    concurrency: { default: 16, max: 256 },
    slow: { default: 20, max: 1_000 },
    'slow-interval-ms': { default: 1_000, max: 60_000 },
    'oversize-bytes': { default: 1024 * 1024, max: 100 * 1024 * 1024 },
    'genuine-concurrency': { default: 2, max: 64 },
    'genuine-pause-ms': { default: 1, max: 60_000 },
    'settle-ms': { default: 10_000, max: 600_000 },
    seed: { default: 1 },
    'time-limit-s': { default: 900, max: 7_200 },
  });
  const plan: AbusePlan = {
    bodies: options.bodies,
    concurrency: options.concurrency,
    slow: Math.min(options.slow, options.bodies),
    slowIntervalMs: options['slow-interval-ms'],
    oversizeBytes: options['oversize-bytes'],
    genuineConcurrency: options['genuine-concurrency'],
    genuinePauseMs: options['genuine-pause-ms'],
    settleMs: options['settle-ms'],
    seed: options.seed,
  };
  return {
    stack: { logLevel: 'error' },
    timeLimitS: options['time-limit-s'],
    run: async (stack) => {
      const result = await runAbuse(stack.info, plan, progress);
      for (const line of abuseReport(plan, result)) print(line);
      const ok = result.successes === 0 && result.genuine.failures.size === 0 && result.genuine.acknowledged === result.genuine.sent;
      print(`goal: no malformed request answered success, every genuine notification acknowledged  ${ok ? 'OK' : 'FAIL'}`);
      return ok;
    },
  };
});
