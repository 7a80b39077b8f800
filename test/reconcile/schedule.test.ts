// RECONCILE_SCHEDULE holds up: a query somebody hurried does not use it up, registering again does
// not hurry it, a failure that may pass does not end asking, and a query cut off with a previous
// instance is made again, or (once a notification said paid) owes nothing and never wakes the
// order's alarm again and again.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';
import { ledger, mockOrigin, postNotify, snapshot } from '../support/gateway';
import { signedNotification, tradeParams } from '../support/notifications';
import { alipayGateway, newOrder, register, runQueryNow } from './support';
import { SETTLE_MS } from '../support/settle';

interface Row extends Record<string, SqlStorageValue> {
  state: string;
  lease_until: number | null;
  next_query_at: number | null;
  scheduled_done: number;
  queries: number;
}
const row = (orderKey: string) =>
  runInDurableObject(ledger(orderKey), (_i, state) => state.storage.sql.exec<Row>('SELECT state, lease_until, next_query_at, scheduled_done, queries FROM reconcile').one());
const sql = (orderKey: string, query: string, ...bindings: unknown[]) => runInDurableObject(ledger(orderKey), (_i, state) => void state.storage.sql.exec(query, ...bindings));
/** What claim() leaves when the instance is evicted (a deploy) while the query is out, its lease now over. */
const cutOffQuery = (orderKey: string) => sql(orderKey, 'UPDATE reconcile SET lease_until = ?, queries = queries + 1, last_query_at = ?', Date.now() - 1, Date.now() - 71_000);

describe('RECONCILE_SCHEDULE', () => {
  it('the buyer\'s page asking again and again does not use the schedule up (unregistered order)', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    const order = { orderKey, app: TEST_APP_ID, outTradeNo };
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sql(orderKey, 'UPDATE reconcile SET last_query_at = last_query_at - 61000'); // a minute later
      expect(await ledger(orderKey).askSoon('status', order)).toEqual({ asked: true });
      await runDurableObjectAlarm(ledger(orderKey));
      await expect.poll(async () => (await row(orderKey)).queries, { timeout: SETTLE_MS }).toBe(i + 1);
    }
    await expect.poll(async () => (await row(orderKey)).lease_until, { timeout: SETTLE_MS }).toBeNull();
    const after = await row(orderKey);
    expect(after).toMatchObject({ state: 'asking', scheduled_done: 0 });
    expect(after.next_query_at).toBeGreaterThan(Date.now()); // the schedule's own first query, still to come
    expect((await snapshot(orderKey)).reconcile).toMatchObject({ lastOutcome: 'not-found' });
  });

  it('registering the same order again (a checkout page rendered again) does not bring its next query forward', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    const expire = Math.floor(Date.now() / 1000) + 3 * 3600;
    await register(outTradeNo, '88.80', expire);
    for (let i = 0; i < 4; i++) await runQueryNow(orderKey);
    const before = (await row(orderKey)).next_query_at!;
    expect(before).toBeGreaterThan(Date.now() + 60 * 60_000);
    expect((await register(outTradeNo, '88.80', expire)).status).toBe(200);
    expect((await row(orderKey)).next_query_at).toBe(before);
  });

  it('a failure that may pass does not end asking at the last query after expiry: it is tried again, a bounded number of times', async () => {
    const gateway = await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    await sql(orderKey, 'UPDATE reconcile SET expires_at = ?', Date.now() - 6 * 60_000); // its final query is due
    gateway.mode = 'http-500';
    await runQueryNow(orderKey);
    const retry = await row(orderKey);
    expect(retry.state).toBe('asking');
    expect(retry.next_query_at! - Date.now()).toBeGreaterThan(5 * 60_000);
    for (let i = 0; i < 5; i++) await runQueryNow(orderKey);
    expect(await row(orderKey)).toMatchObject({ state: 'expired', next_query_at: null }); // 6 failures in a row
    expect((await snapshot(orderKey)).reconcile).toMatchObject({ lastOutcome: 'failed' });
    gateway.mode = 'signed';
  });

  it('a query cut off with a previous instance is made again at once while the order is still asking', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    await cutOffQuery(orderKey); // its next scheduled query is still 30 s away
    await runDurableObjectAlarm(ledger(orderKey));
    await expect.poll(async () => (await row(orderKey)).queries, { timeout: SETTLE_MS }).toBe(2);
    await expect.poll(async () => (await row(orderKey)).lease_until, { timeout: SETTLE_MS }).toBeNull();
  });

  it('a query cut off, then a notification that says paid: nothing is owed, and the alarm does not come back for it', async () => {
    mockOrigin();
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    await sql(orderKey, 'UPDATE reconcile SET lease_until = ?, queries = queries + 1, last_query_at = ?', Date.now() + 70_000, Date.now());
    expect(await (await postNotify(await signedNotification(tradeParams({ out_trade_no: outTradeNo, total_amount: '88.80' })))).text()).toBe('success');
    await sql(orderKey, 'UPDATE reconcile SET lease_until = ?', Date.now() - 1); // the lease runs out
    const counter = globalThis as unknown as { ledgerAlarmRuns?: number };
    counter.ledgerAlarmRuns = 0;
    await runInDurableObject(ledger(orderKey), (instance) => {
      const alarm = instance.alarm.bind(instance);
      (instance as unknown as { alarm: () => Promise<void> }).alarm = () => {
        counter.ledgerAlarmRuns!++;
        return alarm();
      };
    });
    await runDurableObjectAlarm(ledger(orderKey));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(counter.ledgerAlarmRuns).toBeLessThanOrEqual(2); // it was hundreds a second: re-armed at the past lease, for ever
    const alarm = await runInDurableObject(ledger(orderKey), (_i, state) => state.storage.getAlarm());
    expect(alarm === null || alarm > Date.now() + 60_000).toBe(true);
    expect((await row(orderKey)).state).toBe('paid');
  });
});

describe('an order number alipay.trade.query cannot carry', () => {
  it('a registered out_trade_no with a space: registered (its amount is still checked), never asked about (so never a failing query alerted)', async () => {
    const gateway = await alipayGateway();
    const outTradeNo = `R ${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const orderKey = `${TEST_APP_ID}:${outTradeNo}`;
    const before = gateway.requests.length;
    const response = await register(outTradeNo);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, asking: false });
    expect(await ledger(orderKey).askSoon('status', { orderKey, app: TEST_APP_ID, outTradeNo })).toEqual({ asked: false });
    await runDurableObjectAlarm(ledger(orderKey));
    expect(gateway.requests.length).toBe(before);
    expect((await row(orderKey)).state).toBe('idle');
  });
});

describe('registering again', () => {
  it('an expired order registered again with a new expiry is asked about again; a closed one stays closed and says so', async () => {
    await alipayGateway();
    const { outTradeNo, orderKey } = newOrder();
    await register(outTradeNo);
    await sql(orderKey, "UPDATE reconcile SET state = 'expired', next_query_at = NULL, scheduled_done = 7");
    const again = await register(outTradeNo, '88.80', Math.floor(Date.now() / 1000) + 3600);
    expect(await again.json()).toMatchObject({ ok: true, status: 'expected', asking: true });
    expect(await row(orderKey)).toMatchObject({ state: 'asking', scheduled_done: 0 });

    await sql(orderKey, "UPDATE reconcile SET state = 'closed', next_query_at = NULL");
    const closed = await register(outTradeNo, '88.80', Math.floor(Date.now() / 1000) + 3600);
    expect(await closed.json()).toMatchObject({ ok: true, status: 'closed', asking: false });
  });
});
