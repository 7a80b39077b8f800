// The origin fails the first deliveries (500), then recovers: the gateway retries on its
// schedule (seconds in this suite) and the origin ends up with the event exactly once.
import { expect, test } from 'vitest';
import { acceptedAtOrigin, bodyBytes, deliveredLedger, origin, postNotification } from './client';
import { paidNotification } from '../support/notifications';

const FAILURES = 2;

test('an origin that fails then recovers receives the event exactly once, after retries', async () => {
  const { params, body } = await paidNotification();
  const order = params.out_trade_no!;
  await origin().failNext(order, FAILURES);

  expect(await postNotification(body)).toEqual({ status: 200, body: 'success' });

  const accepted = await acceptedAtOrigin(order);
  expect(accepted).toHaveLength(1);
  expect(bodyBytes(accepted[0]!)).toEqual(body);

  const all = await origin().deliveries(order);
  expect(all.map((d) => d.outcome)).toEqual([...Array<string>(FAILURES).fill('failed-on-purpose'), 'accepted']);
  expect(all.map((d) => d.attemptHeader)).toEqual(['1', '2', '3']);
  // One event, one idempotency key across every attempt.
  expect(new Set(all.map((d) => d.webhookId)).size).toBe(1);

  const ledger = await deliveredLedger(order);
  expect(ledger.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  expect(ledger.events[0]!.attempts).toBe(FAILURES + 1);
});
