// The alert desk inside workerd: reports are recorded at once and sent from its alarm (never by
// the reporter), one message per kind per window, retried, and given back to the window when the
// receiver stays down; the notify path feeds it rejections after its answer; the cron trigger
// reports certificates about to expire. Messages are checked with the reference Standard Webhooks library.
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import type { AlertDesk } from '../src/alerts/alert-desk';
import { alertDesk } from '../src/alerts/desk-stub';
import type { Alert, AlertDigest } from '../src/alerts/types';
import { DAILY_CRON, handleScheduled } from '../src/cron';
import worker from '../src/index';
import type { GatewayEnv } from '../src/env';
import { TEST_ONLY_ALERT_SECRET } from './fixtures/gateway-test-keys';
import { TEST_ONLY_ALIPAY_CERT_PEM } from './fixtures/reconcile-test-keys';
import { makeSigner, signPairs } from './support/alipay-sign';
import { formBody, pairsOf } from './support/form';
import { gatewayEnv, mockAlertReceiver, NOTIFY_URL, type AlertCall } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';
import { SETTLE_MS } from './support/settle';

/** A desk of its own per test (the deployment's is named `alerts`): tests do not share windows. */
function desk(name: string): DurableObjectStub<AlertDesk> {
  return gatewayEnv.ALERT_DESK.get(gatewayEnv.ALERT_DESK.idFromName(`${name}-${crypto.randomUUID()}`));
}

function verified(call: AlertCall): AlertDigest {
  const headers = { 'webhook-id': call.headers['webhook-id']!, 'webhook-timestamp': call.headers['webhook-timestamp']!, 'webhook-signature': call.headers['webhook-signature']! };
  return new Webhook(TEST_ONLY_ALERT_SECRET).verify(call.body, headers) as AlertDigest;
}

function occurrence(kind: Alert['kind'], summary: string): Alert {
  return { kind, summary, details: { order: '2021000000000001:T1' }, at: Date.now() };
}

/** Shortens the sender's waits between attempts in this desk. */
async function quickRetries(stub: DurableObjectStub<AlertDesk>): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    (instance as unknown as { sendOptions: object }).sendOptions = { retryDelaysMs: [1, 1], timeoutMs: 500 };
  });
}

/** The kinds the receiver got, in order. */
const kinds = (calls: AlertCall[]) => calls.map((c) => verified(c).kind);

