// A notification changed after Alipay signed it is refused (403, not `success`, so a real
// Alipay would retry a genuine one) and nothing about it is recorded or forwarded.
import { expect, test } from 'vitest';
import { ledgerOf, origin, postNotification } from './client';
import { sleep } from './harness';
import { paidNotification } from '../support/notifications';

test('a tampered notification gets 403 and nothing is recorded or forwarded', async () => {
  const { params, body } = await paidNotification({ total_amount: '88.80' });
  const tampered = new TextEncoder().encode(Buffer.from(body).toString('latin1').replace('total_amount=88.80', 'total_amount=0.01'));
  expect(tampered).not.toEqual(body);

  const reply = await postNotification(tampered);
  expect(reply.status).toBe(403);
  expect(reply.body).not.toBe('success');

  expect(await ledgerOf(params.out_trade_no!)).toBeNull();
  await sleep(1_500); // a forward starts at once (alarm now); this also covers a first retry
  expect(await origin().deliveries(params.out_trade_no!)).toEqual([]);
});
