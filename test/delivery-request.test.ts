// One signed attempt request built from the real test config, in both formats, checked with the
// reference `standardwebhooks` verifier.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../src/utils/bytes';
import { buildAttemptRequest } from '../src/delivery/request';
import { TEST_ONLY_FORWARD_SECRETS, TEST_ORIGIN_URL } from './fixtures/gateway-test-keys';
import { gatewayConfig } from './support/gateway';
import { paidEvent, webhookHeaders } from './support/delivery';

const event = paidEvent({
  orderKey: '2021000000000001:GBK-1',
  charset: 'gbk',
  rawBody: utf8Encode('charset=GBK&out_trade_no=GBK-1&subject=%D6%A7%B8%B6&total_amount=1.00'),
  params: { charset: 'GBK', out_trade_no: 'GBK-1', subject: '支付', total_amount: '1.00' },
});

describe('buildAttemptRequest', () => {
  it('form: original bytes to ORIGIN_URL with the ack body and timeout from config', async () => {
    const config = await gatewayConfig();
    const request = await buildAttemptRequest(event, config.forward, Date.now());
    expect(request.url).toBe(TEST_ORIGIN_URL);
    expect(request.body).toEqual(event.rawBody);
    expect(request.ackBody).toBe('success');
    expect(request.timeoutMs).toBe(1000);
    for (const secret of TEST_ONLY_FORWARD_SECRETS) {
      expect(() => new Webhook(secret).verify(new TextDecoder().decode(request.body), webhookHeaders(request.headers), { jsonParse: false })).not.toThrow();
    }
  });

  it('json: a UTF-8 event with decoded values, verifiable and parseable by standardwebhooks', async () => {
    const config = await gatewayConfig();
    const request = await buildAttemptRequest(event, { ...config.forward, format: 'json', ackBody: null }, Date.now());
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    const parsed = new Webhook(TEST_ONLY_FORWARD_SECRETS[1]).verify(new TextDecoder().decode(request.body), webhookHeaders(request.headers)) as Record<
      string,
      unknown
    >;
    expect(parsed).toMatchObject({ type: 'paid', out_trade_no: 'GBK-1', total_amount: '1.00', params: { subject: '支付' } });
  });

  it('signs each attempt at its own time', async () => {
    const config = await gatewayConfig();
    const a = await buildAttemptRequest(event, config.forward, 1_700_000_000_000);
    const b = await buildAttemptRequest({ ...event, attempt: 2 }, config.forward, 1_700_000_060_000);
    expect(a.headers['webhook-id']).toBe(b.headers['webhook-id']);
    expect([a.headers['webhook-timestamp'], b.headers['webhook-timestamp']]).toEqual(['1700000000', '1700000060']);
    expect(a.headers['webhook-signature']).not.toBe(b.headers['webhook-signature']);
  });
});
