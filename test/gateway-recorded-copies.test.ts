// Copies of a notification the isolate saw recorded are answered `success` without a call to the
// order's ledger (src/http/recorded-notifications.ts), never before the first copy is durable, and
// never for a notification whose first copy failed; the copies are still counted in the ledger and
// logged, one line per notification.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load';
import type { GatewayEnv } from '../src/env';
import { handleNotify } from '../src/http/notify';
import { RecordedNotifications } from '../src/http/recorded-notifications';
import type { AcceptInput, AcceptResult } from '../src/orders/ledger-types';
import { gatewayEnv, mockOrigin, NOTIFY_URL, orderKeyOf, settled, snapshot } from './support/gateway';
import { captureJsonLogs } from './support/json-logs';
import { signedNotification, tradeParams } from './support/notifications';

const logs = captureJsonLogs();

beforeEach(() => {
  mockOrigin();
});

type Accept = (input: AcceptInput) => Promise<AcceptResult>;

/**
 * The test env with its ledgers' `accept` seen (and replaceable) by the test: `calls` counts the
 * Worker's calls to accept; `accept` decides what each call does (default: the real ledger's).
 */
function observedEnv(overrides: Record<string, unknown> = {}) {
  const real = gatewayEnv.ORDER_LEDGER;
  const seen = {
    calls: 0,
    accept: null as ((input: AcceptInput, real: Accept, call: number) => Promise<AcceptResult>) | null,
    /** Runs before each countResends call reaches the ledger (default: nothing). */
    beforeCount: null as ((copies: number) => Promise<void>) | null,
  };
  const namespace = {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      const realAccept: Accept = (input) => stub.accept(input) as Promise<AcceptResult>;
      return {
        accept: (input: AcceptInput) => {
          seen.calls += 1;
          return seen.accept ? seen.accept(input, realAccept, seen.calls) : realAccept(input);
        },
        countResends: async (notifyId: string, copies: number, lastSeenAt: number) => {
          await seen.beforeCount?.(copies);
          return stub.countResends(notifyId, copies, lastSeenAt);
        },
      };
    },
  };
  const env = { ...gatewayEnv, ...overrides, ORDER_LEDGER: namespace } as unknown as GatewayEnv;
  return { env, seen };
}

/** One POST as Alipay sends it, handled with its own request context; `done` waits for what it left running. */
async function post(env: GatewayEnv, recorded: RecordedNotifications, body: Uint8Array, withContext = true) {
  const ctx = createExecutionContext();
  const request = new Request(NOTIFY_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  const response = await handleNotify(request, env, await loadConfig(env), withContext ? ctx : undefined, recorded);
  return { status: response.status, text: await response.text(), done: () => waitOnExecutionContext(ctx) };
}

/** A promise the test settles when it chooses. */
function gate<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}

