// Asking Alipay (alipay.trade.query) against a gateway played by test/support/alipay-gateway.ts,
// which checks the request's signature and signs its answers independently of the code under test.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey, type LoadedPrivateKey } from '../src/alipay/private-key';
import { queryTrade, type QueryClientOptions } from '../src/alipay/query-client';
import { buildQueryRequest } from '../src/alipay/query-request';
import { readAppCertificate, readRootCertificates } from '../src/alipay/request-certs';
import { loadPublicKeys } from '../src/alipay/keys';
import type { AlipayPublicKey } from '../src/alipay/types';
import { TEST_APP_ID, TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM, TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import { TEST_ONLY_ALIPAY_CERT_PEM, TEST_ONLY_APP_PRIVATE_KEY_PEM } from './fixtures/reconcile-test-keys';
import { fakeAlipayGateway, paidTradeFields, publicKeyOfPem, type FakeAlipayGateway } from './support/alipay-gateway';

interface CertSnVector {
  app_cert_pem: string;
  alipay_root_cert_pem: string;
  expected: { app_cert_sn: string; alipay_root_cert_sn: string };
}
const certVector = Object.values(import.meta.glob('./fixtures/vectors/certsn_node_antcertutil.json', { eager: true, import: 'default' }))[0] as CertSnVector;

const GATEWAY = 'https://openapi.alipay.com/gateway.do';
let appKey: LoadedPrivateKey;
let alipayKeys: AlipayPublicKey[];
let gateway: FakeAlipayGateway;

async function mustLoadPrivate(pem: string): Promise<LoadedPrivateKey> {
  const loaded = await loadPrivateKey(pem);
  if (!loaded.ok) throw new Error(loaded.problem);
  return loaded.key;
}

beforeAll(async () => {
  appKey = await mustLoadPrivate(TEST_ONLY_APP_PRIVATE_KEY_PEM);
  const loaded = await loadPublicKeys(TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  alipayKeys = loaded.keys;
  gateway = await fakeAlipayGateway({ appPublicKey: await publicKeyOfPem(TEST_ONLY_APP_PRIVATE_KEY_PEM), alipayPrivateKeyPem: TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM });
});

function options(overrides: Partial<QueryClientOptions> = {}): QueryClientOptions {
  return { gatewayUrl: GATEWAY, appId: TEST_APP_ID, privateKey: appKey.signingKey, alipayKeys, fetch: gateway.fetch, timeoutMs: 2_000, ...overrides };
}

function fresh(): string {
  return `Q${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

describe('the signed request', () => {
  it('is what the gateway expects: common parameters in the URL, biz_content in the body, RSA2 over the sorted content', async () => {
    gateway.mode = 'signed';
    const now = Date.UTC(2026, 4, 14, 2, 3, 4);
    const built = await buildQueryRequest({ gatewayUrl: GATEWAY, appId: TEST_APP_ID, trade: { outTradeNo: 'T-1_a' }, privateKey: appKey.signingKey, now });
    if (!built.ok) throw new Error(built.hint);
    const url = new URL(built.request.url);
    expect(url.origin + url.pathname).toBe(GATEWAY);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      app_id: TEST_APP_ID,
      method: 'alipay.trade.query',
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: '2026-05-14 10:03:04',
      version: '1.0',
    });
    expect(url.searchParams.has('biz_content')).toBe(false);
    expect(Object.fromEntries(new URLSearchParams(built.request.body))).toEqual({ biz_content: '{"out_trade_no":"T-1_a"}' });
    expect(built.request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);

    await gateway.fetch(built.request.url, { method: 'POST', headers: built.request.headers, body: built.request.body });
    expect(gateway.requests.at(-1)).toMatchObject({ signatureValid: true, params: { biz_content: '{"out_trade_no":"T-1_a"}' } });
  });

  it('names the app certificate and the root bundle by the SNs the official SDK computes, in certificate mode', async () => {
    const appCert = await readAppCertificate(certVector.app_cert_pem);
    const root = readRootCertificates(certVector.alipay_root_cert_pem);
    if (!appCert.ok || !root.ok) throw new Error('vector certificates did not read');
    const built = await buildQueryRequest({
      gatewayUrl: GATEWAY,
      appId: TEST_APP_ID,
      trade: { tradeNo: '2026051422001400000000000001' },
      privateKey: appKey.signingKey,
      certificates: { appCertSn: appCert.value.sn, rootCertSn: root.value.sn },
      now: Date.now(),
    });
    if (!built.ok) throw new Error(built.hint);
    const params = new URL(built.request.url).searchParams;
    expect(params.get('app_cert_sn')).toBe(certVector.expected.app_cert_sn);
    expect(params.get('alipay_root_cert_sn')).toBe(certVector.expected.alipay_root_cert_sn);
    expect(new URLSearchParams(built.request.body).get('biz_content')).toBe('{"trade_no":"2026051422001400000000000001"}');
    // The SNs are signed too: the gateway checks them as part of the content.
    await gateway.fetch(built.request.url, { method: 'POST', headers: built.request.headers, body: built.request.body });
    expect(gateway.requests.at(-1)!.signatureValid).toBe(true);
  });

  it.each([[''], ['has space'], ['x'.repeat(65)], ['订单1']])('refuses out_trade_no %j before signing anything', async (outTradeNo) => {
    const before = gateway.requests.length;
    const result = await queryTrade({ outTradeNo }, options());
    expect(result).toMatchObject({ ok: false, reason: 'invalid-trade-ref', transient: false });
    expect(gateway.requests.length).toBe(before);
  });
});

describe('reading the answer', () => {
  it('a paid trade: found, with its fields, verified over the exact text Alipay sent', async () => {
    gateway.mode = 'signed';
    const order = fresh();
    gateway.trades.set(order, paidTradeFields(order, '88.80'));
    const result = await queryTrade({ outTradeNo: order }, options());
    if (!result.ok || result.status !== 'found') throw new Error(JSON.stringify(result));
    expect(result.trade).toMatchObject({
      outTradeNo: order,
      tradeStatus: 'TRADE_SUCCESS',
      paid: true,
      totalAmount: '88.80',
      tradeNo: '2026051422001400000000000001',
      buyerLogonId: 'tes***@example.com',
      sendPayDate: '2026-05-14 10:21:07',
    });
    expect(result.trade.fields).toMatchObject({ code: '10000', msg: 'Success', out_trade_no: order });
    expect(result.trade.fields).not.toHaveProperty('fund_bill_list');
    expect(result.keyFingerprint).toBe(alipayKeys[0]!.fingerprint);
    // The verified text is the gateway's own, escapes included (never a re-serialisation).
    expect(result.signedText).toContain('"fund_bill_list":[{');
    expect(JSON.parse(result.signedText)).toMatchObject({ out_trade_no: order });
  });

  it.each([
    ['WAIT_BUYER_PAY', false],
    ['TRADE_CLOSED', false],
    ['TRADE_FINISHED', true],
  ] as const)('%s is found, paid=%s', async (status, paid) => {
    gateway.mode = 'signed';
    const order = fresh();
    gateway.trades.set(order, paidTradeFields(order, '1', { trade_status: status }));
    const result = await queryTrade({ outTradeNo: order }, options());
    expect(result).toMatchObject({ ok: true, status: 'found', trade: { tradeStatus: status, paid } });
  });

  it('TRADE_NOT_EXIST is "not paid yet", an answer rather than an error', async () => {
    gateway.mode = 'signed';
    const result = await queryTrade({ outTradeNo: fresh() }, options());
    expect(result).toEqual({ ok: true, status: 'not-found', keyFingerprint: alipayKeys[0]!.fingerprint });
  });

  it.each([
    ['unsigned', 'unsigned'],
    ['forged', 'signature-mismatch'],
    ['tampered', 'signature-mismatch'],
    ['html', 'unparsable'],
    ['http-500', 'http-status'],
    ['huge', 'too-large'],
  ] as const)('a %s answer is never trusted: %s', async (mode, reason) => {
    const order = fresh();
    gateway.trades.set(order, paidTradeFields(order));
    gateway.mode = mode;
    try {
      const result = await queryTrade({ outTradeNo: order }, options());
      expect(result).toMatchObject({ ok: false, reason });
      expect(result).not.toHaveProperty('trade');
    } finally {
      gateway.mode = 'signed';
    }
  });

  it('an unsigned answer\'s claims are passed on as unverified clues only', async () => {
    gateway.mode = 'unsigned';
    try {
      const result = await queryTrade({ outTradeNo: fresh() }, options());
      if (result.ok) throw new Error('trusted an unsigned answer');
      expect(result.alipay).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST', verified: false });
      expect(result.hint).toMatch(/Unverified, it says: 40004/);
    } finally {
      gateway.mode = 'signed';
    }
  });

  it('a gateway that never answers is a timeout', async () => {
    gateway.mode = 'hang';
    try {
      const result = await queryTrade({ outTradeNo: fresh() }, options({ timeoutMs: 50 }));
      expect(result).toMatchObject({ ok: false, reason: 'timeout', transient: true });
    } finally {
      gateway.mode = 'signed';
    }
  });

  it('a request signed with another key: Alipay says isv.invalid-signature, and the hint names the app public key', async () => {
    gateway.mode = 'signed';
    const pair = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const result = await queryTrade({ outTradeNo: fresh() }, options({ privateKey: pair.privateKey }));
    expect(result).toMatchObject({ ok: false, reason: 'alipay-error', transient: false, alipay: { code: '40002', subCode: 'isv.invalid-signature', verified: true } });
    expect(result.ok ? '' : result.hint).toContain('应用公钥');
    // The core names no setting: what to change is data, which the Worker words in its settings.
    expect(result).toMatchObject({ advice: { kind: 'check-app-public-key' } });
    expect(result.ok ? '' : result.hint).not.toMatch(/ALIPAY_/);
  });

  it('a gateway that cannot be reached: the advice is to check the gateway address', async () => {
    const result = await queryTrade({ outTradeNo: fresh() }, options({ fetch: () => Promise.reject(new TypeError('fetch failed')) }));
    expect(result).toMatchObject({ ok: false, reason: 'network-error', transient: true, advice: { kind: 'check-gateway-url' } });
  });

  it('an answer no configured key verifies: the advice is the Alipay public key of the environment that answered', async () => {
    gateway.mode = 'forged';
    try {
      const result = await queryTrade({ outTradeNo: fresh() }, options());
      expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch', advice: { kind: 'check-public-key-environment' } });
    } finally {
      gateway.mode = 'signed';
    }
  });

  it('a verified answer about another trade is refused', async () => {
    gateway.mode = 'signed';
    const asked = fresh();
    gateway.trades.set(asked, paidTradeFields('SOMEONE-ELSE'));
    const result = await queryTrade({ outTradeNo: asked }, options());
    expect(result).toMatchObject({ ok: false, reason: 'unexpected-answer', transient: false });
  });

  it.each([
    [{ trade_status: 'TRADE_PAID' }, /trade_status/],
    [{ total_amount: '1,00' }, /total_amount/],
    [{ trade_no: '' }, /trade_no/],
    [{ send_pay_date: 'yesterday' }, /send_pay_date/],
  ])('a verified answer with a field out of format is refused: %j', async (override, message) => {
    gateway.mode = 'signed';
    const order = fresh();
    gateway.trades.set(order, paidTradeFields(order, '5.00', override));
    const result = await queryTrade({ outTradeNo: order }, options());
    expect(result).toMatchObject({ ok: false, reason: 'unexpected-answer' });
    expect(result.ok ? '' : result.hint).toMatch(message);
  });

  it('with no Alipay public key nothing can be verified', async () => {
    gateway.mode = 'signed';
    const result = await queryTrade({ outTradeNo: fresh() }, options({ alipayKeys: [] }));
    expect(result).toMatchObject({ ok: false, reason: 'no-usable-key', transient: false, advice: { kind: 'configure-public-key' } });
  });

  it('certificate mode: the key of the certificate the answer names is used', async () => {
    const withCert = await loadPublicKeys(TEST_ONLY_ALIPAY_CERT_PEM);
    const other = await loadPublicKeys((await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    ).then(async (p) => btoa(String.fromCharCode(...new Uint8Array((await crypto.subtle.exportKey('spki', (p as CryptoKeyPair).publicKey)) as ArrayBuffer))))));
    if (!withCert.ok || !other.ok) throw new Error('keys did not load');
    const certKey = withCert.keys[0]!;
    expect(certKey.certSn).toMatch(/^[0-9a-f]{32}$/);
    const certGateway = await fakeAlipayGateway({
      appPublicKey: await publicKeyOfPem(TEST_ONLY_APP_PRIVATE_KEY_PEM),
      alipayPrivateKeyPem: TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM,
      alipayCertSn: certKey.certSn!,
    });
    const order = fresh();
    certGateway.trades.set(order, paidTradeFields(order));
    const result = await queryTrade({ outTradeNo: order }, options({ fetch: certGateway.fetch, alipayKeys: [other.keys[0]!, certKey] }));
    expect(result).toMatchObject({ ok: true, status: 'found', keyFingerprint: certKey.fingerprint });

    const unknownSn = await fakeAlipayGateway({
      appPublicKey: await publicKeyOfPem(TEST_ONLY_APP_PRIVATE_KEY_PEM),
      alipayPrivateKeyPem: TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM,
      alipayCertSn: '0123456789abcdef0123456789abcdef',
    });
    unknownSn.mode = 'forged';
    const refused = await queryTrade({ outTradeNo: order }, options({ fetch: unknownSn.fetch, alipayKeys: [certKey] }));
    expect(refused).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(refused.ok ? '' : refused.hint).toMatch(/certificate SN 0123456789abcdef0123456789abcdef, which is not among the configured/);
    expect(refused).toMatchObject({ advice: { kind: 'update-alipay-cert', sn: '0123456789abcdef0123456789abcdef' } });
  });
});
