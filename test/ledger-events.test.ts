// Refund and close notifications are recorded always, forwarded only when FORWARD_EVENTS says so.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockOrigin, orderKeyOf, postNotify, settled, snapshot, type Origin } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';

let origin: Origin;
beforeEach(() => {
  origin = mockOrigin();
});

const refundOf = (paid: Record<string, string>, outBizNo: string) => ({
  ...paid,
  notify_id: uniqueId('nid-refund'),
  trade_status: 'TRADE_SUCCESS',
  refund_fee: '10.00',
  out_biz_no: outBizNo,
  gmt_refund: '2026-01-01 10:00:00.123',
});

describe('event kinds', () => {
  it('refund and close are recorded but not forwarded by default (FORWARD_EVENTS=paid)', async () => {
    const paid = tradeParams();
    const refund = refundOf(paid, 'R1');
    const closed = { ...paid, notify_id: uniqueId('nid-close'), trade_status: 'TRADE_CLOSED' };
    for (const p of [paid, refund, closed]) expect(await (await postNotify(await signedNotification(p))).text()).toBe('success');

    const ledger = await settled(orderKeyOf(paid));
    expect(ledger.events.map((e) => [e.eventKey, e.kind, e.state])).toEqual([
      ['paid', 'paid', 'delivered'],
      ['refund:R1', 'refund', 'recorded'],
      ['closed', 'closed', 'recorded'],
    ]);
    expect(origin.for(paid['out_trade_no']!)).toHaveLength(1);
  });

  it('refund and close are forwarded when configured, each refund once', async () => {
    const settings = { FORWARD_EVENTS: 'paid,refund,closed' };
    const paid = tradeParams();
    const refund1 = refundOf(paid, 'R1');
    const refund2 = refundOf(paid, 'R2');
    const closed = { ...paid, notify_id: uniqueId('nid-close'), trade_status: 'TRADE_CLOSED', refund_fee: '88.80', out_biz_no: 'R3' };
    for (const p of [paid, refund1, refund2, { ...refund1, notify_id: uniqueId('nid-dup') }, closed]) {
      expect(await (await postNotify(await signedNotification(p), settings)).text()).toBe('success');
    }
    const ledger = await settled(orderKeyOf(paid));
    expect(ledger.events.map((e) => [e.eventKey, e.state])).toEqual([
      ['paid', 'delivered'],
      ['refund:R1', 'delivered'],
      ['refund:R2', 'delivered'],
      ['refund:R3', 'delivered'],
    ]);
    const kinds = origin.for(paid['out_trade_no']!).map((c) => c.headers['x-alipay-event-key']);
    expect(kinds.sort()).toEqual(['paid', 'refund:R1', 'refund:R2', 'refund:R3']);
  });

  it('a close of an unpaid order is forwarded as closed when configured', async () => {
    const closed = tradeParams({ trade_status: 'TRADE_CLOSED' });
    expect(await (await postNotify(await signedNotification(closed), { FORWARD_EVENTS: 'all' })).text()).toBe('success');
    const ledger = await settled(orderKeyOf(closed));
    expect(ledger.events).toEqual([expect.objectContaining({ eventKey: 'closed', kind: 'closed', state: 'delivered' })]);
    expect(origin.for(closed['out_trade_no']!)[0]?.headers['x-alipay-event-kind']).toBe('closed');
  });

  it('a message with no out_trade_no (app-gateway message) is keyed on its notify_id and recorded', async () => {
    const notifyId = uniqueId('nid-sm');
    const params = {
      app_id: '2021000000000001',
      charset: 'UTF-8',
      method: 'alipay.open.servicemarket.order.notify',
      notify_id: notifyId,
      notify_time: tradeParams()['notify_time']!,
      notify_type: 'servicemarket_order_notify',
      commodity_order_id: '2019030800000018079639',
      version: '1.0',
    };
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    const ledger = await snapshot(`2021000000000001#notify:${notifyId}`);
    expect(ledger.outTradeNo).toBeNull();
    expect(ledger.events).toEqual([expect.objectContaining({ eventKey: `other:${notifyId}`, kind: 'other', state: 'recorded' })]);
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    expect((await snapshot(`2021000000000001#notify:${notifyId}`)).notifications[0]?.resends).toBe(1);
  });
});