describe('the alert desk', () => {
  it('records a report and answers at once; the message leaves from its alarm, signed', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const receiver = mockAlertReceiver(async () => {
      await released;
      return new Response(null, { status: 204 });
    });
    const stub = desk('first');
    // The report returns while the receiver has not answered: reporting never waits for a send.
    await stub.note(occurrence('dead-letter', 'order T1 gave up after 11 attempts'));
    release();
    await vi.waitFor(() => expect(receiver.calls).toHaveLength(1), { timeout: SETTLE_MS });
    expect(verified(receiver.calls[0]!)).toMatchObject({ kind: 'dead-letter', count: 1, samples: [{ summary: 'order T1 gave up after 11 attempts' }] });
    await vi.waitFor(async () => expect(await stub.view()).toMatchObject({ outbox: 0 }), { timeout: SETTLE_MS });
  });

  it('one message per kind per window: the rest are counted and wait for the window\'s end', async () => {
    const receiver = mockAlertReceiver();
    const stub = desk('window');
    await stub.note(occurrence('amount-mismatch', 'first'));
    await vi.waitFor(() => expect(kinds(receiver.calls)).toEqual(['amount-mismatch']), { timeout: SETTLE_MS });
    for (let i = 0; i < 4; i++) await stub.note(occurrence('amount-mismatch', `later ${i}`));
    await stub.note(occurrence('dead-letter', 'another kind is not held back'));
    await vi.waitFor(() => expect(kinds(receiver.calls)).toEqual(['amount-mismatch', 'dead-letter']), { timeout: SETTLE_MS });
    expect(await stub.view()).toMatchObject({ pending: { 'amount-mismatch': 4 } });
    // The alarm waits for the window's end.
    await vi.waitFor(async () => expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now() + 9 * 60_000), { timeout: SETTLE_MS });
    // When it comes, the four go out as one message with their count.
    await runInDurableObject(stub, (_i, state) => {
      const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM desk WHERE name = 'debounce'").one();
      const debounce = JSON.parse(row.value) as { kinds: Record<string, { lastSentAt: number }> };
      debounce.kinds['amount-mismatch']!.lastSentAt -= 10 * 60_000;
      state.storage.sql.exec("UPDATE desk SET value = ? WHERE name = 'debounce'", JSON.stringify(debounce));
    });
    await runDurableObjectAlarm(stub);
    expect(receiver.calls.map(verified).at(-1)).toMatchObject({ kind: 'amount-mismatch', count: 4 });
  });

  it('a receiver that keeps failing: retried, then the message goes back into its kind\'s count for the next window', async () => {
    const receiver = mockAlertReceiver(() => new Response('down', { status: 503 }));
    const stub = desk('down');
    await quickRetries(stub);
    await stub.note(occurrence('query-failing', 'Alipay did not answer'));
    await vi.waitFor(async () => expect(await stub.view()).toMatchObject({ outbox: 0, pending: { 'query-failing': 1 } }), { timeout: SETTLE_MS });
    expect(receiver.calls).toHaveLength(3); // the first attempt and two retries
  });

  it('origin failing: five failed attempts in a row across two orders make one alert; a success ends the streak', async () => {
    const receiver = mockAlertReceiver();
    const stub = desk('origin');
    const at = Date.now();
    for (let i = 0; i < 4; i++) await stub.delivery({ ok: false, orderKey: 'app:A', at, error: 'http-status: 502' });
    expect(await stub.view()).toMatchObject({ originFailures: 4, outbox: 0 });
    await stub.delivery({ ok: false, orderKey: 'app:B', at, error: 'http-status: 502' });
    await stub.delivery({ ok: false, orderKey: 'app:C', at });
    await vi.waitFor(() => expect(kinds(receiver.calls)).toEqual(['origin-failing']), { timeout: SETTLE_MS });
    expect(verified(receiver.calls[0]!).samples[0]!.summary).toMatch(/^5 delivery attempts in a row failed, across 2 orders/);
    expect(await stub.view()).toMatchObject({ originFailures: 6, pending: {} }); // one alert per streak
    await stub.delivery({ ok: true, orderKey: 'app:C', at });
    expect(await stub.view()).toMatchObject({ originFailures: 0 });
  });

  it('one order failing again and again is not the origin failing', async () => {
    const receiver = mockAlertReceiver();
    const stub = desk('one-order');
    for (let i = 0; i < 8; i++) await stub.delivery({ ok: false, orderKey: 'app:A', at: Date.now() });
    expect(await stub.view()).toMatchObject({ originFailures: 8, outbox: 0, pending: {} });
    expect(receiver.calls).toEqual([]);
  });
});

