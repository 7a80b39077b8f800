// SIGKILL of the whole `wrangler dev` process group (wrangler, its CLI, both workerd processes)
// while deliveries are owed (the origin is down for them) and while one is in flight (the origin
// is slow on it), then a restart on the same --persist-to state. Every notification answered
// `success` must reach the origin; the delivery cut mid-flight may arrive twice, with the same
// webhook-id (the origin already had it when the gateway died); nothing else twice. Notifications
// still arriving while the gateway dies count too: those answered `success` must be delivered.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventually, stackClient } from './client';
import { STACK_START_LIMIT_MS, startStack, type OriginDelivery, type RunningStack } from './harness';
import { paidNotification } from '../support/notifications';

const OWED_ORDERS = 12;
/** Posted around the moment of the crash, a few at a time. */
const DURING_CRASH = 16;
const DELIVERY_TIMEOUT_MS = 5_000;
/** Longer than the attempt may last: the gateway dies while the origin still holds this request. */
const HOLD_MS = 60_000;

let stack: RunningStack;
beforeAll(async () => {
  // Enough retries, seconds apart, that nothing goes dead while the origin is down.
  stack = await startStack({ settings: { RETRY_SCHEDULE: '1s,1s,1s,2s,2s,2s,2s,2s,2s,2s', DELIVERY_TIMEOUT: `${DELIVERY_TIMEOUT_MS}ms` } });
});
afterAll(() => stack?.stop());

const { origin, postNotification } = stackClient(() => stack.info);

const accepted = (deliveries: OriginDelivery[]) => deliveries.filter((d) => d.outcome === 'accepted');

test('SIGKILL while deliveries are owed and one is in flight: after a restart on the same state, every acknowledged event arrives, only the cut one may arrive twice', async () => {
  const owed = await Promise.all(Array.from({ length: OWED_ORDERS }, () => paidNotification()));
  const inFlight = await paidNotification();
  const inFlightOrder = inFlight.params.out_trade_no!;

  // The origin is down for every order but one, and slow on that one.
  await origin().plan(inFlightOrder, 1, 'hold', HOLD_MS);
  await origin().plan('*', 1_000_000, 'drop');

  const replies = await Promise.all(owed.map((n) => postNotification(n.body)));
  expect(replies).toEqual(Array(OWED_ORDERS).fill({ status: 200, body: 'success' }));
  await eventually('a failed attempt for every owed order', async () => {
    const tried = new Set((await origin().allDeliveries()).map((d) => d.order));
    return owed.every((n) => tried.has(n.params.out_trade_no!)) ? true : undefined;
  });
  // The slow one last, so the crash comes right after its request reached the origin.
  const during = await Promise.all(Array.from({ length: DURING_CRASH }, () => paidNotification()));
  expect(await postNotification(inFlight.body)).toEqual({ status: 200, body: 'success' });
  await eventually('the slow delivery at the origin', async () => ((await origin().deliveries(inFlightOrder)).length > 0 ? true : undefined));

  // Notifications keep coming while the gateway dies: some are answered, some are cut off.
  const duringReplies = new Map<string, string>();
  const sending = (async () => {
    for (let i = 0; i < during.length; i += 4) {
      await Promise.all(
        during.slice(i, i + 4).map(async (n) => {
          const reply = await postNotification(n.body).catch((error: unknown) => ({ status: 0, body: String(error) }));
          duringReplies.set(n.params.out_trade_no!, `${reply.status} ${reply.body}`);
        }),
      );
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const crashedAt = Date.now();
  await stack.crashGateway();
  await sending;
  // Really mid-flight: the gateway had not given up on the slow request yet when it died.
  const held = (await origin().deliveries(inFlightOrder))[0]!;
  expect(crashedAt - Date.parse(held.receivedAt), 'the crash came after the attempt had timed out').toBeLessThan(DELIVERY_TIMEOUT_MS);

  await origin().plan('*', 0, 'drop'); // the origin is back
  await stack.restartGateway();
  const restartedAt = Date.now();

  const answered = during.filter((n) => duringReplies.get(n.params.out_trade_no!) === '200 success');
  const unanswered = during.filter((n) => !answered.includes(n));
  console.log(`during the crash: ${answered.length} of ${during.length} answered success`);
  const orders = [inFlight, ...owed, ...answered].map((n) => n.params.out_trade_no!);
  const byOrder = await eventually(
    'every acknowledged order accepted at the origin after the restart',
    async () => {
      const all = await origin().allDeliveries();
      const groups = new Map(orders.map((order) => [order, accepted(all.filter((d) => d.order === order))]));
      // The slow one counts once its delivery after the restart is in, not the one that was cut.
      const inFlightDone = (groups.get(inFlightOrder) ?? []).some((d) => Date.parse(d.receivedAt) >= crashedAt);
      return inFlightDone && orders.every((order) => groups.get(order)!.length > 0) ? groups : undefined;
    },
    60_000,
  );
  console.log(`recovered ${Date.now() - restartedAt} ms after the restart`);

  for (const n of [...owed, ...answered]) {
    const deliveries = byOrder.get(n.params.out_trade_no!)!;
    expect(deliveries, n.params.out_trade_no).toHaveLength(1);
  }
  const cut = byOrder.get(inFlightOrder)!;
  expect(cut.length).toBeGreaterThanOrEqual(1);
  expect(cut.length).toBeLessThanOrEqual(2);
  expect(new Set(cut.map((d) => d.webhookId)).size).toBe(1);
  // Cut off before its answer: recorded or not, never delivered twice.
  const all = await origin().allDeliveries();
  for (const n of unanswered) {
    expect(accepted(all.filter((d) => d.order === n.params.out_trade_no)).length, n.params.out_trade_no).toBeLessThanOrEqual(1);
  }
  // One webhook-id per order, none shared between orders.
  const ids = [...byOrder.values()].map((d) => d[0]!.webhookId);
  expect(new Set(ids).size).toBe(orders.length);
  // Beyond the sum of every wait's own limit inside (two 20 s waits, the kill, a restart of up to
  // STACK_START_LIMIT_MS, the 60 s recovery), so a failure names the step that did not happen.
}, 120_000 + STACK_START_LIMIT_MS);
