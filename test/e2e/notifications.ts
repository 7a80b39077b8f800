// Plays Alipay for the end-to-end suite and bench/e2e.ts: builds trade notifications and signs
// them (RSA2, the v1 content rule) with the TEST-ONLY fixture key, in plain Node with WebCrypto.
// The signing uses the project's byte-level content builder; the gateway verifies with the
// public half, so a mistake here shows up as a 403, never as a silently passing test.
import { randomBytes } from 'node:crypto';
import { base64Decode, base64Encode, utf8Encode } from '../../src/alipay/bytes';
import { formatBeijingTime } from '../../src/alipay/beijing-time';
import { buildSignContent } from '../../src/alipay/content';
import { encodeFormBytes } from '../../src/alipay/parse';
import { TEST_APP_ID, TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM } from '../fixtures/gateway-test-keys';

export { TEST_APP_ID };

/** Unique per call and per process: runs share nothing even with a persisted ledger. */
export function uniqueId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** A fresh TRADE_SUCCESS notification (UTF-8), overridable field by field. */
export function tradeParams(overrides: Record<string, string> = {}): Record<string, string> {
  const now = Date.now();
  return {
    app_id: TEST_APP_ID,
    auth_app_id: TEST_APP_ID,
    buyer_id: '2088102122524333',
    buyer_logon_id: 'buyer@example.com',
    charset: 'utf-8',
    gmt_create: formatBeijingTime(now - 60_000),
    gmt_payment: formatBeijingTime(now - 30_000),
    notify_id: uniqueId('nid'),
    notify_time: formatBeijingTime(now),
    notify_type: 'trade_status_sync',
    out_trade_no: uniqueId('E2E'),
    seller_id: '2088000000000002',
    subject: '测试商品 A&B+1',
    total_amount: '88.80',
    trade_no: uniqueId('2026'),
    trade_status: 'TRADE_SUCCESS',
    version: '1.0',
    ...overrides,
  };
}

let privateKey: Promise<CryptoKey> | undefined;
function fixturePrivateKey(): Promise<CryptoKey> {
  const der = base64Decode(TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM.replace(/-----[A-Z ]+-----|\s/g, ''));
  if (der === null) throw new Error('fixture private key is not base64');
  return (privateKey ??= crypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']));
}

/** The form body Alipay would POST: params, then sign_type=RSA2 and sign. */
export async function signedNotification(params: Record<string, string>): Promise<Uint8Array> {
  const pairs = Object.entries(params)
    .filter(([key]) => key !== 'sign' && key !== 'sign_type')
    .map(([key, value]) => ({ key, value: utf8Encode(value) }));
  const content = buildSignContent(pairs, 'v1');
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', await fixturePrivateKey(), content));
  return encodeFormBytes([...pairs, { key: 'sign_type', value: utf8Encode('RSA2') }, { key: 'sign', value: utf8Encode(base64Encode(signature)) }]);
}

/** A new, validly signed TRADE_SUCCESS notification for a new order. */
export async function paidNotification(overrides: Record<string, string> = {}): Promise<{ params: Record<string, string>; body: Uint8Array }> {
  const params = tradeParams(overrides);
  return { params, body: await signedNotification(params) };
}
