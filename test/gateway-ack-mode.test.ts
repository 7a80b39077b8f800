// ACK_MODE: `durable` answers once recorded; `after-delivery` once the origin acknowledged.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockOrigin, orderKeyOf, postNotify, runRetryNow, settled } from './support/gateway';
import { beijingTime, signedNotification, tradeParams } from './support/notifications';

const AFTER_DELIVERY = { ACK_MODE: 'after-delivery' };

beforeEach(() => {
  mockOrigin();
});

describe('ack modes', () => {
  it('durable: success while the origin is down; the event stays owed', async () => {
    const origin = mockOrigin(() => new Response('down', { status: 500 }));
    const params = tradeParams();
    const response = await postNotify(await signedNotification(params));
    expect([response.status, await response.text()]).toEqual([200, 'success']);
    const ledger = await settled(orderKeyOf(params));
    expect(ledger.events[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
  });

  it('after-delivery: success only after the origin acknowledged', async () => {
    const origin = mockOrigin();
    const params = tradeParams();
    const response = await postNotify(await signedNotification(params), AFTER_DELIVERY);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1); // delivered before the answer
    expect([response.status, await response.text()]).toEqual([200, 'success']);
    expect((await settled(orderKeyOf(params))).events[0]).toMatchObject({ state: 'delivered' });
  });

  it('after-delivery: origin down → 503; after the retry delivers, the re-send gets success', async () => {
    let up = false;
    const origin = mockOrigin(() => (up ? new Response('success') : new Response('down', { status: 500 })));
    const params = tradeParams();
    const first = await postNotify(await signedNotification(params), AFTER_DELIVERY);
    expect(first.status).toBe(503);
    expect(await first.text()).not.toBe('success');

    // Alipay re-sends before our retry is due: still not acknowledged, and no extra attempt.
    const early = await postNotify(await signedNotification({ ...params, notify_time: beijingTime(Date.now() + 1000) }), AFTER_DELIVERY);
    expect(early.status).toBe(503);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);

    up = true;
    await runRetryNow(orderKeyOf(params));
    const resend = await postNotify(await signedNotification({ ...params, notify_time: beijingTime(Date.now() + 2000) }), AFTER_DELIVERY);
    expect([resend.status, await resend.text()]).toEqual([200, 'success']);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(2);
  });

  it('after-delivery: a kind that is not forwarded is acknowledged once recorded', async () => {
    const origin = mockOrigin(() => new Response('down', { status: 500 }));
    const params = tradeParams({ trade_status: 'TRADE_CLOSED' });
    const response = await postNotify(await signedNotification(params), AFTER_DELIVERY);
    expect([response.status, await response.text()]).toEqual([200, 'success']);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(0);
  });
});
