// FORWARD_FORMAT=json through the whole path: a real gateway (its own, since the format is fixed at
// start-up) delivers the normalised UTF-8 event to the real test origin. A GBK notification arrives
// as UTF-8 text, the Standard Webhooks signature verifies with the reference library in its default
// JSON mode, a re-send forwards nothing new, and a refund (forwarded because FORWARD_EVENTS asks
// for it) is a second event with its own webhook-id.
import { Webhook } from 'standardwebhooks';
import { expect, test } from 'vitest';
import { TEST_ONLY_FORWARD_SECRETS } from '../fixtures/gateway-test-keys';
import { ownStack, stackClient, webhookHeadersOf } from './client';
import { gbkPaidNotification } from '../support/gbk-notifications';
import type { OriginDelivery } from './harness';
import { beijingTime, paidNotification, signedNotification } from '../support/notifications';

const running = ownStack({ settings: { FORWARD_FORMAT: 'json', FORWARD_EVENTS: 'paid,refund' }, logLevel: 'warn' });
const { postNotification: post, acceptedOnceThere } = stackClient(() => running().info);


function verifiedJson(delivery: OriginDelivery): Record<string, unknown> {
  const text = Buffer.from(delivery.bodyBase64, 'base64').toString('utf8');
  // Default options: the library parses the JSON it verified, as an origin using it would.
  for (const secret of TEST_ONLY_FORWARD_SECRETS) expect(() => new Webhook(secret).verify(text, webhookHeadersOf(delivery))).not.toThrow();
  return JSON.parse(text) as Record<string, unknown>;
}

test('a GBK notification reaches the origin once as signed UTF-8 JSON; its re-send forwards nothing', async () => {
  const { outTradeNo, body } = await gbkPaidNotification();
  expect(await post(body)).toEqual({ status: 200, body: 'success' });

  const [delivery, ...extra] = await acceptedOnceThere(outTradeNo, 1);
  expect(extra).toHaveLength(0);
  expect(delivery!.contentType).toBe('application/json; charset=utf-8');
  expect(delivery!.eventKind).toBe('paid');
  const event = verifiedJson(delivery!);
  expect(event).toMatchObject({
    type: 'paid',
    event_key: 'paid',
    out_trade_no: outTradeNo,
    verified: { sign_type: 'RSA2', content_rule: 'v1', charset: 'gbk' },
  });
  // The vector's GBK subject (支付 in its %D6%A7%B8%B6 bytes), decoded by the signed charset.
  expect((event['params'] as Record<string, string>)['subject']).toContain('支付');
  expect(typeof event['total_amount']).toBe('string');

  expect(await post(body)).toEqual({ status: 200, body: 'success' });
  expect(await acceptedOnceThere(outTradeNo, 1)).toHaveLength(1);
});

test('a refund after the payment is its own JSON event, forwarded once', async () => {
  const { params, body } = await paidNotification();
  expect(await post(body)).toEqual({ status: 200, body: 'success' });
  await acceptedOnceThere(params.out_trade_no!, 1);

  const refund = await signedNotification({
    ...params,
    notify_id: `${params.notify_id}r`,
    notify_time: beijingTime(Date.now()),
    refund_fee: '8.88',
    gmt_refund: beijingTime(Date.now()),
    out_biz_no: 'RF-1',
  });
  expect(await post(refund)).toEqual({ status: 200, body: 'success' });
  const deliveries = await acceptedOnceThere(params.out_trade_no!, 2);
  expect(deliveries).toHaveLength(2);
  const [paid, refunded] = deliveries.map(verifiedJson);
  expect(paid).toMatchObject({ type: 'paid', total_amount: '88.80' });
  expect(refunded).toMatchObject({ type: 'refund', event_key: 'refund:RF-1', refund_fee: '8.88', total_amount: '88.80' });
  expect(deliveries[0]!.webhookId).not.toBe(deliveries[1]!.webhookId);
});
