// A gateway delivery that comes back to the notify path (ORIGIN_URL pointing at the gateway) is
// refused with 508, never answered `success` as if it were one of Alipay's re-sends.
import { describe, expect, it } from 'vitest';
import { callWorker, ledger, mockOrigin, NOTIFY_URL, orderKeyOf, settled } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';
import { captureJsonLogs } from './support/json-logs';

const logs = captureJsonLogs();

function post(body: Uint8Array, headers: Record<string, string>): Promise<Response> {
  return callWorker(
    new Request(NOTIFY_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers }, body }),
  );
}

describe('delivery loop', () => {
  it.each([
    ['webhook-id', { 'webhook-id': 'msg_00112233445566778899aabbccddeeff' }],
    ['webhook-signature', { 'webhook-signature': 'v1,AAAA' }],
  ])('a POST carrying %s is answered 508 loop-detected, logged as an error, and not recorded', async (_name, headers) => {
    mockOrigin();
    const params = tradeParams();
    // A genuinely signed body: without the check it would be accepted and answered `success`.
    const response = await post(await signedNotification(params), { ...headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) });
    expect(response.status).toBe(508);
    expect(await response.text()).toBe('loop-detected');
    expect(logs.lines.filter((l) => l['msg'] === 'notification').at(-1)).toMatchObject({ level: 'error', outcome: 'loop-detected', status: 508 });
    expect(await ledger(orderKeyOf(params)).snapshot()).toBeNull();
  });

  it('the same body without webhook headers is accepted', async () => {
    mockOrigin();
    const params = tradeParams();
    const response = await post(await signedNotification(params), {});
    expect(await response.text()).toBe('success');
    await settled(orderKeyOf(params));
  });
});