describe('fed by the notify path, after its answer', () => {
  async function postWithContext(body: Uint8Array): Promise<Response> {
    const ctx = createExecutionContext();
    const request = new Request(NOTIFY_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], gatewayEnv, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }

  it('20 forged notifications within 10 minutes are a rejection spike; every answer came back while the receiver had not answered', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const receiver = mockAlertReceiver(async () => {
      await released;
      return new Response(null, { status: 204 });
    });
    const forger = await makeSigner();
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) {
      const body = formBody(await signPairs(forger, pairsOf(tradeParams()), { signType: 'RSA2' }));
      answers.push((await postWithContext(body)).status);
    }
    expect(answers).toEqual(new Array(20).fill(403));
    const stub = alertDesk(gatewayEnv);
    expect((await stub.view()).rejectionsInWindow).toBeGreaterThanOrEqual(20);
    // The alarm is due now: miniflare runs it; its send waits for the receiver, which no answer did.
    await vi.waitFor(() => expect(receiver.calls.map((c) => verified(c).kind)).toContain('rejection-spike'), { timeout: SETTLE_MS });
    release();
    const spike = verified(receiver.calls.find((c) => verified(c).kind === 'rejection-spike')!);
    expect(spike.samples[0]!.summary).toMatch(/^\d+ notifications failed signature verification within 10 minutes/);
  });

  it('a notification naming a certificate the gateway does not have is alerted with its SN', async () => {
    const receiver = mockAlertReceiver();
    const forger = await makeSigner();
    const sn = 'fedcba9876543210fedcba9876543210';
    const body = formBody(await signPairs(forger, pairsOf(tradeParams({ alipay_cert_sn: sn })), { signType: 'RSA2' }));
    const ctx = createExecutionContext();
    const request = new Request(NOTIFY_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const env = { ...gatewayEnv, ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_CERT_PEM } as GatewayEnv;
    const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await response.text()).toBe('fail: unknown-cert-sn');
    await vi.waitFor(() => expect(receiver.calls.map((c) => verified(c).kind)).toContain('unknown-cert-sn'), { timeout: SETTLE_MS });
    const digest = verified(receiver.calls.find((c) => verified(c).kind === 'unknown-cert-sn')!);
    expect(digest.samples[0]).toMatchObject({ details: { sn, rejected: 1 } });
  });

  it('a notification Alipay really signed that the gateway still refuses (a field out of format) is alerted with its reason', async () => {
    const receiver = mockAlertReceiver();
    const body = await signedNotification(tradeParams({ total_amount: '-1.00' }));
    const ctx = createExecutionContext();
    const request = new Request(NOTIFY_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], gatewayEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(`${response.status} ${await response.text()}`).toBe('400 fail: invalid-field');
    await vi.waitFor(() => expect(receiver.calls.map((c) => verified(c).kind)).toContain('genuine-refused'), { timeout: SETTLE_MS });
    const digest = verified(receiver.calls.find((c) => verified(c).kind === 'genuine-refused')!);
    expect(digest.samples[0]).toMatchObject({ details: { reason: 'invalid-field', refused: 1 } });
    expect(digest.samples[0]!.summary).toMatch(/^1 notification signed by Alipay was refused \(invalid-field\)/);
  });
});

describe('the daily cron trigger', () => {
  it('reports an Alipay certificate that expires within 30 days, not one that lives longer', async () => {
    const receiver = mockAlertReceiver();
    const env = { ...gatewayEnv, ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_CERT_PEM } as GatewayEnv;
    const health = (await (await worker.fetch(new Request('https://gateway.test/health') as Parameters<typeof worker.fetch>[0], env)).json()) as { keys: { certSn: string; notAfter: string }[] };
    const notAfter = Date.parse(health.keys[0]!.notAfter);
    await handleScheduled({ cron: DAILY_CRON, scheduledTime: notAfter - 40 * 86_400_000 }, env);
    await handleScheduled({ cron: '*/5 * * * *', scheduledTime: notAfter - 10 * 86_400_000 }, env); // another job's trigger: no check
    expect((await alertDesk(gatewayEnv).view()).outbox + receiver.calls.length).toBe(0);
    await handleScheduled({ cron: DAILY_CRON, scheduledTime: notAfter - 10 * 86_400_000 }, env);
    await vi.waitFor(() => expect(receiver.calls.map((c) => verified(c).kind)).toContain('certificate-expiring'), { timeout: SETTLE_MS });
    const digest = verified(receiver.calls.find((c) => verified(c).kind === 'certificate-expiring')!);
    expect(digest.samples[0]!.summary).toMatch(new RegExp(`SN ${health.keys[0]!.certSn} expires on .* \\(in 10 days\\): .*ALIPAY_PUBLIC_KEY`));
  });
});
