// Rejected notifications are counted per hour and reason (not stored), after the answer, so a
// spike of signature-mismatch after a key rotation shows in GET /admin/api/rejections.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayEnv } from '../src/env';
import { captureJsonLogs } from './support/json-logs';
import worker from '../src/index';
import { adminRequest, callWorker, gatewayEnv, mockOrigin, NOTIFY_URL, unreachablePaymentsIndex } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';
import { throwawayRsaKeys } from './support/throwaway-keys';
import { SETTLE_MS } from './support/settle';

const logs = captureJsonLogs();
beforeEach(() => {
  mockOrigin();
});

interface Point {
  hour: string;
  reason: string;
  count: number;
}

async function rejections(query = ''): Promise<Point[]> {
  const response = await callWorker(adminRequest(`/admin/api/rejections${query}`));
  expect(response.status).toBe(200);
  return ((await response.json()) as { points: Point[] }).points;
}

/**
 * POSTs as Alipay does, through the Worker's fetch with a request context as in production (the
 * counts are written with its waitUntil), and waits for what the request left running.
 */
async function postNotify(body: Uint8Array, env: GatewayEnv = gatewayEnv): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(NOTIFY_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], env, ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return new Response(text, { status: response.status });
}

const countOf = (points: Point[], reason: string) => points.filter((p) => p.reason === reason).reduce((n, p) => n + p.count, 0);

describe('rejection counts', () => {
  it('counts each rejected notification by reason in its hour, and nothing for accepted ones', async () => {
    const before = await rejections();
    const stranger = (await throwawayRsaKeys()).pair;
    // Signed with a key the gateway does not have: what a rotation done on one side only looks like.
    for (let i = 0; i < 3; i++) {
      const response = await postNotify(await signedNotification(tradeParams(), { key: stranger.privateKey }));
      expect(response.status).toBe(403);
    }
    expect((await postNotify(new Uint8Array(70 * 1024))).status).toBe(413);
    expect((await postNotify(await signedNotification(tradeParams({ app_id: '2021999999999999' })))).status).toBe(409);
    expect(await (await postNotify(await signedNotification(tradeParams()))).text()).toBe('success');

    await vi.waitFor(
      async () => {
        const now = await rejections();
        expect(countOf(now, 'signature-mismatch') - countOf(before, 'signature-mismatch')).toBe(3);
        expect(countOf(now, 'too-large') - countOf(before, 'too-large')).toBe(1);
        expect(countOf(now, 'app-id-mismatch') - countOf(before, 'app-id-mismatch')).toBe(1);
      },
      { timeout: SETTLE_MS, interval: 50 },
    );
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    expect(await rejections()).toContainEqual(expect.objectContaining({ hour: new Date(hour).toISOString(), reason: 'signature-mismatch' }));
  });

  it('an unreachable index never changes the answer: the count is dropped, and said so in the log', async () => {
    const unreachableIndex = { ...gatewayEnv, ...unreachablePaymentsIndex() } as GatewayEnv;
    const stranger = (await throwawayRsaKeys()).pair;
    const response = await postNotify(await signedNotification(tradeParams(), { key: stranger.privateKey }), unreachableIndex);
    expect([response.status, await response.text()]).toEqual([403, 'fail: signature-mismatch']);
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'rejection counts not recorded', error: expect.objectContaining({ message: 'Network connection lost.' }) }));
  });

  it('a range before the counts holds none of them', async () => {
    expect(await rejections('?from=2030-01-01&to=2030-01-02')).toEqual([]);
    expect((await callWorker(adminRequest('/admin/api/rejections?from=2020-01-01&to=2030-01-01'))).status).toBe(400);
  });
});

// A body that was tampered with after signing is a signature mismatch too (not a parse problem).
it('a tampered body counts as signature-mismatch', async () => {
  const params = tradeParams();
  const body = await signedNotification(params);
  const tampered = new TextEncoder().encode(new TextDecoder().decode(body).replace('total_amount=88.80', 'total_amount=0.01'));
  expect(tampered).not.toEqual(body);
  const before = countOf(await rejections(), 'signature-mismatch');
  expect((await postNotify(tampered)).status).toBe(403);
  await vi.waitFor(async () => expect(countOf(await rejections(), 'signature-mismatch')).toBe(before + 1), { timeout: SETTLE_MS, interval: 50 });
});
