// "Redeliver all dead since T": bounded batches, oldest first, with progress the console can show
// by calling again until nothing remains; the dead-letter list is a view of the payments index.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, callWorker, ledger, mockOrigin, orderKeyOf, postNotify, runRetryNow, settled, waitForIndexedRow } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';


async function post(body: unknown): Promise<{ status: number; body: any }> {
  const response = await callWorker(
    adminRequest('/admin/api/dead-letters/redeliver', { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  );
  return { status: response.status, body: await response.json() };
}

/** A paid order whose delivery exhausted RETRY_SCHEDULE (4 attempts), with its dead row in the index. */
async function deadOrder(): Promise<string> {
  const params = tradeParams();
  const key = orderKeyOf(params);
  await postNotify(await signedNotification(params));
  await settled(key);
  for (let i = 0; i < 3; i++) await runRetryNow(key);
  await waitForIndexedRow(key, { delivery: 'dead' });
  return key;
}

describe('dead letters', () => {
  it('the list shows each dead event with its order page, newest first', async () => {
    mockOrigin(() => new Response('down', { status: 502 }));
    const older = await deadOrder();
    const newer = await deadOrder();
    const response = await callWorker(adminRequest('/admin/dead-letters?limit=500'));
    const { deadLetters } = (await response.json()) as { deadLetters: any[] };
    const mine = deadLetters.filter((d) => d.orderKey === older || d.orderKey === newer);
    expect(mine.map((d) => d.orderKey)).toEqual([newer, older]);
    expect(mine[0]).toMatchObject({ eventKey: 'paid', kind: 'paid', attempts: 4, redeliverable: true, lastError: expect.stringContaining('502') });
    expect(mine[0].adminPath).toBe(`/admin/orders/${newer.replace(':', '/')}`);
    expect((await callWorker(adminRequest('/admin/dead-letters?limit=0'))).status).toBe(400);
  });

  it('redelivers in batches, oldest first, until nothing remains; a purged body is left out', async () => {
    let originUp = false;
    const origin = mockOrigin(() => (originUp ? new Response('success') : new Response('down', { status: 502 })));
    const before = await deadOrder(); // died before `since`: left alone
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const keys = [await deadOrder(), await deadOrder(), await deadOrder()];
    const purged = await deadOrder();
    await runInDurableObject(ledger(purged), (_i, state) => state.storage.sql.exec('UPDATE notifications SET raw_body = NULL, params_json = NULL, body_purged_at = 1'));
    await runRetryNow(purged); // the alarm pushes the row again: no longer redeliverable
    await waitForIndexedRow(purged, { delivery: 'dead' });

    originUp = true;
    const calls = () => origin.calls.length;
    const start = calls();
    const first = await post({ since, limit: 2 });
    expect(first).toEqual({ status: 200, body: { ok: true, attempted: 2, delivered: 2, failed: 0, remaining: 1 } });
    const second = await post({ since, limit: 2 });
    expect(second.body).toEqual({ ok: true, attempted: 1, delivered: 1, failed: 0, remaining: 0 });
    expect((await post({ since })).body).toEqual({ ok: true, attempted: 0, delivered: 0, failed: 0, remaining: 0 });
    expect(calls() - start).toBe(3);
    // Oldest first: the first batch took the first two that died (delivered side by side, so in
    // either order), the second batch the last one.
    const delivered = origin.calls.slice(start).map((c) => `${c.outTradeNo}`);
    const oldestFirst = keys.map((k) => k.split(':')[1]!);
    expect([delivered.slice(0, 2).sort(), delivered[2]]).toEqual([oldestFirst.slice(0, 2).sort(), oldestFirst[2]]);
    for (const key of keys) await waitForIndexedRow(key, { delivery: 'delivered' });
    await waitForIndexedRow(before, { delivery: 'dead' });
    await waitForIndexedRow(purged, { delivery: 'dead' });
  });

  it('a redelivery that fails again counts as failed and leaves the event retrying, not dead', async () => {
    mockOrigin(() => new Response('still down', { status: 500 }));
    const since = new Date(Date.now() - 1).toISOString();
    const key = await deadOrder();
    const result = await post({ since, limit: 50 });
    expect(result.body).toMatchObject({ ok: true, delivered: 0, remaining: 0 });
    expect(result.body.failed).toBeGreaterThanOrEqual(1);
    await waitForIndexedRow(key, { delivery: 'pending' });
  });

  it('400 for a body it cannot use', async () => {
    for (const body of ['not json', {}, { since: 'yesterday' }, { since: '2026-05-01', limit: 51 }, { since: '2026-05-01', limit: 0 }, { since: '2026-05-01', limit: 'ten' }, 'x'.repeat(2000)]) {
      const result = await post(body);
      expect([JSON.stringify(body).slice(0, 40), result.status, result.body.ok]).toEqual([JSON.stringify(body).slice(0, 40), 400, false]);
    }
  });
});
