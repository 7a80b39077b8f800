// A GBK notification reaches the origin byte-identical, signed per Standard Webhooks, and the
// signature verifies with the reference `standardwebhooks` package for every configured secret.
import { Webhook } from 'standardwebhooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { TEST_APP_ID, TEST_ONLY_FORWARD_SECRETS, TEST_ONLY_GBK_VECTOR_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import { webhookHeaders } from './support/delivery';
import { md5SignPairs } from './support/alipay-sign';
import { formBody, pairsOf } from './support/form';
import { mockOrigin, postNotify, settled, snapshot } from './support/gateway';
import { beijingTime, uniqueId } from './support/notifications';
import { gbkPaidNotification } from './support/gbk-notifications';
import { signedVector } from './support/vectors';

beforeEach(() => {
  mockOrigin();
});

/** The vector's GBK body with fresh ids and times, re-signed with the vector's own test key (the second configured key). */
const freshGbkBody = () => gbkPaidNotification({ key: 'vector' });

describe('GBK notification', () => {
  it('is signed with a key the test gateway trusts (the vector\'s own, configured as the second key)', () => {
    const vectorKey = signedVector('synthetic_gbk_notify_rsa2_v1').alipay_public_key!.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(TEST_ONLY_GBK_VECTOR_PUBLIC_KEY_BASE64).toBe(vectorKey);
  });

  it('a legacy mapi notification names no charset: its GBK values are read as GBK, and it is forwarded as GBK', async () => {
    const origin = mockOrigin();
    const md5Key = 'abcdefghijklmnopqrstuvwxyz012345';
    const seller = '2088000000000002';
    const now = Date.now();
    const outTradeNo = uniqueId('MAPI');
    const pairs = pairsOf({
      notify_time: beijingTime(now),
      notify_type: 'trade_status_sync',
      notify_id: uniqueId('mapinid'),
      out_trade_no: outTradeNo,
      payment_type: '1',
      trade_no: uniqueId('2026'),
      trade_status: 'TRADE_SUCCESS',
      seller_id: seller,
      total_fee: '1.00',
      subject: 'x',
    }).map((p) => (p.key === 'subject' ? { key: 'subject', value: Uint8Array.from([0xd6, 0xa7, 0xb8, 0xb6]) } : p)); // 支付 in GBK
    const body = formBody(md5SignPairs(pairs, md5Key));
    const response = await postNotify(body, { ALIPAY_APP_ID: '', ALIPAY_SELLER_ID: seller, ALIPAY_SIGN_TYPES: 'MD5', ALIPAY_MD5_KEY: md5Key, ALIPAY_PUBLIC_KEY: '' });
    expect(`${response.status} ${await response.text()}`).toBe('200 success');
    const key = `${seller}:${outTradeNo}`;
    await settled(key);
    expect((await snapshot(key)).notifications[0]).toMatchObject({ charset: 'gbk', params: { subject: '支付' } });
    const [call] = origin.for(outTradeNo);
    expect(call!.body).toEqual(body);
    expect(call!.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=gbk');
  });

  it('is forwarded byte-identical with the signed charset', async () => {
    const origin = mockOrigin();
    const { body, outTradeNo } = await freshGbkBody();
    // The body really is GBK: decoding it as UTF-8 would fail.
    expect(new TextDecoder().decode(body)).toContain('subject=%D6%A7%B8%B6');
    const response = await postNotify(body);
    expect(await response.text()).toBe('success');
    await settled(`${TEST_APP_ID}:${outTradeNo}`);

    const [call] = origin.for(outTradeNo);
    expect(call).toBeDefined();
    expect(call!.body).toEqual(body);
    expect(call!.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=gbk');
    expect(call!.headers['x-alipay-event-kind']).toBe('paid');
    expect(call!.headers['x-alipay-verified-by']).toBe('RSA2/v1');
  });

  it('carries a Standard Webhooks signature that verifies with either configured secret', async () => {
    const origin = mockOrigin();
    const { body, outTradeNo } = await freshGbkBody();
    await postNotify(body);
    await settled(`${TEST_APP_ID}:${outTradeNo}`);
    const [call] = origin.for(outTradeNo);
    const headers = webhookHeaders(call!.headers);
    expect(headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    // The form body is ASCII (percent-encoded), so the string the library hashes is the exact bytes.
    const payload = new TextDecoder().decode(call!.body);
    for (const secret of TEST_ONLY_FORWARD_SECRETS) {
      expect(() => new Webhook(secret).verify(payload, headers, { jsonParse: false })).not.toThrow();
    }
    expect(() => new Webhook(TEST_ONLY_FORWARD_SECRETS[0]).verify(`${payload}&x=1`, headers, { jsonParse: false })).toThrow();
  });
});
