// Alarms are at-least-once: re-running the handler is harmless, a delivery stranded by an evicted
// instance resumes from storage, and old raw bodies are purged while the rows (and dedupe) stay.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BODY_RETENTION_MS } from '../src/orders/ledger';
import { adminRequest, callWorker, ledger, mockOrigin, orderKeyOf, postNotify, runRetryNow, settled, waitForIndexedRow } from './support/gateway';
import { beijingTime, signedNotification, tradeParams } from './support/notifications';

beforeEach(() => {
  mockOrigin();
});

describe('alarm handler', () => {
  it('re-running the alarm after delivery sends nothing and changes nothing', async () => {
    const origin = mockOrigin();
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    const before = await settled(key);
    expect(before.events[0]!.state).toBe('delivered');

    await runDurableObjectAlarm(ledger(key));
    await runInDurableObject(ledger(key), async (instance) => {
      await instance.alarm();
      await instance.alarm();
    });
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
    expect(await settled(key)).toEqual(before);
  });

  it('an alarm running while an attempt is in flight does not start a second one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const origin = mockOrigin(async () => {
      await gate;
      return new Response('success');
    });
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await vi.waitFor(() => expect(origin.for(params['out_trade_no']!)).toHaveLength(1), { timeout: 10_000 });

    await runInDurableObject(ledger(key), async (instance, state) => {
      // Even if the attempt were overdue, the claim in storage and the in-flight promise stop a second attempt.
      state.storage.sql.exec(`UPDATE events SET next_attempt_at = 0`);
      const second = instance.alarm();
      await new Promise((r) => setTimeout(r, 50));
      release();
      await second;
    });
    const s = await settled(key);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(s.attempts.map((a) => a.outcome)).toEqual(['delivered']); // not mistaken for a stranded attempt
    // The row the delivery changed reaches the index (and this order's work is over before the next
    // test aborts every object).
    await waitForIndexedRow(key, { delivery: 'delivered' });
  });

  it('a delivery stranded by an evicted instance resumes from storage', async () => {
    const origin = mockOrigin(() => new Response('success'));
    const params = tradeParams();
    const key = orderKeyOf(params);
    // Record without delivering: FORWARD_EVENTS does not include paid for this request...
    await postNotify(await signedNotification(params), { FORWARD_EVENTS: 'refund' });
    // Let the recording's own alarm (the index row) finish: nothing may be running in this object
    // when it is aborted, and no alarm of the old instance may find the claim before the new one does.
    await waitForIndexedRow(key, { delivery: 'not-forwarded' });
    // ...then make it look like an attempt was claimed by an instance that died mid-request.
    await runInDurableObject(ledger(key), (_instance, state) => {
      state.storage.sql.exec(`UPDATE events SET state = 'delivering', attempts = 1, cycle_attempts = 1, lease_until = ?`, Date.now() + 60_000);
    });
    await abortAllDurableObjects(); // a new instance: its constructor sees the stranded claim and sets the alarm

    const recovered = await settled(key);
    expect(recovered.attempts.map((a) => a.outcome)).toEqual(['interrupted']);
    expect(recovered.events[0]).toMatchObject({ state: 'pending', attempts: 1 });
    expect(origin.for(params['out_trade_no']!)).toHaveLength(0);

    const delivered = await runRetryNow(key);
    expect(delivered.events[0]).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
  });

  it('purges raw bodies after the retention period; the rows still dedupe re-sends', async () => {
    const origin = mockOrigin();
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    const alarmAt = await runInDurableObject(ledger(key), (_i, state) => state.storage.getAlarm());
    const receivedAt = Date.parse((await settled(key)).notifications[0]!.receivedAt);
    expect(alarmAt).toBe(receivedAt + BODY_RETENTION_MS); // the only work left: the purge

    await runInDurableObject(ledger(key), (_i, state) => {
      state.storage.sql.exec(`UPDATE notifications SET received_at = ?`, Date.now() - BODY_RETENTION_MS - 1000);
    });
    await runDurableObjectAlarm(ledger(key));
    const purged = await settled(key);
    expect(purged.notifications[0]).toMatchObject({ params: null, notifyId: params['notify_id'] });
    expect(purged.notifications[0]!.bodyPurgedAt).not.toBeNull();
    // What the order page still shows: the facts the ledger keeps beside the body.
    expect(purged.notifications[0]!.facts).toEqual({ tradeNo: params['trade_no'], subject: params['subject'] ?? null, totalAmount: params['total_amount'] });
    const [rawBody] = await runInDurableObject(ledger(key), (_i, state) =>
      state.storage.sql.exec<{ raw_body: ArrayBuffer | null }>('SELECT raw_body FROM notifications').toArray().map((r) => r.raw_body),
    );
    expect(rawBody).toBeNull();
    expect(await runInDurableObject(ledger(key), (_i, state) => state.storage.getAlarm())).toBeNull();

    const resend = await postNotify(await signedNotification({ ...params, notify_time: beijingTime(Date.now() + 1000) }));
    expect(await resend.text()).toBe('success');
    expect((await settled(key)).notifications[0]!.resends).toBe(1);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);

    const redeliver = await callWorker(adminRequest(`/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver`, { method: 'POST' }));
    expect(await redeliver.json()).toMatchObject({ ok: true, results: [{ eventKey: 'paid', state: 'delivered', outcome: 'body-purged' }] });
    expect((await settled(key)).events[0]).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(await runInDurableObject(ledger(key), (_i, state) => state.storage.getAlarm())).toBeNull();
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
  });

  it('a payment that dies more than the retention period after its notification keeps its body for redelivery', async () => {
    let originUp = false;
    const origin = mockOrigin(() => (originUp ? new Response('success') : new Response('down', { status: 502 })));
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    // The notification came 31 days ago (a long RETRY_SCHEDULE, a long hold): its event dies now.
    await runInDurableObject(ledger(key), (_i, state) => {
      state.storage.sql.exec(`UPDATE notifications SET received_at = ?`, Date.now() - BODY_RETENTION_MS - 24 * 3_600_000);
    });
    for (let i = 0; i < 3; i++) await runRetryNow(key);
    const dead = await settled(key);
    expect(dead.events[0]).toMatchObject({ state: 'dead', attempts: 4 });
    expect(dead.notifications[0]!.bodyPurgedAt).toBeNull();
    // Its purge comes the retention period after it died.
    const alarmAt = await runInDurableObject(ledger(key), (_i, state) => state.storage.getAlarm());
    expect(alarmAt).toBeGreaterThan(Date.now() + BODY_RETENTION_MS - 60_000);

    originUp = true;
    const redeliver = await callWorker(adminRequest(`/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver`, { method: 'POST' }));
    expect(await redeliver.json()).toMatchObject({ ok: true, results: [{ eventKey: 'paid', state: 'delivered' }] });
    expect(origin.for(params['out_trade_no']!)).toHaveLength(5);
  });
});
