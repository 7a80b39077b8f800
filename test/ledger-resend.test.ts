// Re-sends cost no durable write before their `success` (counted in memory, written soon after or
// with the next write), and the alarm is set only when the earliest owed time moves earlier: no
// getAlarm/setAlarm round trip per request.
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { processNotification } from '../src/alipay/process';
import type { OrderLedger } from '../src/orders/ledger';
import type { AcceptInput } from '../src/orders/ledger-types';
import { orderKeyFor } from '../src/orders/order-key';
import { hangingResponse } from './support/delivery';
import { gatewayConfig, ledger, mockOrigin, orderKeyOf, postNotify, settled } from './support/gateway';
import { beijingTime, signedNotification as signParams, tradeParams } from './support/notifications';
import { SETTLE_MS } from './support/settle';

beforeEach(() => {
  mockOrigin();
});

/** What the Worker hands the ledger for these params: signed, verified and classified by the real pipeline. */
async function acceptInput(params: Record<string, string>, overrides: Partial<AcceptInput> = {}): Promise<AcceptInput> {
  const body = await signParams(params);
  const processed = await processNotification(body, (await gatewayConfig()).alipay, Date.now());
  if (!processed.ok) throw new Error(`test notification rejected: ${processed.reason}`);
  const key = orderKeyFor(processed.notification);
  if (!key.ok) throw new Error(key.hint);
  return {
    orderKey: key.key,
    app: key.app,
    outTradeNo: key.outTradeNo,
    notifyId: key.notifyId,
    event: processed.event,
    forward: processed.event.kind === 'paid',
    waitForDelivery: false,
    rawBody: body,
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    charset: processed.charset,
    signType: processed.verified.signType,
    contentRule: processed.verified.rule,
    keyFingerprint: processed.verified.keyFingerprint?.slice(0, 16) ?? null,
    params: processed.notification.params,
    ...overrides,
  };
}

/** A re-send as Alipay makes it: same notify_id, a later notify_time, signed again. */
function resendOf(params: Record<string, string>, secondsLater: number): Record<string, string> {
  return { ...params, notify_time: beijingTime(Date.now() + secondsLater * 1000) };
}

/** The re-send count as stored in SQLite (not the snapshot, which writes pending counts first). */
function storedResends(state: DurableObjectState, notifyId: string): number {
  return state.storage.sql.exec<{ resends: number }>('SELECT resends FROM notifications WHERE notify_id = ?', notifyId).one().resends;
}

describe('re-sends', () => {
  it('are answered without a write; the count is written soon after', async () => {
    const params = tradeParams();
    const key = orderKeyOf(params);
    expect(await (await postNotify(await signParams(params))).text()).toBe('success');
    await settled(key);
    const resends = await Promise.all([1, 2, 3].map((i) => acceptInput(resendOf(params, i))));

    await runInDurableObject(ledger(key), async (instance: OrderLedger, state) => {
      for (const input of resends) {
        expect(await instance.accept(input)).toMatchObject({ ok: true, duplicate: 'notify-id', state: 'delivered' });
      }
      // Same turn of the event loop as the answers: nothing was written for them.
      expect(storedResends(state, params['notify_id']!)).toBe(0);
    });
    await vi.waitFor(async () => expect(await runInDurableObject(ledger(key), (_i, state) => storedResends(state, params['notify_id']!))).toBe(3), {
      timeout: SETTLE_MS,
    });
    expect((await settled(key)).notifications[0]).toMatchObject({ resends: 3 });
  });

  it('a copy that arrives while the first copy is being recorded is a re-send of it, answered after the same write', async () => {
    const params = tradeParams();
    const key = orderKeyOf(params);
    const input = await acceptInput(params);
    const [first, second] = await runInDurableObject(ledger(key), (instance: OrderLedger) =>
      // Both start in the same turn: the second looks up the notify_id while the first is still between its check and its write.
      Promise.all([instance.accept(input), instance.accept(input)]),
    );
    expect([first!.duplicate, second!.duplicate].sort()).toEqual(['notify-id', null]);
    expect(first).toMatchObject({ ok: true, eventKey: 'paid' });
    expect(second).toMatchObject({ ok: true, eventKey: 'paid' });
    const ledgerState = await settled(key);
    expect(ledgerState.notifications).toHaveLength(1);
    expect(ledgerState.notifications[0]!.resends).toBe(1);
    expect(ledgerState.events).toEqual([expect.objectContaining({ state: 'delivered', attempts: 1 })]);
  });

  it('counts still in memory are written with the next write', async () => {
    const success = tradeParams({ trade_status: 'TRADE_SUCCESS' });
    const key = orderKeyOf(success);
    expect(await (await postNotify(await signParams(success))).text()).toBe('success');
    await settled(key);
    const resend = await acceptInput(resendOf(success, 1));
    const finished = await acceptInput({ ...success, notify_id: `${success['notify_id']}-finished`, trade_status: 'TRADE_FINISHED' });

    await runInDurableObject(ledger(key), async (instance: OrderLedger, state) => {
      await instance.accept(resend);
      await instance.accept(resend);
      expect(storedResends(state, success['notify_id']!)).toBe(0);
      expect(await instance.accept(finished)).toMatchObject({ ok: true, duplicate: 'event' });
      // The new notification's transaction carried the two counts: no timer has run in between.
      expect(storedResends(state, success['notify_id']!)).toBe(2);
    });
  });

  it('copies the Worker answered itself (countResends) are added in one write; an unknown notify_id or a bad count changes nothing', async () => {
    const params = tradeParams();
    const key = orderKeyOf(params);
    expect(await (await postNotify(await signParams(params))).text()).toBe('success');
    await settled(key);
    const notifyId = params['notify_id']!;
    const later = Date.now() + 60_000;

    await runInDurableObject(ledger(key), (instance: OrderLedger, state) => {
      instance.countResends(notifyId, 499, later);
      // Written at once (the Worker calls it after its answers): no timer to wait for.
      expect(storedResends(state, notifyId)).toBe(499);
      instance.countResends(notifyId, 2, later - 1_000);
      instance.countResends('never-recorded', 5, later);
      for (const bad of [0, -3, 1.5, Number.NaN]) instance.countResends(notifyId, bad, later);
      expect(storedResends(state, notifyId)).toBe(501);
      const row = state.storage.sql.exec<{ last_seen_at: number }>('SELECT last_seen_at FROM notifications WHERE notify_id = ?', notifyId).one();
      expect(row.last_seen_at).toBe(later); // the latest sighting, not the last call's
      expect(state.storage.sql.exec('SELECT COUNT(*) AS n FROM notifications').one()['n']).toBe(1);
    });
  });
});

