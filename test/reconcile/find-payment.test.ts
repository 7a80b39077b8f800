// A registered order whose notification never arrives: the ledger asks Alipay on its schedule,
// a verified paid answer becomes the order's paid event (source `query`), delivered once and
// forwarded like a notification's; a late notification forwards nothing new; answers that do not
// verify change nothing. Alipay is played by test/support/alipay-gateway.ts (independent signer).
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { TEST_APP_ID, TEST_ONLY_FORWARD_SECRETS } from '../fixtures/gateway-test-keys';
import { webhookHeaders } from '../support/delivery';
import { parseFormBody } from '../support/form';
import { adminRequest, callWorker, ledger, mockAlertReceiver, mockOrigin, postNotify, snapshot, waitForIndexedRow } from '../support/gateway';
import { signedNotification, tradeParams } from '../support/notifications';
import { alipayGateway, newOrder, paidAtAlipay, register, runQueryNow } from './support';
import { withWrongSig } from '../support/wrong-sig';
import { SETTLE_MS } from '../support/settle';

const fields = (body: Uint8Array) => Object.fromEntries(parseFormBody(body).map((p) => [p.key, new TextDecoder().decode(p.value)]));

describe('registering an order', () => {
  it('answers with the order and the first query on RECONCILE_SCHEDULE; the index shows it waiting, with the amount registered', async () => {
    const { outTradeNo, orderKey } = newOrder();
    const before = Date.now();
    const response = await register(outTradeNo, '88.80');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; orderKey: string; status: string; asking: boolean; nextQueryAt: string };
    expect(body).toMatchObject({ ok: true, orderKey, status: 'expected', asking: true });
    expect(Date.parse(body.nextQueryAt) - before).toBeGreaterThanOrEqual(30_000);
    expect(Date.parse(body.nextQueryAt) - before).toBeLessThan(32_000);
    const s = await snapshot(orderKey);
    expect(s.reconcile).toMatchObject({ state: 'asking', firstTrigger: 'registered', expectedAmount: '88.80', queries: 0 });
    expect(await ledger(orderKey).indexRow()).toMatchObject({ outTradeNo, status: 'waiting', totalCents: 8880, delivery: 'not-forwarded' });
  });

  it.each([
    ['a wrong signature', (form: string) => withWrongSig(form), 403],
    ['another amount than signed', (form: string) => form.replace('total_amount=88.80', 'total_amount=8.88'), 403],
    ['an amount without two decimals', (form: string) => form.replace('total_amount=88.80', 'total_amount=88.8'), 400],
  ])('refuses %s', async (_name, change, status) => {
    const { outTradeNo } = newOrder();
    const { registrationForm, REGISTER_URL } = await import('./support');
    const body = change(await registrationForm(outTradeNo));
    const response = await callWorker(new Request(REGISTER_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
    expect(response.status).toBe(status);
  });
});

describe('a payment whose notification never arrived', () => {
  it('is found by the scheduled query, recorded as the paid event with source query, and delivered once', async () => {
    const origin = mockOrigin();
    const alerts = mockAlertReceiver();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo, '88.80');
    const trade = paidAtAlipay(gateway, outTradeNo, '88.80');

    const s = await runQueryNow(orderKey);
    // The request was signed with the app private key, and asked about this order.
    const asked = gateway.requests.filter((r) => r.params.biz_content?.includes(outTradeNo));
    expect(asked).toHaveLength(1);
    expect(asked[0]!.signatureValid).toBe(true);

    expect(s.reconcile).toMatchObject({ state: 'paid', lastOutcome: 'paid-found', queries: 1 });
    expect(s.notifications).toEqual([expect.objectContaining({ notifyId: `query ${trade.trade_no}`, source: 'query', tradeStatus: 'TRADE_SUCCESS', contentRule: 'query-answer' })]);
    expect(s.events).toEqual([expect.objectContaining({ eventKey: 'paid', kind: 'paid', state: 'delivered', attempts: 1 })]);

    const calls = origin.for(outTradeNo);
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.headers['x-alipay-event-source']).toBe('query');
    expect(call.headers['x-alipay-event-kind']).toBe('paid');
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    // Signed like every delivery (checked with the reference library) ...
    expect(() => new Webhook(TEST_ONLY_FORWARD_SECRETS[0]).verify(new TextDecoder().decode(call.body), webhookHeaders(call.headers), { jsonParse: false })).not.toThrow();
    // ... and the form holds the verified answer's trade fields, with the app id.
    expect(fields(call.body)).toMatchObject({ app_id: TEST_APP_ID, out_trade_no: outTradeNo, trade_no: trade.trade_no, trade_status: 'TRADE_SUCCESS', total_amount: '88.80', store_name: '西湖店/1号柜台' });
    expect(fields(call.body)).not.toHaveProperty('code');

    expect(await ledger(orderKey).indexRow()).toMatchObject({ status: 'paid', delivery: 'delivered', tradeNo: trade.trade_no, totalCents: 8880 });
    await expect.poll(() => alerts.calls.map((c) => (JSON.parse(c.body) as { kind: string }).kind), { timeout: SETTLE_MS }).toContain('payment-found-by-query');
  });

  it('the late real notification is answered success and forwards nothing new', async () => {
    const origin = mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    const trade = paidAtAlipay(gateway, outTradeNo);
    await runQueryNow(orderKey);
    expect(origin.for(outTradeNo)).toHaveLength(1);

    const late = await signedNotification(tradeParams({ out_trade_no: outTradeNo, trade_no: trade.trade_no!, total_amount: '88.80' }));
    const response = await postNotify(late);
    expect(await response.text()).toBe('success');
    const s = await snapshot(orderKey);
    expect(s.notifications.map((n) => n.source)).toEqual(['query', 'notification']);
    expect(s.events).toHaveLength(1);
    expect(origin.for(outTradeNo)).toHaveLength(1);
  });

  it('a notification first: the query finds it recorded already and records nothing', async () => {
    const origin = mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    expect(await (await postNotify(await signedNotification(tradeParams({ out_trade_no: outTradeNo, total_amount: '88.80' })))).text()).toBe('success');
    // The notification ended the asking: nothing is scheduled.
    expect((await snapshot(orderKey)).reconcile).toMatchObject({ state: 'paid', nextQueryAt: null });
    paidAtAlipay(gateway, outTradeNo);
    const asked = await (await callWorker(adminRequest(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/ask`, { method: 'POST' }))).json();
    expect(asked).toMatchObject({ ok: true, outcome: 'already-recorded' });
    expect((await snapshot(orderKey)).events).toHaveLength(1);
    await expect.poll(() => origin.for(outTradeNo).length, { timeout: SETTLE_MS }).toBe(1);
  });

  it.each(['unsigned', 'forged', 'tampered', 'html'] as const)('a %s answer changes nothing: no event, asking goes on', async (mode) => {
    const origin = mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    paidAtAlipay(gateway, outTradeNo);
    gateway.mode = mode;
    const s = await runQueryNow(orderKey);
    expect(s.events).toEqual([]);
    expect(s.notifications).toEqual([]);
    expect(s.reconcile).toMatchObject({ state: 'asking', lastOutcome: 'failed', queries: 1 });
    expect(s.reconcile!.lastError).toMatch(/^(unsigned|signature-mismatch|unparsable):/);
    expect(Date.parse(s.reconcile!.nextQueryAt!)).toBeGreaterThan(Date.now() + 50_000);
    expect(origin.for(outTradeNo)).toEqual([]);
    expect(await ledger(orderKey).indexRow()).toMatchObject({ status: 'waiting' });
  });

  it('not paid yet (TRADE_NOT_EXIST, then WAIT_BUYER_PAY): the schedule goes on; closed ends it', async () => {
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    let s = await runQueryNow(orderKey);
    expect(s.reconcile).toMatchObject({ state: 'asking', lastOutcome: 'not-found', queries: 1 });
    paidAtAlipay(gateway, outTradeNo, '88.80', { trade_status: 'WAIT_BUYER_PAY' });
    s = await runQueryNow(orderKey);
    expect(s.reconcile).toMatchObject({ state: 'asking', lastOutcome: 'not-paid', queries: 2 });
    paidAtAlipay(gateway, outTradeNo, '88.80', { trade_status: 'TRADE_CLOSED' });
    s = await runQueryNow(orderKey);
    expect(s.reconcile).toMatchObject({ state: 'closed', lastOutcome: 'closed', queries: 3, nextQueryAt: null });
    expect(s.events).toEqual([]);
    // Alipay closed the trade: the payments index no longer lists it as waiting (the sweep reads those).
    await waitForIndexedRow(orderKey, { status: 'closed', totalCents: 8880 });
  });

  it('stops after one last query past the order\'s expiry', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo, '88.80', Math.floor(Date.now() / 1000) + 60);
    let s = await runQueryNow(orderKey);
    // Never later than 5 minutes after the order's expiry.
    expect(Date.parse(s.reconcile!.nextQueryAt!)).toBeLessThanOrEqual(Date.parse(s.reconcile!.expiresAt!) + 5 * 60_000);
    const { runInDurableObject } = await import('cloudflare:test');
    await runInDurableObject(ledger(orderKey), (_i, state) => {
      // As if the order expired long ago: its last query is now due and nothing comes after it.
      state.storage.sql.exec('UPDATE reconcile SET expires_at = ?', Date.now() - 10 * 60_000);
    });
    await waitForIndexedRow(orderKey, { status: 'waiting' });
    s = await runQueryNow(orderKey);
    expect(s.reconcile).toMatchObject({ state: 'expired', nextQueryAt: null, queries: 2 });
    // Expired unpaid: closed in the payments index, off the sweep's waiting rows ...
    await waitForIndexedRow(orderKey, { status: 'closed', paidAt: null });
    // ... until a notification says otherwise: a payment Alipay reports late is still a payment.
    mockOrigin();
    const late = await postNotify(await signedNotification(tradeParams({ out_trade_no: outTradeNo, total_amount: '88.80' })));
    expect(await late.text()).toBe('success');
    await waitForIndexedRow(orderKey, { status: 'paid' });
  });

  it('never two at once: a second question while one is out shares its answer, and the query is claimed in storage first', async () => {
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    paidAtAlipay(gateway, outTradeNo);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let seen = 0;
    const { mockAlipay } = await import('../support/gateway');
    mockAlipay(async (input, init) => {
      seen += 1;
      await held;
      return gateway.fetch(input, init);
    });
    const path = `/admin/orders/${TEST_APP_ID}/${outTradeNo}/ask`;
    const first = callWorker(adminRequest(path, { method: 'POST' }));
    await expect.poll(() => seen, { timeout: SETTLE_MS }).toBe(1);
    // While the request is out, its claim is in storage: any other instance would see it.
    const { runInDurableObject } = await import('cloudflare:test');
    const lease = await runInDurableObject(ledger(orderKey), (_i, state) => state.storage.sql.exec<{ l: number | null }>('SELECT lease_until AS l FROM reconcile').one().l);
    expect(lease).toBeGreaterThan(Date.now());
    const second = callWorker(adminRequest(path, { method: 'POST' }));
    // The alarm coming due meanwhile finds the query claimed too.
    await runQueryNow(orderKey).catch(() => undefined);
    release();
    const [a, b] = await Promise.all([(await first).json(), (await second).json()]);
    expect(a).toMatchObject({ ok: true, outcome: 'paid-found' });
    expect(b).toMatchObject({ ok: true, outcome: 'paid-found' });
    expect(seen).toBe(1);
    expect((await snapshot(orderKey)).reconcile).toMatchObject({ queries: 1, state: 'paid' });
  }, 30_000);
});
