// Dedupe: by notify_id (Alipay's re-sends), then by event key (TRADE_FINISHED after TRADE_SUCCESS).
import { beforeEach, describe, expect, it } from 'vitest';
import { mockOrigin, orderKeyOf, postNotify, settled, type Origin } from './support/gateway';
import { beijingTime, signedNotification, tradeParams } from './support/notifications';

let origin: Origin;
beforeEach(() => {
  origin = mockOrigin();
});

describe('ledger dedupe', () => {
  it('a re-sent notify_id answers success and forwards nothing new', async () => {
    const params = tradeParams();
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    await settled(orderKeyOf(params));
    for (let i = 1; i <= 3; i++) {
      const resend = await signedNotification({ ...params, notify_time: beijingTime(Date.now() + i * 1000) });
      expect(await (await postNotify(resend)).text()).toBe('success');
    }
    const ledger = await settled(orderKeyOf(params));
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
    expect(ledger.notifications).toHaveLength(1);
    expect(ledger.notifications[0]).toMatchObject({ notifyId: params['notify_id'], resends: 3 });
    expect(ledger.events).toEqual([expect.objectContaining({ eventKey: 'paid', state: 'delivered', attempts: 1 })]);
  });

  it('TRADE_FINISHED after TRADE_SUCCESS: paid is forwarded once', async () => {
    const success = tradeParams({ trade_status: 'TRADE_SUCCESS' });
    const finished = { ...success, notify_id: `${success['notify_id']}-finished`, trade_status: 'TRADE_FINISHED' };
    expect(await (await postNotify(await signedNotification(success))).text()).toBe('success');
    await settled(orderKeyOf(success));
    expect(await (await postNotify(await signedNotification(finished))).text()).toBe('success');

    const ledger = await settled(orderKeyOf(success));
    const calls = origin.for(success['out_trade_no']!);
    expect(calls).toHaveLength(1);
    expect(new TextDecoder().decode(calls[0]!.body)).toContain('trade_status=TRADE_SUCCESS');
    expect(ledger.notifications.map((n) => [n.tradeStatus, n.eventKey])).toEqual([
      ['TRADE_SUCCESS', 'paid'],
      ['TRADE_FINISHED', 'paid'],
    ]);
    expect(ledger.events).toHaveLength(1);
  });

  it('TRADE_FINISHED first, TRADE_SUCCESS later: still one paid delivery', async () => {
    const finished = tradeParams({ trade_status: 'TRADE_FINISHED' });
    const success = { ...finished, notify_id: `${finished['notify_id']}-success`, trade_status: 'TRADE_SUCCESS' };
    expect(await (await postNotify(await signedNotification(finished))).text()).toBe('success');
    expect(await (await postNotify(await signedNotification(success))).text()).toBe('success');
    await settled(orderKeyOf(finished));
    expect(origin.for(finished['out_trade_no']!)).toHaveLength(1);
  });
});
