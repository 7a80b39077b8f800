// The soak, short: bench:soak's mix (re-sends, TRADE_SUCCESS then TRADE_FINISHED, waiting, partial
// refunds) at a size that keeps the suite quick, against an origin failing 10 % at random.
// Every genuine notification is acknowledged; every owed event arrives exactly once.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startStack, type RunningStack } from './harness';
import { SOAK_SETTINGS, runSoak, soakReport, type SoakPlan } from './soak';

const PLAN: SoakPlan = {
  notifications: 150,
  orders: 30,
  concurrency: 8,
  resendPercent: 20,
  originFailPercent: 10,
  drainTimeoutMs: 30_000,
  seed: 7,
};

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack({ settings: { ...SOAK_SETTINGS }, logLevel: 'warn' });
});
afterAll(() => stack?.stop());

test(`soak: ${PLAN.notifications} notifications over ${PLAN.orders} orders, origin failing ${PLAN.originFailPercent} %: 0 lost, 0 doubled`, async () => {
  const result = await runSoak(stack.info, PLAN);
  const report = soakReport(PLAN, result).join('\n');
  console.log(report);
  expect(result.refused, report).toEqual(new Map());
  expect(result.acknowledged, report).toBe(PLAN.notifications);
  expect({ lost: result.lost, doubled: result.doubled, dead: result.dead, unexpected: result.unexpected }, report).toEqual({
    lost: 0,
    doubled: 0,
    dead: 0,
    unexpected: 0,
  });
  expect(result.delivered, report).toBe(result.owed);
  // The mix really ran: more events than orders (waiting and refunds), and the origin did fail some.
  expect(result.owed, report).toBeGreaterThan(PLAN.orders);
  expect(result.originFailedAtRandom, report).toBeGreaterThan(0);
}, 90_000);
