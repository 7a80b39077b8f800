// The soak, short: bench:soak's mix (re-sends, TRADE_SUCCESS then TRADE_FINISHED, waiting, partial
// refunds) at a size that keeps the suite quick, against an origin failing 10 % at random, on a
// stack of its own (the random failures and the counts are the whole origin's) with the default
// settings (FORWARD_EVENTS=paid: waiting and refunds are recorded, not forwarded, and must not
// arrive). Every genuine notification is acknowledged; every paid event arrives exactly once.
// bench:soak runs 1,000 with every kind forwarded.
import { expect, test } from 'vitest';
import { ownStack } from './client';
import { runSoak, soakReport, type SoakPlan } from './soak';

const PLAN: SoakPlan = {
  notifications: 120,
  orders: 40,
  concurrency: 8,
  resendPercent: 20,
  originFailPercent: 10,
  drainTimeoutMs: 30_000,
  seed: 7,
  forwarded: 'paid',
};

const running = ownStack({ logLevel: 'warn' });

test(`soak: ${PLAN.notifications} notifications over ${PLAN.orders} orders, origin failing ${PLAN.originFailPercent} %: 0 lost, 0 doubled`, async () => {
  const result = await runSoak(running().info, PLAN);
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
  // One paid event per order, and the origin did fail some deliveries.
  expect(result.owed, report).toBe(PLAN.orders);
  expect(result.originFailedAtRandom, report).toBeGreaterThan(0);
}, 90_000);
