// When the gateway asks Alipay beside the schedule of a registered order: the buyer comes back from
// Alipay (a verified return) and no payment is recorded; the buyer's status page is still waiting
// (bounded per order); an operator asks now; the hourly sweep of registered orders still unpaid.
// The request that triggers it never waits for the query (it runs in the ledger's alarm).
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/types';
import { SWEEP_CRON, SWEEP_SPACING_MS, handleScheduled, sweepExpectedOrders } from '../../src/cron';
import type { GatewayEnv } from '../../src/env';
import worker from '../../src/index';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';
import { TEST_ONLY_STATUS_SECRET_FOR_ORDERS } from '../fixtures/reconcile-test-keys';
import { adminRequest, callWorker, gatewayEnv, indexedRow, ledger, mockOrigin, orderKeyOf, postNotify, snapshot, waitForIndexedRow } from '../support/gateway';
import { captureJsonLogs } from '../support/json-logs';
import { beijingTime, signedNotification, tradeParams, uniqueId } from '../support/notifications';
import { alipayGateway, newOrder, paidAtAlipay, register, runQueryNow } from './support';
import { SETTLE_MS } from '../support/settle';

/** The gateway's settings for these tests, as the cron handler loads them. */
async function testConfig(): Promise<Config> {
  const loaded = await loadConfig(gatewayEnv);
  if (!loaded.ok) throw new Error('test settings have problems');
  return loaded.config;
}

/** `count` registered orders, each indexed as waiting with its own next query an hour away (only the sweep makes it due now), oldest first. */
async function waitingOrders(count: number): Promise<Array<{ outTradeNo: string; orderKey: string }>> {
  const orders: Array<{ outTradeNo: string; orderKey: string }> = [];
  for (let i = 0; i < count; i++) {
    const order = newOrder();
    await register(order.outTradeNo);
    await runInDurableObject(ledger(order.orderKey), (_i, state) => state.storage.sql.exec('UPDATE reconcile SET next_query_at = ?', Date.now() + 3_600_000));
    await runDurableObjectAlarm(ledger(order.orderKey));
    await waitForIndexedRow(order.orderKey, { status: 'waiting' });
    orders.push(order);
    await new Promise((resolve) => setTimeout(resolve, 3)); // distinct first-seen times
  }
  return orders;
}

/** Calls the Worker with a real ExecutionContext and waits for what it left running (waitUntil). */
async function callWithContext(request: Request, overrides: Record<string, unknown> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], { ...gatewayEnv, ...overrides } as GatewayEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

