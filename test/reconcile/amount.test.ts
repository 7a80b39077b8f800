// The amount check: where the site registered what to expect, a payment of another amount (from a
// notification or from Alipay's answer) is recorded and answered `success`, but held: not
// forwarded as paid, alerted, and released or refused by an operator.
import { describe, expect, it } from 'vitest';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';
import { adminRequest, callWorker, ledger, mockAlertReceiver, mockOrigin, postNotify, runRetryNow, snapshot } from '../support/gateway';
import { signedNotification, tradeParams } from '../support/notifications';
import { alipayGateway, newOrder, paidAtAlipay, register, runQueryNow } from './support';
import { SETTLE_MS } from '../support/settle';

const kinds = (calls: { body: string }[]) => calls.map((c) => (JSON.parse(c.body) as { kind: string }).kind);
const post = (path: string) => callWorker(adminRequest(path, { method: 'POST' }));

describe('a payment of another amount than registered', () => {
  it('from a notification: success to Alipay, held (nothing forwarded), alerted; released, it goes out', async () => {
    const origin = mockOrigin();
    const alerts = mockAlertReceiver();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo, '88.80');
    const response = await postNotify(await signedNotification(tradeParams({ out_trade_no: outTradeNo, total_amount: '8.88' })));
    expect(await response.text()).toBe('success');
    let s = await snapshot(orderKey);
    expect(s.events).toEqual([expect.objectContaining({ eventKey: 'paid', state: 'held', attempts: 0 })]);
    expect(s.events[0]!.lastError).toMatch(/^amount-mismatch: the site registered 88\.80, Alipay says 8\.88/);
    await runRetryNow(orderKey);
    expect(origin.for(outTradeNo)).toEqual([]);
    expect(await ledger(orderKey).indexRow()).toMatchObject({ status: 'paid', delivery: 'pending' });
    // The buyer is not told "paid" while a person reviews it: the site has not been told either.
    expect(await ledger(orderKey).buyerStatus()).toMatchObject({ status: 'reviewing' });
    await expect.poll(() => kinds(alerts.calls), { timeout: SETTLE_MS }).toContain('amount-mismatch');

    // Redelivering "everything" does not send it: the operator decides.
    const all = await (await post(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/redeliver`)).json();
    expect(all).toMatchObject({ ok: true, results: [] });
    const named = await (await post(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/redeliver?event=paid`)).json();
    expect(named).toMatchObject({ ok: true, results: [{ eventKey: 'paid', state: 'held', outcome: 'amount-held' }] });

    const released = await post(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/release`);
    expect(released.status).toBe(200);
    expect(await ledger(orderKey).buyerStatus()).toMatchObject({ status: 'paid', amount: '8.88' });
    s = await runRetryNow(orderKey);
    expect(s.events).toEqual([expect.objectContaining({ state: 'delivered', attempts: 1 })]);
    expect(origin.for(outTradeNo)).toHaveLength(1);
    // Released once: a second decision has nothing to act on.
    expect((await post(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/refuse`)).status).toBe(409);
  });

  it('refused: never forwarded, shown as not forwarded', async () => {
    const origin = mockOrigin();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo, '88.80');
    await postNotify(await signedNotification(tradeParams({ out_trade_no: outTradeNo, total_amount: '88.00' })));
    expect((await post(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/refuse?event=paid`)).status).toBe(200);
    const s = await runRetryNow(orderKey);
    expect(s.events).toEqual([expect.objectContaining({ state: 'refused', attempts: 0 })]);
    expect(origin.for(outTradeNo)).toEqual([]);
    expect(await ledger(orderKey).indexRow()).toMatchObject({ delivery: 'not-forwarded' });
    expect(await ledger(orderKey).buyerStatus()).toMatchObject({ status: 'reviewing' });
  });

  it('the same amount, written otherwise (88.8 for 88.80), is not a mismatch', async () => {
    const origin = mockOrigin();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo, '88.80');
    await postNotify(await signedNotification(tradeParams({ out_trade_no: outTradeNo, total_amount: '88.8' })));
    const s = await runRetryNow(orderKey);
    expect(s.events).toEqual([expect.objectContaining({ state: 'delivered' })]);
    expect(origin.for(outTradeNo)).toHaveLength(1);
  });

  it('from Alipay\'s answer to a query: recorded and held the same way', async () => {
    const origin = mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo, '88.80');
    paidAtAlipay(gateway, outTradeNo, '0.01');
    const s = await runQueryNow(orderKey);
    expect(s.reconcile).toMatchObject({ state: 'paid', lastOutcome: 'paid-found' });
    expect(s.events).toEqual([expect.objectContaining({ state: 'held' })]);
    expect(origin.for(outTradeNo)).toEqual([]);
  });
});
