// The operator API: one order's ledger (buyer identity masked), redelivery, orderless messages.
import { beforeEach, describe, expect, it } from 'vitest';
import { adminRequest, callWorker, mockOrigin, orderKeyOf, postNotify, settled, type Origin } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';

let origin: Origin;
beforeEach(() => {
  origin = mockOrigin();
});

async function getJson(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await callWorker(adminRequest(path, init));
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

describe('admin API', () => {
  it('shows an order: notifications, events, attempts, with buyer identity masked', async () => {
    const params = tradeParams({ buyer_id: '2088102122524333', buyer_logon_id: 'buyer@example.com', buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' });
    await postNotify(await signedNotification(params));
    await settled(orderKeyOf(params));

    const { status, body, text } = await getJson(`/admin/orders/${params['app_id']}/${params['out_trade_no']}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ok: true,
      orderKey: orderKeyOf(params),
      outTradeNo: params['out_trade_no'],
      notifications: [{ notifyId: params['notify_id'], eventKey: 'paid', tradeStatus: 'TRADE_SUCCESS', signType: 'RSA2', charset: 'utf-8' }],
      events: [{ eventKey: 'paid', kind: 'paid', state: 'delivered', attempts: 1 }],
      attempts: [{ eventKey: 'paid', attempt: 1, status: 200, outcome: 'delivered' }],
    });
    expect(body.notifications[0].params.total_amount).toBe('88.80');
    expect(body.notifications[0].params.buyer_id).toBe('2088********4333');
    for (const secret of ['2088102122524333', 'buyer@example.com', '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5']) {
      expect(text).not.toContain(secret);
    }
  });

  it('404 for an order never seen', async () => {
    const { status } = await getJson(`/admin/orders/2021000000000001/${uniqueId('nope')}`);
    expect(status).toBe(404);
  });

  it('redelivers a delivered event on request, with the same webhook-id', async () => {
    const params = tradeParams();
    await postNotify(await signedNotification(params));
    await settled(orderKeyOf(params));
    const path = `/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver?event=paid`;
    const { status, body } = await getJson(path, { method: 'POST' });
    expect(status).toBe(200);
    expect(body.results).toEqual([expect.objectContaining({ eventKey: 'paid', state: 'delivered', outcome: 'delivered' })]);
    const calls = origin.for(params['out_trade_no']!);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['webhook-id']).toBe(calls[0]!.headers['webhook-id']);
    expect(calls[1]!.headers['x-delivery-attempt']).toBe('2');
  });

  it('redelivers a recorded (not forwarded) event only when named', async () => {
    const params = tradeParams({ trade_status: 'TRADE_CLOSED' });
    await postNotify(await signedNotification(params));
    await settled(orderKeyOf(params));
    const base = `/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver`;
    expect((await getJson(base, { method: 'POST' })).body.results).toEqual([]);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(0);
    const named = await getJson(`${base}?event=closed`, { method: 'POST' });
    expect(named.body.results).toEqual([expect.objectContaining({ eventKey: 'closed', state: 'delivered' })]);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
  });

  it('404 for an unknown event or order on redelivery', async () => {
    const params = tradeParams();
    await postNotify(await signedNotification(params));
    const unknownEvent = await getJson(`/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver?event=refund:X`, { method: 'POST' });
    expect([unknownEvent.status, unknownEvent.body.reason]).toEqual([404, 'unknown-event']);
    const unknownOrder = await getJson(`/admin/orders/${params['app_id']}/${uniqueId('nope')}/redeliver`, { method: 'POST' });
    expect([unknownOrder.status, unknownOrder.body.reason]).toEqual([404, 'unknown-order']);
  });

  it('shows a message that has no out_trade_no under /admin/messages', async () => {
    const notifyId = uniqueId('nid-msg');
    const params = {
      app_id: '2021000000000001',
      charset: 'utf-8',
      notify_id: notifyId,
      notify_time: tradeParams()['notify_time']!,
      notify_type: 'servicemarket_order_notify',
      version: '1.0',
    };
    await postNotify(await signedNotification(params));
    const { status, body } = await getJson(`/admin/messages/2021000000000001/${notifyId}`);
    expect(status).toBe(200);
    expect(body.events).toEqual([expect.objectContaining({ eventKey: `other:${notifyId}`, state: 'recorded' })]);
  });
});
