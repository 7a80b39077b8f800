// Alipay (or a replaying proxy) sending the same notification many times at once: every copy
// is acknowledged, and the order's Durable Object lets exactly one delivery through; every copy
// after the first is counted as a re-send.
import { expect, test } from 'vitest';
import { acceptedAtOrigin, deliveredLedger, eventually, ledgerOf, origin, postNotification } from './client';
import { paidNotification } from '../support/notifications';

const COPIES = 50;

test(`${COPIES} identical notifications at once: all success, exactly one delivery at the origin`, async () => {
  const { params, body } = await paidNotification();

  const replies = await Promise.all(Array.from({ length: COPIES }, () => postNotification(body)));
  expect(replies.filter((r) => r.status === 200 && r.body === 'success')).toHaveLength(COPIES);

  const accepted = await acceptedAtOrigin(params.out_trade_no!);
  expect(accepted).toHaveLength(1);
  expect(await origin().deliveries(params.out_trade_no!)).toHaveLength(1);

  const ledger = await deliveredLedger(params.out_trade_no!);
  expect(ledger.notifications).toHaveLength(1);
  expect(ledger.attempts).toHaveLength(1);
  // Every copy but the first is a re-send. Copies the Worker answered itself (its isolate saw the
  // notification recorded) reach the ledger's count a second after their answers.
  const counted = await eventually(`${COPIES - 1} re-sends counted`, async () => {
    const resends = (await ledgerOf(params.out_trade_no!))?.notifications[0]?.resends ?? 0;
    return resends >= COPIES - 1 ? resends : undefined;
  });
  expect(counted).toBe(COPIES - 1);
});
