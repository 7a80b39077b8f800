// FORWARD_SIGNING=alipay-md5: the forwarded form is re-signed the legacy mapi way. Checked with
// the independent signer of test/support (its own form parser, content builder and node:crypto's
// MD5), never the project's own parser or md5.ts.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config/types';
import type { DeliveryEvent } from '../src/delivery/payload';
import { buildAttemptRequest } from '../src/delivery/request';
import { TEST_ONLY_FORWARD_SECRETS } from './fixtures/gateway-test-keys';
import { legacyMd5Sign, plainSignContent } from './support/alipay-sign';
import { parseFormBody, type TestPair } from './support/form';
import { gatewayConfig } from './support/gateway';
import { paidEvent, webhookHeaders } from './support/delivery';
import { signedVector, type SignedVector } from './support/vectors';

const published = signedVector('legacy_md5_sign_test_key1') as Required<Pick<SignedVector, 'params' | 'md5_key'>>;

const ascii = (s: string) => new TextEncoder().encode(s);
const ORIGIN_KEY = 'origin-md5-key-0123456789abcdef';

async function forward(key: string): Promise<Config['forward']> {
  return { ...(await gatewayConfig()).forward, signing: 'alipay-md5', originMd5Key: ascii(key) };
}

function eventFor(rawBody: string, charset: DeliveryEvent['charset'] = 'utf-8'): DeliveryEvent {
  return paidEvent({ charset, rawBody: ascii(rawBody) });
}

/** What a legacy page checks: md5 over the v1 content of the pairs it received, plus its key (test/support/alipay-sign.ts). */
const legacyMd5Hex = (pairs: readonly TestPair[], key: string) => legacyMd5Sign(plainSignContent(pairs, 'v1'), key);
const value = (pairs: readonly TestPair[], key: string) => pairs.find((p) => p.key === key)?.value;
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

// ---- cases ------------------------------------------------------------------------------

describe('FORWARD_SIGNING=alipay-md5', () => {
  it('reproduces a published legacy MD5 sign (chloerei/alipay test vector)', async () => {
    const body = `service=${published.params['service']}&partner=${published.params['partner']}&sign_type=RSA2&sign=cnNhMnNpZ24%3D`;
    const request = await buildAttemptRequest(eventFor(body), await forward(published.md5_key), Date.now());
    const pairs = parseFormBody(request.body);
    expect(text(value(pairs, 'sign'))).toBe(published.params['sign']);
    expect(text(value(pairs, 'sign_type'))).toBe('MD5');
  });

  it('keeps empty values and a %26 inside a value, and signs without the empty value', async () => {
    const body =
      'app_id=2021000000000001&body=&passback_params=a%3D1%26b%3D2&out_trade_no=T1&subject=A+%26+B&total_amount=88.80' +
      '&trade_status=TRADE_SUCCESS&sign_type=RSA2&sign=cnNhMnNpZ24%3D';
    const request = await buildAttemptRequest(eventFor(body), await forward(ORIGIN_KEY), Date.now());
    const pairs = parseFormBody(request.body);

    expect(pairs.map((p) => p.key)).toEqual(['app_id', 'body', 'passback_params', 'out_trade_no', 'subject', 'total_amount', 'trade_status', 'sign_type', 'sign']);
    expect(value(pairs, 'body')).toEqual(new Uint8Array(0));
    expect(text(value(pairs, 'passback_params'))).toBe('a=1&b=2');
    expect(text(value(pairs, 'subject'))).toBe('A & B');
    expect(text(value(pairs, 'sign_type'))).toBe('MD5');
    expect(text(value(pairs, 'sign'))).toBe(legacyMd5Hex(pairs, ORIGIN_KEY));
    // The key matters: another key gives another sign.
    expect(text(value(pairs, 'sign'))).not.toBe(legacyMd5Hex(pairs, 'another-key'));
    // Written out by hand for this body, as a legacy page computes it (empty `body` dropped).
    const content = 'app_id=2021000000000001&out_trade_no=T1&passback_params=a=1&b=2&subject=A & B&total_amount=88.80&trade_status=TRADE_SUCCESS';
    const digest = new Uint8Array(await crypto.subtle.digest('MD5', ascii(content + ORIGIN_KEY)));
    expect(text(value(pairs, 'sign'))).toBe([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''));
  });

  it('signs a GBK form over its GBK bytes and keeps it GBK', async () => {
    // 支付 in GBK is D6 A7 B8 B6; in UTF-8 it would be six bytes.
    const body = 'charset=GBK&out_trade_no=GBK-1&subject=%D6%A7%B8%B6&total_amount=1.00&sign_type=RSA2&sign=cnNhMnNpZ24%3D';
    const request = await buildAttemptRequest(eventFor(body, 'gbk'), await forward(ORIGIN_KEY), Date.now());
    const pairs = parseFormBody(request.body);
    expect(value(pairs, 'subject')).toEqual(Uint8Array.from([0xd6, 0xa7, 0xb8, 0xb6]));
    expect(new TextDecoder('gbk').decode(value(pairs, 'subject'))).toBe('支付');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=gbk');
    expect(text(value(pairs, 'sign'))).toBe(legacyMd5Hex(pairs, ORIGIN_KEY));

    // A UTF-8 re-encoding of the same text signs differently: the bytes really were kept.
    const reencoded = pairs.map((p) => (p.key === 'subject' ? { key: p.key, value: ascii('支付') } : p));
    expect(text(value(pairs, 'sign'))).not.toBe(legacyMd5Hex(reencoded, ORIGIN_KEY));
  });

  it('still sends Standard Webhooks headers, computed over the re-signed body', async () => {
    const body = 'out_trade_no=T1&total_amount=1.00&sign_type=RSA2&sign=cnNhMnNpZ24%3D';
    const request = await buildAttemptRequest(eventFor(body), await forward(ORIGIN_KEY), Date.now());
    expect(request.body).not.toEqual(ascii(body));
    const headers = webhookHeaders(request.headers);
    const payload = new TextDecoder().decode(request.body);
    for (const secret of TEST_ONLY_FORWARD_SECRETS) {
      expect(() => new Webhook(secret).verify(payload, headers, { jsonParse: false })).not.toThrow();
    }
    expect(() => new Webhook(TEST_ONLY_FORWARD_SECRETS[0]).verify(body, headers, { jsonParse: false })).toThrow();
  });

  it('standard-webhooks signing leaves the form as Alipay sent it', async () => {
    const body = 'out_trade_no=T1&total_amount=1.00&sign_type=RSA2&sign=cnNhMnNpZ24%3D';
    const request = await buildAttemptRequest(eventFor(body), { ...(await forward(ORIGIN_KEY)), signing: 'standard-webhooks' }, Date.now());
    expect(request.body).toEqual(ascii(body));
  });
});