async function hmacHex(message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(TEST_ONLY_STATUS_SECRET_FOR_ORDERS), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function statusRequest(outTradeNo: string): Promise<Request> {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const query = new URLSearchParams({ app_id: TEST_APP_ID, out_trade_no: outTradeNo, exp: String(exp), sig: await hmacHex(`${TEST_APP_ID}.${outTradeNo}.${exp}`) });
  return new Request(`https://gateway.test/alipay/status?${query}`);
}

describe('asking Alipay when someone is waiting', () => {
  it('the buyer returns from Alipay with no payment recorded: the order is asked about now, and the payment found', async () => {
    const origin = mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    paidAtAlipay(gateway, outTradeNo);
    const params = { app_id: TEST_APP_ID, charset: 'utf-8', method: 'alipay.trade.page.pay.return', out_trade_no: outTradeNo, seller_id: '2088000000000002', timestamp: beijingTime(Date.now()), total_amount: '88.80', trade_no: '2026050100001', version: '1.0' };
    const query = new TextDecoder().decode(await signedNotification(params));
    const response = await callWithContext(new Request(`https://gateway.test/alipay/return?${query}`, { redirect: 'manual' }), { ORIGIN_RETURN_URL: 'https://shop.test/return.asp' });
    expect(response.status).toBe(302);
    // No registration: the return started the asking, due now (its alarm may already have run it).
    const started = await snapshot(orderKey);
    expect(started.reconcile).toMatchObject({ firstTrigger: 'return' });
    if (started.reconcile!.state === 'asking') expect(Date.parse(started.reconcile!.nextQueryAt!)).toBeLessThanOrEqual(Date.now());
    await runQueryNow(orderKey);
    await expect.poll(async () => (await snapshot(orderKey)).reconcile, { timeout: SETTLE_MS }).toMatchObject({ state: 'paid', lastOutcome: 'paid-found', queries: 1 });
    await expect.poll(() => origin.for(outTradeNo).length, { timeout: SETTLE_MS }).toBe(1);
  });

  it('an unverified return asks nothing', async () => {
    const { outTradeNo, orderKey } = newOrder();
    const response = await callWithContext(new Request(`https://gateway.test/alipay/return?app_id=${TEST_APP_ID}&out_trade_no=${outTradeNo}&sign=AAAA`, { redirect: 'manual' }), {
      ORIGIN_RETURN_URL: 'https://shop.test/return.asp',
    });
    expect(response.status).toBe(302);
    expect(await ledger(orderKey).snapshot()).toBeNull();
  });

  it('the status page while waiting: asks soon, at most once a minute', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    const first = await callWithContext(await statusRequest(outTradeNo));
    expect(await first.json()).toMatchObject({ status: 'waiting', amount: '88.80' });
    // Due now instead of in 30 s: its alarm asks at once (without the status page, not for 30 s).
    await expect.poll(async () => (await snapshot(orderKey)).reconcile, { timeout: SETTLE_MS }).toMatchObject({ queries: 1, lastOutcome: 'not-found' });
    const scheduled = (await snapshot(orderKey)).reconcile!.nextQueryAt;
    // Asked again a second later: the last query is too recent, nothing moves.
    await callWithContext(await statusRequest(outTradeNo));
    expect((await snapshot(orderKey)).reconcile!.nextQueryAt).toBe(scheduled);
  });

  it('the operator asks now: the query runs during the request and its answer is shown', async () => {
    const origin = mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    paidAtAlipay(gateway, outTradeNo, '12.00');
    const response = await callWorker(adminRequest(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/ask`, { method: 'POST' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, outcome: 'paid-found', tradeStatus: 'TRADE_SUCCESS', totalAmount: '12.00', reconcile: { state: 'paid', firstTrigger: 'operator' } });
    await expect.poll(() => origin.for(outTradeNo).length, { timeout: SETTLE_MS }).toBe(1);
    expect((await snapshot(orderKey)).events).toEqual([expect.objectContaining({ state: 'delivered' })]);
  });

  it('an operator asking about an order its notification already paid: Alipay not knowing the trade (a sandbox, the local stand-in) does not start asking again', async () => {
    const origin = mockOrigin();
    await alipayGateway(); // knows no trade: not-found
    const params = tradeParams({ out_trade_no: uniqueId('PAIDNOTIFIED') });
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    const orderKey = orderKeyOf(params);
    await expect.poll(() => origin.for(params['out_trade_no']!).length, { timeout: SETTLE_MS }).toBe(1);

    const response = await callWorker(adminRequest(`/admin/orders/${TEST_APP_ID}/${params['out_trade_no']}/ask`, { method: 'POST' }));
    expect(await response.json()).toMatchObject({ ok: true, outcome: 'not-found', reconcile: { state: 'paid', queries: 1, nextQueryAt: null } });
    const alarm = await runInDurableObject(ledger(orderKey), (_i, state) => state.storage.getAlarm());
    expect(alarm === null || alarm > Date.now() + 60 * 60_000).toBe(true); // no query owed: only the body purge, days away
  });

  it('an operator asking about a number nobody registered and Alipay does not know: answered, and no payment is listed for it', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    const response = await callWorker(adminRequest(`/admin/orders/${TEST_APP_ID}/${outTradeNo}/ask`, { method: 'POST' }));
    expect(await response.json()).toMatchObject({ ok: true, outcome: 'not-found', reconcile: { state: 'asking', queries: 1 } });
    await runDurableObjectAlarm(ledger(orderKey));
    expect(await indexedRow(orderKey)).toBeUndefined();
    // Searched for, it is not a payment either (the order page still shows what was asked).
    expect(await (await callWorker(adminRequest(`/admin/api/payments?q=${outTradeNo}`))).json()).toMatchObject({ ok: true, items: [] });
    expect((await snapshot(orderKey)).reconcile).toMatchObject({ lastOutcome: 'not-found' });
    // A registered order is listed as waiting, as before.
    const registered = newOrder();
    await register(registered.outTradeNo);
    await waitForIndexedRow(registered.orderKey, { status: 'waiting' });
  });

  it('the operator asking about another app\'s order is told why not', async () => {
    const response = await callWorker(adminRequest('/admin/orders/2088000000000002/X1/ask', { method: 'POST' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, reason: 'not-queryable' });
  });

  it('the hourly sweep asks about registered orders still waiting when nobody asked for an hour', async () => {
    mockOrigin();
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    paidAtAlipay(gateway, outTradeNo);
    // The index holds the waiting row (the ledger pushes it from its alarm).
    await runQueryNow(orderKey).catch(() => undefined);
    await expect.poll(async () => (await snapshot(orderKey)).reconcile!.state, { timeout: SETTLE_MS }).toBe('paid');

    // A second order, registered and never asked about: the sweep makes it due now.
    const other = newOrder();
    await register(other.outTradeNo);
    // Let its row reach the index without its query: push the row, keep the query for later.
    await runInDurableObject(ledger(other.orderKey), (_i, state) => state.storage.sql.exec('UPDATE reconcile SET next_query_at = ?', Date.now() + 3_600_000));
    await runDurableObjectAlarm(ledger(other.orderKey));
    await waitForIndexedRow(other.orderKey, { status: 'waiting' });
    expect((await snapshot(other.orderKey)).reconcile).toMatchObject({ queries: 0 });
    // The cron's sweep, scheduled a minute from now so its query is not due before it is looked at.
    const sweptAt = Date.now() + 60_000;
    await handleScheduled({ cron: SWEEP_CRON, scheduledTime: sweptAt }, gatewayEnv);
    // It made the query due at the sweep (its own schedule said an hour from now)...
    const due = await runInDurableObject(ledger(other.orderKey), (_i, state) => state.storage.sql.exec<{ t: number }>('SELECT next_query_at AS t FROM reconcile').one().t);
    expect(due).toBe(sweptAt);
    // ...and its alarm asks then (run here, not waited for: on a loaded machine workerd's alarm can be late).
    await runQueryNow(other.orderKey);
    expect((await snapshot(other.orderKey)).reconcile).toMatchObject({ queries: 1, lastOutcome: 'not-found', state: 'asking' });
  });

  it('the sweep reads the waiting rows page by page, newest first, up to its bound; closed ones are not among them', async () => {
    await alipayGateway();
    const orders = await waitingOrders(6);
    // The newest one's asking ended (Alipay closed the trade): no longer a waiting row.
    const closed = orders[5]!;
    await runInDurableObject(ledger(closed.orderKey), (_i, state) => state.storage.sql.exec(`UPDATE reconcile SET state = 'closed', next_query_at = NULL`));
    await runDurableObjectAlarm(ledger(closed.orderKey));
    await waitForIndexedRow(closed.orderKey, { status: 'closed' });

    // Pages of 2, at most 4 orders: the four newest waiting ones, across two pages.
    const sweptAt = Date.now() + 60_000; // a sweep "a minute from now": its queries are not due yet
    expect(await sweepExpectedOrders(await testConfig(), gatewayEnv, sweptAt, { page: 2, max: 4 })).toEqual({ orders: 4, asked: 4, stopped: false });
    // Not all at once: newest first, SWEEP_SPACING_MS apart.
    const due = await Promise.all(orders.slice(1, 5).map((o) => runInDurableObject(ledger(o.orderKey), (_i, state) => state.storage.sql.exec<{ t: number }>('SELECT next_query_at AS t FROM reconcile').one().t)));
    expect(due.reverse()).toEqual([0, 1, 2, 3].map((i) => sweptAt + i * SWEEP_SPACING_MS));
    for (const order of orders.slice(1, 5)) await runQueryNow(order.orderKey);
    // The swept ones are asked by their alarms now; the oldest keeps its schedule (an hour away).
    for (const order of orders.slice(1, 5)) {
      await expect.poll(async () => (await snapshot(order.orderKey)).reconcile, { timeout: SETTLE_MS }).toMatchObject({ queries: 1, lastOutcome: 'not-found' });
    }
    const oldest = (await snapshot(orders[0]!.orderKey)).reconcile!;
    expect(oldest.queries).toBe(0);
    expect(Date.parse(oldest.nextQueryAt!)).toBeGreaterThan(Date.now() + 30 * 60_000);
  });

  it('the sweep stops after ten ledger calls in a row fail (out of subrequests, storage down), with one line saying so', async () => {
    await alipayGateway();
    await waitingOrders(14);
    let calls = 0;
    const failing = {
      idFromName: (name: string) => name,
      get: () => ({
        askSoon: async () => {
          calls += 1;
          throw new Error('Too many subrequests.');
        },
      }),
    };
    const logs = captureJsonLogs();
    const result = await sweepExpectedOrders(await testConfig(), { ...gatewayEnv, ORDER_LEDGER: failing } as unknown as GatewayEnv, Date.now());
    expect(result).toMatchObject({ asked: 0, stopped: true });
    expect(result.orders).toBeGreaterThanOrEqual(14);
    // Ten in a row, plus the calls already out when the tenth failed (four at a time).
    expect(calls).toBeGreaterThanOrEqual(10);
    expect(calls).toBeLessThan(10 + 4);
    const summary = logs.lines.filter((line) => line['msg'] === 'sweep of registered orders');
    expect(summary).toEqual([expect.objectContaining({ level: 'warn', asked: 0, not_reached: result.orders - calls, stopped: expect.stringContaining('in a row could not be reached') })]);
  });
});
