// Schedule exhausted → dead-lettered (listed for the operator) → redelivered by the admin API.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, callWorker, ledger, mockOrigin, orderKeyOf, postNotify, runRetryNow, settled } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';

interface DeadLettersBody {
  deadLetters: { orderKey: string; eventKey: string; attempts: number; lastError: string }[];
}

async function deadLetters(): Promise<DeadLettersBody['deadLetters']> {
  const response = await callWorker(adminRequest('/admin/dead-letters'));
  expect(response.status).toBe(200);
  return ((await response.json()) as DeadLettersBody).deadLetters;
}

describe('dead letters', () => {
  it('exhausts the schedule, lists the event, and redelivers it on request', async () => {
    let originUp = false;
    const origin = mockOrigin(() => (originUp ? new Response('success') : new Response('down', { status: 502 })));
    const params = tradeParams();
    const key = orderKeyOf(params);
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    await settled(key);

    // RETRY_SCHEDULE=30s,60s,90s: 4 attempts in all.
    for (let i = 0; i < 3; i++) await runRetryNow(key);
    const dead = await settled(key);
    expect(dead.events[0]).toMatchObject({ state: 'dead', attempts: 4 });
    expect(dead.events[0]!.deadAt).not.toBeNull();
    expect(origin.for(params['out_trade_no']!)).toHaveLength(4);

    // Nothing more happens by itself.
    await runDurableObjectAlarm(ledger(key));
    expect(origin.for(params['out_trade_no']!)).toHaveLength(4);

    const listed = (await deadLetters()).filter((d) => d.orderKey === key);
    expect(listed).toEqual([expect.objectContaining({ orderKey: key, eventKey: 'paid', attempts: 4 })]);
    expect(listed[0]!.lastError).toContain('502');

    originUp = true;
    const path = `/admin/orders/${params['app_id']}/${encodeURIComponent(params['out_trade_no']!)}/redeliver`;
    const response = await callWorker(adminRequest(path, { method: 'POST' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, results: [{ eventKey: 'paid', state: 'delivered', outcome: 'delivered' }] });

    const calls = origin.for(params['out_trade_no']!);
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
    expect((await settled(key)).events[0]).toMatchObject({ state: 'delivered', attempts: 5 });
    expect((await deadLetters()).filter((d) => d.orderKey === key)).toEqual([]);
  });

  it('a redelivery that fails again starts a fresh retry cycle', async () => {
    mockOrigin(() => new Response('down', { status: 500 }));
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    for (let i = 0; i < 3; i++) await runRetryNow(key);
    expect((await settled(key)).events[0]!.state).toBe('dead');

    const response = await callWorker(adminRequest(`/admin/orders/${params['app_id']}/${params['out_trade_no']}/redeliver?event=paid`, { method: 'POST' }));
    expect(await response.json()).toMatchObject({ ok: true, results: [{ eventKey: 'paid', state: 'pending', outcome: 'http-status' }] });
    const s = await settled(key);
    expect(s.events[0]).toMatchObject({ state: 'pending', attempts: 5 });
    expect(Date.parse(s.events[0]!.nextAttemptAt!)).toBeGreaterThanOrEqual(Date.now() + 25_000);
  });
});