describe('copies of a recorded notification', () => {
  it('are answered without a ledger call; the ledger counts them and one line logs them, after the answers', async () => {
    const { env, seen } = observedEnv();
    const recorded = new RecordedNotifications(100, 20);
    const params = tradeParams();
    const body = await signedNotification(params);

    const first = await post(env, recorded, body);
    expect([first.status, first.text]).toEqual([200, 'success']);
    expect(seen.calls).toBe(1);
    const copies = await Promise.all([1, 2, 3].map(() => post(env, recorded, body)));
    expect(copies.map((c) => c.text)).toEqual(['success', 'success', 'success']);
    expect(seen.calls).toBe(1);

    await Promise.all([first, ...copies].map((c) => c.done()));
    expect((await settled(orderKeyOf(params))).notifications).toEqual([expect.objectContaining({ notifyId: params['notify_id'], resends: 3 })]);
    const lines = logs.lines.filter((l) => l['msg'] === 'notification' && l['notify_id'] === params['notify_id']);
    expect(lines.map((l) => [l['outcome'], l['answered'] ?? null, l['copies'] ?? null])).toEqual([
      ['accepted', null, null],
      ['duplicate', 'isolate', 3],
    ]);
    expect(lines[1]).toMatchObject({ order: orderKeyOf(params), event: 'paid', status: 200, duplicate: 'notify-id' });
  });

  it('that arrive while the first copy is being recorded wait for it, and are answered only after it', async () => {
    const { env, seen } = observedEnv();
    const recorded = new RecordedNotifications();
    const firstCall = gate<void>();
    seen.accept = async (input, real, call) => {
      if (call === 1) await firstCall.promise;
      return real(input);
    };
    const body = await signedNotification(tradeParams());

    const first = post(env, recorded, body);
    await until(() => seen.calls === 1);
    let answered = 0;
    const copies = [1, 2, 3, 4].map(() => post(env, recorded, body).then((c) => ((answered += 1), c)));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(0);
    expect(seen.calls).toBe(1);

    firstCall.resolve();
    expect((await first).text).toBe('success');
    expect((await Promise.all(copies)).map((c) => c.text)).toEqual(['success', 'success', 'success', 'success']);
    expect(seen.calls).toBe(1);
  });

  it('are never answered from the isolate when the first copy failed to record: each asks the ledger', async () => {
    const { env, seen } = observedEnv();
    const recorded = new RecordedNotifications();
    const firstCall = gate<AcceptResult>();
    let storageUp = false;
    seen.accept = (input, real, call) => {
      if (call === 1) return firstCall.promise;
      return storageUp ? real(input) : Promise.reject(new Error('storage unavailable'));
    };
    const params = tradeParams();
    const body = await signedNotification(params);

    const first = post(env, recorded, body);
    await until(() => seen.calls === 1);
    const copies = [1, 2, 3].map(() => post(env, recorded, body));
    await new Promise((r) => setTimeout(r, 20));
    firstCall.reject(new Error('storage unavailable'));

    expect((await first).status).toBe(503);
    // Each copy made its own call once the first failed, and the ledger was still down for it.
    expect((await Promise.all(copies)).map((c) => c.status)).toEqual([503, 503, 503]);
    expect(seen.calls).toBe(4);
    expect(await recorded.isRecorded({ orderKey: orderKeyOf(params), notifyId: params['notify_id']! })).toBe(false);

    // Storage back: the next copy is recorded by the ledger, not answered from memory.
    storageUp = true;
    const next = await post(env, recorded, body);
    expect([next.status, next.text, seen.calls]).toEqual([200, 'success', 5]);
    expect((await snapshot(orderKeyOf(params))).notifications).toHaveLength(1);
  });

  it('are not answered from the isolate when the ledger refused the first copy', async () => {
    const { env, seen } = observedEnv();
    const recorded = new RecordedNotifications();
    seen.accept = async (input, real, call) =>
      call === 1 ? { ok: false, reason: 'misconfigured', hint: 'test', duplicate: null, eventKey: input.event.key, state: 'pending' } : real(input);
    const body = await signedNotification(tradeParams());

    expect((await post(env, recorded, body)).status).toBe(503);
    expect((await post(env, recorded, body)).text).toBe('success');
    expect(seen.calls).toBe(2);
    expect((await post(env, recorded, body)).text).toBe('success');
    expect(seen.calls).toBe(2);
  });

  it('wait for a first copy whose call never ends only so long; later copies do not wait for it at all', async () => {
    const { env, seen } = observedEnv();
    const recorded = new RecordedNotifications(100, 20, 30);
    seen.accept = (input, real, call) => (call === 1 ? new Promise<AcceptResult>(() => {}) : real(input));
    const body = await signedNotification(tradeParams());

    void post(env, recorded, body);
    await until(() => seen.calls === 1);
    expect((await post(env, recorded, body)).text).toBe('success');
    expect(seen.calls).toBe(2); // gave up waiting, asked the ledger, which recorded it
    expect((await post(env, recorded, body)).text).toBe('success');
    expect(seen.calls).toBe(2); // the second copy's ok answer is what the isolate remembers
  });

  it('that give up on a first call that later fails wait for the newer call, not for nothing', async () => {
    const { env, seen } = observedEnv();
    // Copies wait at most 1 s: the second copy gives up on the first call after it, and the third
    // must not give up on the second call before the test releases it (30 ms did, on a busy machine).
    const recorded = new RecordedNotifications(100, 20, 1_000);
    const firstCall = gate<AcceptResult>();
    const secondCall = gate<void>();
    seen.accept = async (input, real, call) => {
      if (call === 1) return firstCall.promise;
      if (call === 2) await secondCall.promise;
      return real(input);
    };
    const body = await signedNotification(tradeParams());

    const first = post(env, recorded, body);
    await until(() => seen.calls === 1);
    // Gives up on the first call after 1 s and asks the ledger itself (call 2, held open).
    const second = post(env, recorded, body);
    await until(() => seen.calls === 2);
    // The first call fails now: that must not drop the second call's entry.
    firstCall.reject(new Error('storage unavailable'));
    expect((await first).status).toBe(503);

    const third = post(env, recorded, body);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen.calls).toBe(2); // waiting for call 2, not asking the ledger a third time
    secondCall.resolve();
    expect([(await second).text, (await third).text]).toEqual(['success', 'success']);
    expect(seen.calls).toBe(2);
  });

  it('counted while an earlier count is on its way to the ledger are counted too', async () => {
    const { env, seen } = observedEnv();
    const recorded = new RecordedNotifications(100, 20);
    const params = tradeParams();
    const body = await signedNotification(params);
    const firstCount = gate<void>();
    const counted: number[] = [];
    seen.beforeCount = async (copies) => {
      counted.push(copies);
      if (counted.length === 1) await firstCount.promise;
    };

    const all = [await post(env, recorded, body), await post(env, recorded, body), await post(env, recorded, body)];
    await until(() => counted.length === 1); // the first batch (2 copies) is on its way, held
    all.push(await post(env, recorded, body)); // counted while it is
    await new Promise((r) => setTimeout(r, 60)); // a flush period and more
    firstCount.resolve();
    await Promise.all(all.map((c) => c.done()));

    expect(counted).toEqual([2, 1]);
    expect((await settled(orderKeyOf(params))).notifications).toEqual([expect.objectContaining({ resends: 3 })]);
  });

  it('do not keep the request that started a flush alive: it ends a flush period later, however long copies keep coming', async () => {
    const { env } = observedEnv();
    const recorded = new RecordedNotifications(100, 20);
    const params = tradeParams();
    const body = await signedNotification(params);
    expect((await post(env, recorded, body)).text).toBe('success');

    const starter = await post(env, recorded, body); // the first copy answered here starts a flush
    let starterDone = false;
    void starter.done().then(() => (starterDone = true));
    const copies = [starter];
    for (let i = 0; i < 40; i++) {
      copies.push(await post(env, recorded, body));
      await new Promise((r) => setTimeout(r, 10));
    }
    // 40 copies over >= 400 ms, 20 flush periods: the starter's flush ended long ago.
    expect(starterDone).toBe(true);
    await Promise.all(copies.map((c) => c.done()));
    expect((await settled(orderKeyOf(params))).notifications).toEqual([expect.objectContaining({ resends: 41 })]);
  });

  it('go to the ledger every time in after-delivery mode (the answer waits for the origin) and without a request context', async () => {
    const afterDelivery = observedEnv({ ACK_MODE: 'after-delivery' });
    const recorded = new RecordedNotifications();
    const body = await signedNotification(tradeParams());
    for (let i = 0; i < 3; i++) expect((await post(afterDelivery.env, recorded, body)).text).toBe('success');
    expect(afterDelivery.seen.calls).toBe(3);

    const noContext = observedEnv();
    const other = await signedNotification(tradeParams());
    for (let i = 0; i < 3; i++) expect((await post(noContext.env, recorded, other, false)).text).toBe('success');
    expect(noContext.seen.calls).toBe(3);
  });
});

describe('RecordedNotifications', () => {
  it('remembers at most its limit, forgetting the oldest first', async () => {
    const recorded = new RecordedNotifications(2);
    const ok: AcceptResult = { ok: true, duplicate: null, eventKey: 'paid', state: 'pending' };
    const keys = ['a', 'b', 'c'].map((n) => ({ orderKey: `app:${n}`, notifyId: n }));
    for (const key of keys) {
      recorded.track(key, Promise.resolve(ok));
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(keys.map((k) => recorded.isRecorded(k)))).toEqual([false, true, true]);
  });
});
