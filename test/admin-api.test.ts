// The operator API: one order's ledger (buyer identity masked), redelivery, orderless messages.
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_OUT_TRADE_NO_CHARS, adminPathOf, orderKey } from '../src/orders/order-key';
import { AWKWARD_IDS } from './support/awkward-ids';
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

  it('every order acknowledged with an awkward out_trade_no is reachable at adminPathOf, or was refused up front', async () => {
    const acknowledged: string[] = [];
    for (const id of AWKWARD_IDS.filter((id) => id !== '')) {
      // A fresh order each time: a suffix that keeps the awkward part whole where it is what matters.
      const outTradeNo = id.length >= MAX_OUT_TRADE_NO_CHARS || /^[.~%/]/.test(id) ? id : `${id}${uniqueId('')}`;
      const params = tradeParams({ out_trade_no: outTradeNo });
      const reply = await postNotify(await signedNotification(params));
      const text = await reply.text();
      if (text !== 'success') {
        // Refused before anything was recorded: a clear client error, and Alipay keeps the message.
        expect([reply.status, text]).toEqual([400, expect.stringMatching(/^fail: \S+/)]);
        continue;
      }
      acknowledged.push(outTradeNo);
      const path = adminPathOf(orderKey(params['app_id']!, outTradeNo));
      const shown = await getJson(path);
      expect([path, shown.status, shown.body.outTradeNo]).toEqual([path, 200, outTradeNo]);
      const redelivered = await getJson(`${path}/redeliver?event=paid`, { method: 'POST' });
      expect([path, redelivered.status, redelivered.body.orderKey]).toEqual([path, 200, orderKey(params['app_id']!, outTradeNo)]);
    }
    // The admin side is what is under test: most of these must have been acknowledged.
    expect(acknowledged.length).toBeGreaterThan(0);
  });

  it('a 2,060-character out_trade_no is refused (invalid-field), so no unreachable order is acknowledged', async () => {
    const params = tradeParams({ out_trade_no: 'T'.repeat(2060) });
    const reply = await postNotify(await signedNotification(params));
    expect([reply.status, await reply.text()]).toEqual([400, 'fail: invalid-field']);
    const tooLong = await getJson(`/admin/orders/${params['app_id']}/${'T'.repeat(MAX_OUT_TRADE_NO_CHARS + 1)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatch(/out_trade_no longer than 64 characters/);
  });
});
