// bench:soak — many notifications over fewer orders through local `wrangler dev`, with Alipay's
// re-sends, TRADE_SUCCESS then TRADE_FINISHED, waiting and partial refunds, while the origin fails
// a share of deliveries at random; then counts sent / acknowledged / delivered / lost / doubled /
// dead (test/e2e/soak.ts). Goal: 0 lost, 0 doubled by webhook-id. Exit 1 otherwise.
// Run by hand: `npm run bench:soak` (options after `--`: --notifications N --orders N
// --concurrency N --resend-percent N --fail-percent N --seed N --time-limit-s N). It starts and
// stops its own processes (test/e2e/harness.ts). A short version runs in `npm run test:e2e`.
import { SOAK_SETTINGS, runSoak, soakReport, type SoakPlan } from '../test/e2e/soak';
import { print, progress, readOptions } from './common';
import { runOnStack } from './stack-run';

runOnStack('bench:soak', () => {
  const options = readOptions({
    notifications: { default: 1_000, max: 100_000 },
    orders: { default: 200, max: 100_000 },
    concurrency: { default: 16, max: 256 },
    'resend-percent': { default: 20, max: 90 },
    'fail-percent': { default: 10, max: 90 },
    seed: { default: 1 },
    'time-limit-s': { default: 600, max: 7_200 },
  });
  const plan: SoakPlan = {
    notifications: options.notifications,
    orders: options.orders,
    concurrency: options.concurrency,
    resendPercent: options['resend-percent'],
    originFailPercent: options['fail-percent'],
    drainTimeoutMs: 120_000,
    seed: options.seed,
    forwarded: 'all',
  };
  return {
    header: [`gateway: wrangler dev (local, workerd), ACK_MODE=durable FORWARD_FORMAT=form FORWARD_EVENTS=all RETRY_SCHEDULE=${SOAK_SETTINGS['RETRY_SCHEDULE']}`],
    stack: { settings: { ...SOAK_SETTINGS }, logLevel: 'warn' },
    timeLimitS: options['time-limit-s'],
    run: async (stack) => {
      const result = await runSoak(stack.info, plan, progress);
      for (const line of soakReport(plan, result)) print(line);
      const ok = result.lost === 0 && result.doubled === 0 && result.refused.size === 0 && result.unexpected === 0;
      print(`goal: 0 lost, 0 doubled by webhook-id, every genuine notification acknowledged  ${ok ? 'OK' : 'FAIL'}`);
      return ok;
    },
  };
});
