// Plays Alipay with the TEST-ONLY fixture key: fresh trade notifications, signed as Alipay signs
// them. Shared by the gateway tests (inside workerd), the end-to-end suite and bench/e2e.ts (in
// Node), so it is pure: WebCrypto and the independent signer (test/support/alipay-sign.ts), no
// src code. The gateway verifies with the public half, so a signing mistake here shows up as a
// 403, never as a silently passing test.
import { TEST_APP_ID, TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM } from '../fixtures/gateway-test-keys';
import { keySigner, signPairs, type TestContentRule } from './alipay-sign';
import { fromBase64 } from './encoding';
import { formBody, pairsOf, type TestPair } from './form';

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** Alipay's time format: Beijing time (UTC+8, no daylight saving), `yyyy-MM-dd HH:mm:ss`. */
export function beijingTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

let counter = 0;
/**
 * Unique per call and per process (counter + random bytes), so tests never share an order, even
 * with storage shared between tests or a ledger kept between end-to-end runs.
 */
export function uniqueId(prefix: string): string {
  counter += 1;
  const random = [...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${prefix}${Date.now().toString(36)}${counter}${random}`;
}

/** A fresh TRADE_SUCCESS notification's params (UTF-8) for a new order, overridable field by field. */
export function tradeParams(overrides: Record<string, string> = {}): Record<string, string> {
  const now = Date.now();
  return {
    app_id: TEST_APP_ID,
    auth_app_id: TEST_APP_ID,
    buyer_id: '2088102122524333',
    buyer_logon_id: 'buyer@example.com',
    charset: 'utf-8',
    gmt_create: beijingTime(now - 60_000),
    gmt_payment: beijingTime(now - 30_000),
    notify_id: uniqueId('nid'),
    notify_time: beijingTime(now),
    notify_type: 'trade_status_sync',
    out_trade_no: uniqueId('T'),
    seller_id: '2088000000000002',
    subject: '测试商品 A&B+1',
    total_amount: '88.80',
    trade_no: uniqueId('2026'),
    trade_status: 'TRADE_SUCCESS',
    version: '1.0',
    ...overrides,
  };
}

let fixtureKey: Promise<CryptoKey> | undefined;
/** An RSA2 signing key from a PKCS#8 PEM; the fixture key by default (imported once). */
export function alipayPrivateKey(pem: string = TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM): Promise<CryptoKey> {
  const load = () =>
    crypto.subtle.importKey('pkcs8', fromBase64(pem.replace(/-----[A-Z ]+-----|\s/g, '')), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
      'sign',
    ]);
  if (pem !== TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM) return load();
  return (fixtureKey ??= load());
}

export interface AlipaySigning {
  /** Default: the fixture key. */
  key?: CryptoKey;
  /** `v1` (default, asynchronous notifications) leaves sign_type out of the signed content; `v2` keeps it. */
  rule?: TestContentRule;
}

/**
 * The form body Alipay would send for these pairs (value bytes untouched, so GBK stays GBK):
 * any old sign/sign_type dropped, then sign_type=RSA2 and an RSA2 `sign` appended.
 */
export async function signedNotificationPairs(pairs: readonly TestPair[], signing: AlipaySigning = {}): Promise<Uint8Array> {
  const signer = keySigner(signing.key ?? (await alipayPrivateKey()));
  return formBody(await signPairs(signer, pairs, { signType: 'RSA2', rule: signing.rule ?? 'v1' }));
}

/** The form body Alipay would send for these params (UTF-8). */
export function signedNotification(params: Record<string, string>, signing: AlipaySigning = {}): Promise<Uint8Array> {
  return signedNotificationPairs(pairsOf(params), signing);
}

/** A new, validly signed TRADE_SUCCESS notification for a new order. */
export async function paidNotification(overrides: Record<string, string> = {}): Promise<{ params: Record<string, string>; body: Uint8Array }> {
  const params = tradeParams(overrides);
  return { params, body: await signedNotification(params) };
}
