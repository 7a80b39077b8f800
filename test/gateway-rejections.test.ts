// The reason seam at the HTTP edge: each refusal is answered with its status from the table in
// src/http/notify.ts, and logged with advice in the Worker's terms (its settings, never the
// command-line tool's flags); a malformed field is logged by name, never by value.
import { describe, expect, it } from 'vitest';
import { captureJsonLogs } from './support/json-logs';
import { mockOrigin, postNotify } from './support/gateway';
import { beijingTime as formatBeijingTime, signedNotification as signParams, tradeParams } from './support/notifications';

const logs = captureJsonLogs();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const lastNotificationLine = () => logs.lines.filter((l) => l['msg'] === 'notification').at(-1)!;

describe('refusals', () => {
  it('a sign type that is not accepted: 403, advice naming ALIPAY_SIGN_TYPES', async () => {
    mockOrigin();
    const body = text(await signParams(tradeParams())).replace('sign_type=RSA2', 'sign_type=MD5');
    const response = await postNotify(body);
    expect([response.status, await response.text()]).toEqual([403, 'fail: sign-type-not-accepted']);
    const line = lastNotificationLine();
    expect(line).toMatchObject({ outcome: 'rejected', status: 403, stage: 'verify', reason: 'sign-type-not-accepted' });
    expect(line['hint']).toMatch(/ALIPAY_SIGN_TYPES is RSA2: if your Alipay app really signs with MD5, add it to ALIPAY_SIGN_TYPES/);
    expect(line['hint']).not.toMatch(/--sign-types/);
  });

  it('a signature no key verifies: 403, advice naming ALIPAY_PUBLIC_KEY', async () => {
    mockOrigin();
    const body = text(await signParams(tradeParams({ total_amount: '1.00' }))).replace('total_amount=1.00', 'total_amount=2.00');
    expect((await postNotify(body)).status).toBe(403);
    expect(lastNotificationLine()['hint']).toMatch(/Check that ALIPAY_PUBLIC_KEY is the Alipay public key/);
  });

  it('an old notification: 422, advice naming MAX_NOTIFY_AGE', async () => {
    mockOrigin();
    const response = await postNotify(await signParams(tradeParams({ notify_time: formatBeijingTime(Date.now() - 100 * 3600_000) })));
    expect([response.status, await response.text()]).toEqual([422, 'fail: notify-too-old']);
    expect(lastNotificationLine()['hint']).toMatch(/MAX_NOTIFY_AGE/);
  });

  it('a re-split refund (gmt_refund moved into gmt_payment): 400 invalid-field, logged with the field name only', async () => {
    const origin = mockOrigin();
    const refundTime = `${formatBeijingTime(Date.now() - 5_000)}.321`;
    const params = tradeParams({ refund_fee: '1.00', out_biz_no: 'R-77', gmt_refund: refundTime });
    const pairs = text(await signParams(params)).split('&');
    const moved = pairs.find((p) => p.startsWith('gmt_refund='))!;
    const resplit = pairs
      .filter((p) => p !== moved)
      .map((p) => (p.startsWith('gmt_payment=') ? `${p}%26gmt_refund%3D${moved.slice('gmt_refund='.length)}` : p))
      .join('&');
    const response = await postNotify(resplit);
    expect([response.status, await response.text()]).toEqual([400, 'fail: invalid-field']);
    const line = lastNotificationLine();
    expect(line).toMatchObject({ outcome: 'rejected', status: 400, stage: 'decode', reason: 'invalid-field', field: 'gmt_payment' });
    expect(JSON.stringify(line)).not.toContain(refundTime.slice(11));
    expect(JSON.stringify(line)).not.toContain(params['gmt_payment']!.slice(11));
    expect(origin.calls).toEqual([]);
  });
});
