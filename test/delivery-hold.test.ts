// Holding deliveries (the site is down for maintenance): owed events wait without spending
// attempts, Alipay still hears `success`; on resume the gate hands out release slots
// 1/ORIGIN_MAX_RPS apart, across orders, and the events go out at them; the hold shows on /health
// and in the admin API, and one lasting over an hour is alerted.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryGate } from '../src/orders/gate-stub';
import { adminRequest, callWorker, gatewayEnv, ledger, mockAlertReceiver, mockOrigin, orderKeyOf, postNotify, runRetryNow, snapshot } from './support/gateway';
import { paidNotification } from './support/notifications';
import { SETTLE_MS } from './support/settle';

const post = (path: string, body?: string) => callWorker(adminRequest(path, { method: 'POST', ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) }));
const gate = () => deliveryGate(gatewayEnv);

/** Waits until the order's ledger has found deliveries held and put its owed event off (no attempt spent). */
async function waiting(key: string): Promise<void> {
  await expect.poll(async () => Date.parse((await snapshot(key)).events[0]?.nextAttemptAt ?? '0'), { timeout: SETTLE_MS }).toBeGreaterThan(Date.now() + 50 * 60_000);
}

/** Runs the gate's alarm (the release after a resume) until nothing waits. */
async function releaseAll(): Promise<void> {
  for (let i = 0; i < 10 && (await gate().status()).waitingOrders > 0; i++) await runDurableObjectAlarm(gate());
}

afterEach(async () => {
  await post('/admin/api/deliveries/resume');
  await releaseAll();
});

