// One structured JSON line per notification and per delivery attempt; no secret, raw body or
// full buyer identity in any of them.
import { describe, expect, it } from 'vitest';
import { TEST_ONLY_ADMIN_TOKEN, TEST_ONLY_FORWARD_SECRETS } from './fixtures/gateway-test-keys';
import { mockOrigin, orderKeyOf, postNotify, runRetryNow, settled } from './support/gateway';
import { captureJsonLogs } from './support/json-logs';
import { signedNotification, tradeParams } from './support/notifications';

const logs = captureJsonLogs();
const parsed = () => logs.lines;

describe('logs', () => {
  it('one line per notification and per attempt, none with secrets, bodies or buyer identity', async () => {
    mockOrigin((_call, index) => (index === 0 ? new Response('down', { status: 500 }) : new Response('success')));
    const params = tradeParams({ buyer_id: '2088102122524333', buyer_logon_id: 'buyer@example.com' });
    const body = await signedNotification(params);
    await postNotify(body);
    await postNotify(body);
    await settled(orderKeyOf(params));
    await runRetryNow(orderKeyOf(params));

    const mine = parsed().filter((l) => l['order'] === orderKeyOf(params));
    const notifications = mine.filter((l) => l['msg'] === 'notification');
    expect(notifications.map((l) => [l['outcome'], l['duplicate']])).toEqual([
      ['accepted', null],
      ['duplicate', 'notify-id'],
    ]);
    expect(notifications[0]).toMatchObject({ notify_id: params['notify_id'], event: 'paid', status: 200, latency_ms: expect.any(Number) });
    const attempts = mine.filter((l) => l['msg'] === 'delivery attempt');
    expect(attempts.map((l) => [l['attempt'], l['outcome'], l['status']])).toEqual([
      [1, 'http-status', 500],
      [2, 'delivered', 200],
    ]);

    const all = logs.texts.join('\n');
    const signature = decodeURIComponent(new TextDecoder().decode(body).match(/sign=([^&]+)/)![1]!);
    for (const secret of [...TEST_ONLY_FORWARD_SECRETS, TEST_ONLY_ADMIN_TOKEN, '2088102122524333', 'buyer@example.com', signature]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toContain('total_amount=');
  });

  it('a rejected notification is logged with its reason', async () => {
    mockOrigin();
    const text = new TextDecoder().decode(await signedNotification(tradeParams())).replace('total_amount=88.80', 'total_amount=0.01');
    await postNotify(text);
    expect(parsed().filter((l) => l['msg'] === 'notification').at(-1)).toMatchObject({
      outcome: 'rejected',
      status: 403,
      reason: 'signature-mismatch',
    });
  });
});
