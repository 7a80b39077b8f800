// Certificate mode for notifications: with several Alipay certificates configured (a renewal in
// progress), the key is picked by the notification's `alipay_cert_sn`; a certificate the gateway
// does not have is a reason of its own (503: Alipay keeps the notification until it is added).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPublicKeys } from '../src/alipay/keys';
import type { AlipayPublicKey } from '../src/alipay/types';
import { verifyForm } from '../src/alipay/verify';
import { TEST_ONLY_ALIPAY_CERT_PEM } from './fixtures/reconcile-test-keys';
import { makeSigner, signPairs, type TestSigner } from './support/alipay-sign';
import { pairsOf, formBody } from './support/form';
import { callWorker, mockOrigin, postNotify } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';

interface CertSnVector {
  alipay_public_cert_pem: string;
  expected: { alipay_cert_sn: string };
}
const certVector = Object.values(import.meta.glob('./fixtures/vectors/certsn_node_antcertutil.json', { eager: true, import: 'default' }))[0] as CertSnVector;
/** Alipay's real certificate (another key) first, then the fixture Alipay key's certificate: two certificates, as during a renewal. */
const TWO_CERTIFICATES = `${certVector.alipay_public_cert_pem}\n${TEST_ONLY_ALIPAY_CERT_PEM}`;
const UNKNOWN_SN = '0123456789abcdef0123456789abcdef';

let fixtureCert: AlipayPublicKey;
let otherCert: AlipayPublicKey;
let stranger: TestSigner;

beforeAll(async () => {
  const loaded = await loadPublicKeys(TWO_CERTIFICATES);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  [otherCert, fixtureCert] = loaded.keys as [AlipayPublicKey, AlipayPublicKey];
  expect(otherCert.certSn).toBe(certVector.expected.alipay_cert_sn);
  stranger = await makeSigner();
});

const certMode = { ALIPAY_PUBLIC_KEY: TWO_CERTIFICATES };

describe('picking the key by alipay_cert_sn (the core)', () => {
  const NOTIFY = { app_id: '2021000000000001', notify_id: 'N-1', notify_time: '2024-01-01 10:00:06', out_trade_no: 'O-1', total_amount: '1.00', trade_status: 'TRADE_SUCCESS' };

  it('the certificate the notification names verifies it', async () => {
    const body = await signedNotification({ ...NOTIFY, alipay_cert_sn: fixtureCert.certSn! });
    const result = await verifyForm(body, { keys: [otherCert, fixtureCert], signTypes: ['RSA2'] });
    expect(result).toMatchObject({ ok: true, keyIndex: 1, keyFingerprint: fixtureCert.fingerprint });
  });

  it('only the named certificate is tried: a notification naming the other certificate does not verify with this one', async () => {
    const body = await signedNotification({ ...NOTIFY, alipay_cert_sn: otherCert.certSn! });
    const result = await verifyForm(body, { keys: [otherCert, fixtureCert], signTypes: ['RSA2'] });
    expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('an SN no certificate has is tried against every key: a renewed certificate of the same key still verifies', async () => {
    const body = await signedNotification({ ...NOTIFY, alipay_cert_sn: UNKNOWN_SN });
    const result = await verifyForm(body, { keys: [otherCert, fixtureCert], signTypes: ['RSA2'] });
    expect(result).toMatchObject({ ok: true, keyIndex: 1 });
  });

  it('an SN no certificate has, signed by no configured key: unknown-cert-sn, naming the SN, with advice as data', async () => {
    const body = formBody(await signPairs(stranger, pairsOf({ ...NOTIFY, alipay_cert_sn: UNKNOWN_SN }), { signType: 'RSA2' }));
    const result = await verifyForm(body, { keys: [otherCert, fixtureCert], signTypes: ['RSA2'] });
    expect(result).toMatchObject({ ok: false, reason: 'unknown-cert-sn', advice: { kind: 'update-alipay-cert', sn: UNKNOWN_SN } });
    expect(result.ok ? '' : result.hint).toContain(`SN ${UNKNOWN_SN}`);
    expect(result.ok ? '' : result.hint).not.toMatch(/ALIPAY_/);
  });

  it('outside certificate mode, or with a value that is no SN, alipay_cert_sn changes nothing', async () => {
    const signed = formBody(await signPairs(stranger, pairsOf({ ...NOTIFY, alipay_cert_sn: UNKNOWN_SN }), { signType: 'RSA2' }));
    const publicKeyMode = { ...fixtureCert, certSn: undefined } as AlipayPublicKey;
    expect(await verifyForm(signed, { keys: [publicKeyMode], signTypes: ['RSA2'] })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    const notSn = formBody(await signPairs(stranger, pairsOf({ ...NOTIFY, alipay_cert_sn: 'hello <b>' }), { signType: 'RSA2' }));
    expect(await verifyForm(notSn, { keys: [otherCert, fixtureCert], signTypes: ['RSA2'] })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });
});

describe('the notify endpoint in certificate mode', () => {
  it('accepts a notification naming the fixture certificate among two', async () => {
    mockOrigin();
    const body = await signedNotification(tradeParams({ alipay_cert_sn: fixtureCert.certSn! }));
    const response = await postNotify(body, certMode);
    expect(await response.text()).toBe('success');
  });

  it('answers 503 unknown-cert-sn for a certificate it does not have, so Alipay keeps the notification', async () => {
    const body = formBody(await signPairs(stranger, pairsOf(tradeParams({ alipay_cert_sn: UNKNOWN_SN })), { signType: 'RSA2' }));
    const response = await postNotify(body, certMode);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('fail: unknown-cert-sn');
  });

  it('/health shows every certificate\'s SN and expiry', async () => {
    const health = (await (await callWorker(new Request('https://gateway.test/health'), certMode)).json()) as { keys: { certSn?: string; notAfter?: string }[] };
    expect(health.keys).toEqual([
      expect.objectContaining({ certSn: otherCert.certSn, notAfter: new Date(otherCert.notAfter!).toISOString() }),
      expect.objectContaining({ certSn: fixtureCert.certSn, notAfter: new Date(fixtureCert.notAfter!).toISOString() }),
    ]);
  });
});
