import { beforeAll, describe, expect, it } from 'vitest';
import { parseBeijingTime } from '../src/alipay/beijing-time';
import { loadPublicKeys } from '../src/alipay/keys';
import { processNotification } from '../src/alipay/process';
import type { BusinessRules, VerifyOptions } from '../src/alipay/types';
import { makeSigner, signPairs, type TestSigner } from './support/alipay-sign';
import { utf8 } from './support/encoding';
import { formBody, pairsOf, type TestPair } from './support/form';
import { signedVector } from './support/vectors';

const gbkVector = signedVector('synthetic_gbk_notify_rsa2_v1');

const HOUR = 3600_000;
const NOW = parseBeijingTime('2024-01-01 10:05:00')!;
const NOTIFY = {
  app_id: '2021000000000001',
  seller_id: '2088000000000002',
  notify_id: 'N-1',
  notify_time: '2024-01-01 10:00:06',
  out_trade_no: 'ORDER-1',
  total_amount: '1.00',
  trade_status: 'TRADE_SUCCESS',
  charset: 'utf-8',
};

let alipay: TestSigner;
let options: VerifyOptions & BusinessRules;
beforeAll(async () => {
  alipay = await makeSigner();
  options = { keys: [alipay.publicKey], signTypes: ['RSA2'], appIds: ['2021000000000001'], sellerIds: [], maxNotifyAgeMs: 72 * HOUR };
});
const signedBody = async (pairs: TestPair[]) => formBody(await signPairs(alipay, pairs));

describe('processNotification', () => {
  it('verifies, decodes, checks and classifies a payment', async () => {
    const r = await processNotification(await signedBody(pairsOf(NOTIFY)), options, NOW);
    expect(r).toMatchObject({
      ok: true,
      verified: { signType: 'RSA2', rule: 'v1' },
      charset: 'utf-8',
      notification: { notifyId: 'N-1', outTradeNo: 'ORDER-1', totalAmount: '1.00', tradeStatus: 'TRADE_SUCCESS' },
      event: { kind: 'paid', key: 'paid' },
    });
  });

  it('stops at verify for a bad signature', async () => {
    const body = await signedBody(pairsOf(NOTIFY));
    const tampered = utf8(new TextDecoder().decode(body).replace('total_amount=1.00', 'total_amount=9.00'));
    const r = await processNotification(tampered, options, NOW);
    expect(r).toMatchObject({ ok: false, stage: 'verify', reason: 'signature-mismatch' });
    expect(!r.ok && r.stage === 'verify' && r.failure.reason).toBe('signature-mismatch');
  });

  it('stops at decode when the signed bytes are not in the signed charset', async () => {
    const pairs = [...pairsOf(NOTIFY), { key: 'subject', value: new Uint8Array([0xd6, 0xd0, 0xce, 0xc4]) }]; // 中文 in GBK, under charset=utf-8
    const r = await processNotification(await signedBody(pairs), options, NOW);
    expect(r).toMatchObject({ ok: false, stage: 'decode', reason: 'charset-decode', verified: { ok: true } });
  });

  it('stops at business checks (app_id, age) unless they are switched off', async () => {
    const otherApp = await signedBody(pairsOf({ ...NOTIFY, app_id: '2021999' }));
    expect(await processNotification(otherApp, options, NOW)).toMatchObject({ ok: false, stage: 'business', reason: 'app-id-mismatch', verified: { ok: true } });
    expect(await processNotification(otherApp, options, NOW, { business: false })).toMatchObject({ ok: true });
    const old = await signedBody(pairsOf(NOTIFY));
    expect(await processNotification(old, options, NOW + 73 * HOUR)).toMatchObject({ ok: false, stage: 'business', reason: 'notify-too-old' });
  });

  it('classifies a refund by out_biz_no', async () => {
    const refund = await signedBody(pairsOf({ ...NOTIFY, refund_fee: '0.50', out_biz_no: 'R-1', gmt_refund: '2024-01-01 10:00:05.321' }));
    expect(await processNotification(refund, options, NOW)).toMatchObject({ ok: true, event: { kind: 'refund', key: 'refund:R-1' } });
  });

  it('processes the GBK vector end to end', async () => {
    const loaded = await loadPublicKeys(gbkVector.alipay_public_key!);
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const r = await processNotification(utf8(gbkVector.raw_body!), { ...options, keys: loaded.keys }, NOW);
    expect(r).toMatchObject({ ok: true, charset: 'gbk', event: { kind: 'paid', key: 'paid' } });
    expect(r.ok && r.notification.params.subject).toBe('支付标题 测试+1');
  });
});