describe('the alarm', () => {
  it('is set when owed work moves earlier, never read or re-set per request, and sits at the earliest due time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const origin = mockOrigin(async (_call, _index, signal) => {
      await Promise.race([gate, hangingResponse(signal)]);
      return new Response('success');
    });
    const paid = tradeParams();
    const key = orderKeyOf(paid);
    const stub = ledger(key);
    // Read past the spies (they are own properties of this storage object), so reading does not count as a call.
    const storedAlarm = () =>
      runInDurableObject(stub, (_i, state) => (Object.getPrototypeOf(state.storage) as DurableObjectStorage).getAlarm.call(state.storage));
    const calls = await runInDurableObject(stub, (_instance, state) => ({
      setAlarm: vi.spyOn(state.storage, 'setAlarm'),
      getAlarm: vi.spyOn(state.storage, 'getAlarm'),
    }));

    expect(await (await postNotify(await signParams(paid))).text()).toBe('success');
    // The alarm delivers at once; the origin holds the attempt, so the object stays as it is now.
    await vi.waitFor(() => expect(origin.for(paid['out_trade_no']!)).toHaveLength(1), { timeout: 10_000 });
    const { setAlarm, getAlarm } = calls;
    expect(getAlarm).not.toHaveBeenCalled(); // a new order's object never reads its (absent) alarm
    expect(setAlarm).toHaveBeenCalledTimes(2); // the attempt due now, then the lease while it is in flight
    const leaseAlarm = await storedAlarm();
    setAlarm.mockClear();

    // Re-sends: no alarm calls at all.
    for (let i = 1; i <= 3; i++) expect(await (await postNotify(await signParams(resendOf(paid, i)))).text()).toBe('success');
    expect(setAlarm).not.toHaveBeenCalled();

    // A new forwarded event is due now, earlier than the lease: the alarm moves to it, once.
    const refund = { ...paid, notify_id: `${paid['notify_id']}-r`, refund_fee: '1.00', out_biz_no: 'R1', gmt_refund: beijingTime(Date.now()) };
    expect(await (await postNotify(await signParams(refund), { FORWARD_EVENTS: 'paid,refund' })).text()).toBe('success');
    expect(setAlarm).toHaveBeenCalledTimes(1);
    const refundEvent = (await ledger(key).snapshot())!.events.find((e) => e.kind === 'refund')!;
    // Due now (workerd stores an alarm set in the past as "now"), not at the lease.
    const refundAlarm = (await storedAlarm())!;
    expect(refundAlarm).toBeGreaterThanOrEqual(Date.parse(refundEvent.createdAt));
    expect(refundAlarm).toBeLessThanOrEqual(Date.now());
    setAlarm.mockClear();

    // A notification that is not forwarded owes no delivery, only the payments index its row, now:
    // the alarm is already due, so it stays where it is.
    expect(await (await postNotify(await signParams({ ...paid, notify_id: `${paid['notify_id']}-c`, trade_status: 'TRADE_CLOSED' }))).text()).toBe(
      'success',
    );
    expect(setAlarm).not.toHaveBeenCalled();
    expect(await storedAlarm()).toBe(refundAlarm);
    expect(getAlarm).not.toHaveBeenCalled();

    release();
    const done = await settled(key);
    expect(done.events.map((e) => [e.kind, e.state])).toEqual([
      ['paid', 'delivered'],
      ['refund', 'delivered'],
      ['closed', 'recorded'],
    ]);
    expect(done.notifications.find((n) => n.notifyId === paid['notify_id'])!.resends).toBe(3);
    // Nothing owed but the purge of the oldest body.
    const firstReceived = Math.min(...done.notifications.map((n) => Date.parse(n.receivedAt)));
    expect(await storedAlarm()).toBe(firstReceived + 30 * 86_400_000);
  });

  it('a new instance of an existing order reads the alarm once, and new owed work still moves it', async () => {
    const origin = mockOrigin();
    const paid = tradeParams();
    const key = orderKeyOf(paid);
    expect(await (await postNotify(await signParams(paid))).text()).toBe('success');
    await settled(key); // delivered: the alarm waits for the purge, a month away
    await abortAllDurableObjects(); // the next request meets a new instance, which knows nothing in memory

    const refund = { ...paid, notify_id: `${paid['notify_id']}-r`, refund_fee: '1.00', out_biz_no: 'R1', gmt_refund: beijingTime(Date.now()) };
    expect(await (await postNotify(await signParams(refund), { FORWARD_EVENTS: 'paid,refund' })).text()).toBe('success');
    const done = await settled(key);
    expect(done.events.map((e) => [e.kind, e.state])).toEqual([
      ['paid', 'delivered'],
      ['refund', 'delivered'],
    ]);
    expect(origin.for(paid['out_trade_no']!)).toHaveLength(2);
  });
});
