// The ledger tells a person through the alert desk: a dead letter, and an origin failing across
// orders. The alerts go out after the fact (the desk's alarm): no delivery waits for them.
import { describe, expect, it } from 'vitest';
import type { AlertDigest } from '../src/alerts/types';
import { mockAlertReceiver, mockOrigin, orderKeyOf, postNotify, runRetryNow, settled } from './support/gateway';
import { paidNotification } from './support/notifications';
import { SETTLE_MS } from './support/settle';

const digests = (calls: { body: string }[]) => calls.map((c) => JSON.parse(c.body) as AlertDigest);

describe('alerts from the ledger', () => {
  it('an event that dies is a dead-letter alert naming the order and the way to redeliver it', async () => {
    mockOrigin(() => new Response('database down', { status: 500 }));
    const alerts = mockAlertReceiver();
    const { params, body } = await paidNotification();
    await postNotify(body);
    const key = orderKeyOf(params);
    await settled(key);
    // RETRY_SCHEDULE of the tests has three waits: four attempts, then dead.
    for (let i = 0; i < 3; i++) await runRetryNow(key);
    await expect
      .poll(() => digests(alerts.calls).flatMap((d) => (d.kind === 'dead-letter' ? d.samples : [])).find((s) => s.details?.['order'] === key), { timeout: SETTLE_MS })
      .toMatchObject({ summary: expect.stringMatching(/gave up after 4 attempts: http-status.*Redeliver it from the console/) });
  });

  it('five failed attempts in a row across orders: the origin is failing (one message)', async () => {
    mockOrigin(() => new Response('maintenance', { status: 503 }));
    const alerts = mockAlertReceiver();
    for (let i = 0; i < 3; i++) {
      const { params, body } = await paidNotification();
      await postNotify(body);
      const key = orderKeyOf(params);
      await settled(key);
      await runRetryNow(key);
    }
    await expect.poll(() => digests(alerts.calls).filter((d) => d.kind === 'origin-failing').length, { timeout: 10_000 }).toBe(1);
    expect(digests(alerts.calls).find((d) => d.kind === 'origin-failing')!.samples[0]!.summary).toMatch(/delivery attempts in a row failed, across \d orders/);
  });
});
