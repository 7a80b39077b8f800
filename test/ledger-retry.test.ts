// Origin failures are retried on the schedule until exactly one attempt succeeds.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { ledger, mockOrigin, orderKeyOf, postNotify, runRetryNow, settled, type OriginResponder } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';
import { hangingResponse } from './support/delivery';

const ok = () => new Response('success');

beforeEach(() => {
  mockOrigin();
});

/** First attempt per `first`, then success; returns the order's ledger after the retry. */
async function failOnceThenSucceed(first: OriginResponder) {
  const origin = mockOrigin((call, index, signal) => (index === 0 ? first(call, index, signal) : ok()));
  const params = tradeParams();
  const key = orderKeyOf(params);
  expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');

  const afterFailure = await settled(key);
  expect(afterFailure.events[0]).toMatchObject({ state: 'pending', attempts: 1 });
  expect(afterFailure.events[0]!.lastError).not.toBeNull();

  const afterRetry = await runRetryNow(key);
  expect(afterRetry.events[0]).toMatchObject({ state: 'delivered', attempts: 2, lastError: null });
  const calls = origin.for(params['out_trade_no']!);
  expect(calls).toHaveLength(2);
  // Same event, same webhook-id on every attempt; a fresh signature each time.
  expect(calls[1]!.headers['webhook-id']).toBe(calls[0]!.headers['webhook-id']);
  expect(calls.map((c) => c.headers['x-delivery-attempt'])).toEqual(['1', '2']);

  // Nothing further is owed: another alarm run sends nothing.
  await runDurableObjectAlarm(ledger(key));
  expect(origin.for(params['out_trade_no']!)).toHaveLength(2);
  return { before: afterFailure, after: afterRetry };
}

describe('retries', () => {
  it('origin 5xx → retried → delivered once', async () => {
    const { after } = await failOnceThenSucceed(() => new Response('Server Error', { status: 500 }));
    expect(after.attempts.map((a) => [a.outcome, a.status])).toEqual([
      ['http-status', 500],
      ['delivered', 200],
    ]);
    expect(after.attempts[0]!.excerpt).toBe('Server Error');
  });

  it('origin timeout → retried → delivered once', async () => {
    const { after } = await failOnceThenSucceed((_c, _i, signal) => hangingResponse(signal));
    expect(after.attempts.map((a) => a.outcome)).toEqual(['timeout', 'delivered']);
  });

  it('wrong ack body → retried → delivered once', async () => {
    const { after } = await failOnceThenSucceed(() => new Response('<html>OK</html>'));
    expect(after.attempts.map((a) => [a.outcome, a.status])).toEqual([
      ['wrong-ack', 200],
      ['delivered', 200],
    ]);
  });

  it('429 with Retry-After → the retry waits at least that long → delivered once', async () => {
    const before = Date.now();
    const { before: afterFailure, after } = await failOnceThenSucceed(
      () => new Response('slow down', { status: 429, headers: { 'retry-after': '600' } }),
    );
    // The schedule says 30s (+ up to 20% jitter); Retry-After says 10 minutes, which wins.
    expect(Date.parse(afterFailure.events[0]!.nextAttemptAt!)).toBeGreaterThanOrEqual(before + 600_000);
    expect(after.attempts[0]).toMatchObject({ outcome: 'http-status', status: 429, retryAfterMs: 600_000 });
  });

  it('the next attempt follows the schedule with jitter', async () => {
    mockOrigin(() => new Response('down', { status: 503 }));
    const params = tradeParams();
    const started = Date.now();
    await postNotify(await signedNotification(params));
    const s = await settled(orderKeyOf(params));
    const next = Date.parse(s.events[0]!.nextAttemptAt!);
    expect(next).toBeGreaterThanOrEqual(started + 30_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 36_000);
  });
});