describe('holding deliveries', () => {
  it('ACK_MODE=after-delivery while held: 503, the event waits, and the ledger keeps an alarm for it', async () => {
    const origin = mockOrigin();
    expect((await post('/admin/api/deliveries/hold')).status).toBe(200);
    const { params, body } = await paidNotification();
    const response = await postNotify(body, { ACK_MODE: 'after-delivery' });
    expect(response.status).toBe(503);
    const key = orderKeyOf(params);
    const event = (await snapshot(key)).events[0]!;
    expect(event).toMatchObject({ state: 'pending', attempts: 0 });
    // Without an alarm the event would wait for Alipay's next re-send, and after its last one, for ever.
    // (Polled: the index row's push runs an alarm first, and while it runs there is none.)
    const alarm = () => runInDurableObject(ledger(key), (_instance, state) => state.storage.getAlarm());
    await expect.poll(alarm, { timeout: SETTLE_MS }).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(await alarm()).toBeLessThanOrEqual(Date.parse(event.nextAttemptAt!));
    expect(origin.for(params['out_trade_no']!)).toHaveLength(0);

    // On resume it goes out, once, with no re-send from Alipay needed.
    expect((await post('/admin/api/deliveries/resume')).status).toBe(200);
    await releaseAll();
    await expect.poll(() => origin.for(params['out_trade_no']!).length, { timeout: SETTLE_MS }).toBe(1);
    await expect.poll(async () => (await snapshot(key)).events[0]?.state, { timeout: SETTLE_MS }).toBe('delivered');
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
    await expect.poll(async () => (await gate().status()).drainingUntil, { timeout: SETTLE_MS }).toBeNull(); // the next test starts undrained
  });

  it('while held: notifications are answered success and recorded, nothing goes out, no attempt is spent', async () => {
    const origin = mockOrigin();
    const held = await post('/admin/api/deliveries/hold', JSON.stringify({ reason: 'IIS maintenance' }));
    expect(held.status).toBe(200);
    expect(await held.json()).toMatchObject({ ok: true, held: true, heldBy: 'admin', reason: 'IIS maintenance' });

    const { params, body } = await paidNotification();
    expect(await (await postNotify(body)).text()).toBe('success');
    const key = orderKeyOf(params);
    // The ledger's alarm (due now) finds deliveries held: it tells the gate and waits.
    await runDurableObjectAlarm(ledger(key));
    await waiting(key);
    const s = await snapshot(key);
    expect(s.events).toEqual([expect.objectContaining({ state: 'pending', attempts: 0 })]);
    expect(Date.parse(s.events[0]!.nextAttemptAt!)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(origin.for(params['out_trade_no']!)).toEqual([]);
    expect(await gate().status()).toMatchObject({ held: true, waitingOrders: expect.any(Number) });
    expect((await gate().status()).waitingEvents).toBeGreaterThanOrEqual(1);

    // /health shows the hold (without who or why), the admin API all of it.
    const health = (await (await callWorker(new Request('https://gateway.test/health'))).json()) as { deliveries: Record<string, unknown> };
    expect(health.deliveries).toEqual({ held: true, heldSince: expect.any(String), waitingOrders: expect.any(Number), drainingUntil: null });
    const status = await (await callWorker(adminRequest('/admin/api/deliveries'))).json();
    expect(status).toMatchObject({ ok: true, held: true, reason: 'IIS maintenance' });
    expect((status as { waitingOrders: number }).waitingOrders).toBeGreaterThanOrEqual(1);

    // An operator's redelivery waits too.
    const redelivered = await (await post(`/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver`)).json();
    expect(redelivered).toMatchObject({ ok: true, results: [{ eventKey: 'paid', outcome: 'held' }] });
    expect(origin.for(params['out_trade_no']!)).toEqual([]);
  });

  it('on resume the waiting orders are released at ORIGIN_MAX_RPS (5: 200 ms apart) and delivered once each', async () => {
    const origin = mockOrigin();
    await post('/admin/api/deliveries/hold');
    const orders: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { params, body } = await paidNotification();
      await postNotify(body);
      const key = orderKeyOf(params);
      await runDurableObjectAlarm(ledger(key));
      orders.push(key);
      await waiting(key);
    }

    // The next free slot an hour ahead, so the slots can be read before any of them comes due.
    const start = Date.now() + 3_600_000;
    await runInDurableObject(gate(), (_i, state) => {
      const row = state.storage.sql.exec<{ value: string }>('SELECT value FROM gate WHERE id = 1').one();
      state.storage.sql.exec('UPDATE gate SET value = ? WHERE id = 1', JSON.stringify({ ...(JSON.parse(row.value) as object), nextSlotAt: start }));
    });
    const resumed = await (await post('/admin/api/deliveries/resume')).json();
    expect(resumed).toMatchObject({ ok: true, held: false });
    await releaseAll();
    expect(await gate().status()).toMatchObject({ waitingOrders: 0, drainingUntil: expect.any(String) });
    // Each order got its own slot: the times are 200 ms apart, in the order they began to wait.
    const slots: number[] = [];
    for (const key of orders) slots.push(Date.parse((await snapshot(key)).events[0]!.nextAttemptAt!));
    expect(slots[0]).toBeGreaterThanOrEqual(start);
    expect(slots.map((t) => t - slots[0]!)).toEqual(orders.map((_k, i) => i * 200));
    // Nothing went out before its slot.
    for (const key of orders) expect(origin.for(key.split(':')[1]!)).toEqual([]);

    for (const key of orders) {
      const s = await runRetryNow(key);
      expect(s.events).toEqual([expect.objectContaining({ state: 'delivered', attempts: 1 })]);
    }
    for (const key of orders) expect(origin.for(key.split(':')[1]!)).toHaveLength(1);
  });

  it('a hold that lasts over an hour is alerted', async () => {
    const alerts = mockAlertReceiver();
    await post('/admin/api/deliveries/hold', JSON.stringify({ reason: 'long maintenance' }));
    await runInDurableObject(gate(), (_i, state) => {
      const row = state.storage.sql.exec<{ value: string }>('SELECT value FROM gate WHERE id = 1').one();
      const value = JSON.parse(row.value) as { since: number; alertAt: number };
      state.storage.sql.exec('UPDATE gate SET value = ? WHERE id = 1', JSON.stringify({ ...value, since: value.since - 2 * 3_600_000, alertAt: Date.now() - 1 }));
    });
    await runDurableObjectAlarm(gate());
    await expect
      .poll(() => alerts.calls.map((c) => JSON.parse(c.body) as { kind: string; samples: { summary: string }[] }).find((d) => d.kind === 'deliveries-held'), { timeout: SETTLE_MS })
      .toMatchObject({ samples: [{ summary: expect.stringMatching(/on hold for 2 hours .*long maintenance/) }] });
  });

  it('"redeliver all dead letters" is refused while deliveries are held (every one would stay dead)', async () => {
    expect((await post('/admin/api/deliveries/hold')).status).toBe(200);
    const answer = await post('/admin/api/dead-letters/redeliver', JSON.stringify({ since: '2026-01-01T00:00:00Z', limit: 10 }));
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ ok: false, error: expect.stringMatching(/on hold/) });
  });

  it('refuses a hold body that is not JSON', async () => {
    expect((await post('/admin/api/deliveries/hold', 'please')).status).toBe(400);
    expect((await gate().status()).held).toBe(false);
  });
});
