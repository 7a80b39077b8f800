// After the origin has the event: Alipay re-sending the same notification, or sending
// TRADE_FINISHED for the same order, gets `success` and nothing new reaches the origin.
import { expect, test } from 'vitest';
import { acceptedAtOrigin, ledgerOf, origin, postNotification } from './client';
import { sleep } from './harness';
import { paidNotification, signedNotification, uniqueId } from '../support/notifications';

test('re-sends after delivery are acknowledged and forward nothing new', async () => {
  const { params, body } = await paidNotification();
  const order = params.out_trade_no!;
  expect(await postNotification(body)).toEqual({ status: 200, body: 'success' });
  expect(await acceptedAtOrigin(order)).toHaveLength(1);

  expect(await postNotification(body)).toEqual({ status: 200, body: 'success' });
  const finished = await signedNotification({ ...params, notify_id: uniqueId('nid'), trade_status: 'TRADE_FINISHED' });
  expect(await postNotification(finished)).toEqual({ status: 200, body: 'success' });

  await sleep(1_500); // longer than the first retry delay: a new forward would have happened by now
  expect(await origin().deliveries(order)).toHaveLength(1);
  const ledger = await ledgerOf(order);
  expect(ledger?.notifications).toHaveLength(2);
  expect(ledger?.events.map((e) => [e.eventKey, e.state, e.attempts])).toEqual([['paid', 'delivered', 1]]);
});
