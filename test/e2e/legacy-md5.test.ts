// FORWARD_SIGNING=alipay-md5 through the whole path: a real gateway (its own: the signing is fixed
// at start-up) re-signs the verified form the mapi way before the real test origin receives it.
// The MD5 sign is checked here the way a legacy Alipay_Notify.asp checks it, written out with
// Node's URLSearchParams and node:crypto (not the project's parser or md5), and the Standard
// Webhooks signature, still sent, covers the re-signed bytes.
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { expect, test } from 'vitest';
import { TEST_ONLY_FORWARD_SECRETS } from '../fixtures/gateway-test-keys';
import { bodyBytes, ownStack, stackClient, webhookHeadersOf } from './client';
import { paidNotification } from '../support/notifications';

const ORIGIN_MD5_KEY = 'e2e-only-legacy-md5-key-0123456789';

const running = ownStack({ settings: { FORWARD_SIGNING: 'alipay-md5', ORIGIN_MD5_KEY }, logLevel: 'warn' });
const { postNotification, acceptedAtOrigin } = stackClient(() => running().info);


/** notify_verify's sign check of a mapi-era page: drop sign, sign_type and empties; sort; join; append the key; md5. */
function legacyMd5Sign(form: URLSearchParams, key: string): string {
  const content = [...form]
    .filter(([name, value]) => name !== 'sign' && name !== 'sign_type' && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return createHash('md5').update(content + key, 'utf8').digest('hex');
}

test('the origin receives the notification re-signed with the legacy MD5 sign, once', async () => {
  const { params, body } = await paidNotification();
  expect(await postNotification(body)).toEqual({ status: 200, body: 'success' });

  const accepted = await acceptedAtOrigin(params.out_trade_no!);
  expect(accepted).toHaveLength(1);
  const delivery = accepted[0]!;
  expect(delivery.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');

  const forwardedText = Buffer.from(bodyBytes(delivery)).toString('utf8');
  const forwarded = new URLSearchParams(forwardedText);
  expect(forwarded.get('sign_type')).toBe('MD5');
  expect(forwarded.get('sign')).toBe(legacyMd5Sign(forwarded, ORIGIN_MD5_KEY));
  expect(forwarded.get('sign')).not.toBe(legacyMd5Sign(forwarded, 'some-other-key'));
  // Every parameter Alipay sent is there with its value; only the signature fields changed.
  for (const [name, value] of Object.entries(params)) expect(forwarded.get(name)).toBe(value);

  for (const secret of TEST_ONLY_FORWARD_SECRETS) {
    expect(() => new Webhook(secret).verify(forwardedText, webhookHeadersOf(delivery), { jsonParse: false })).not.toThrow();
  }
});
