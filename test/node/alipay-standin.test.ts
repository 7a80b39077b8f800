// The local stand-in for Alipay's OpenAPI gateway, over real HTTP. The official Node SDK
// (alipay-sdk) plays the merchant's client: it signs the request and checks the stand-in's answer
// signature, independently of this project's code. Then the gateway's own query client asks it,
// including the answers that must never be trusted.
import { generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlipayStandIn, standInClient, type AlipayStandIn } from '../../cli/alipay-standin';
import { loadPublicKeys } from '../../src/alipay/keys';
import { loadPrivateKey } from '../../src/alipay/private-key';
import { queryTrade, type QueryClientOptions } from '../../src/alipay/query-client';
import { runInProcess } from '../support/cli-run';

const APP_ID = '2021000000000000';
const pem = (k: { export(o: object): string | Buffer }, type: 'pkcs8' | 'spki') => (k.export({ type, format: 'pem' }) as string).trim();
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });

let standIn: AlipayStandIn;
let sdk: AlipaySdk;
let clientOptions: QueryClientOptions;

beforeAll(async () => {
  const started = await startAlipayStandIn({ appPublicKey: pem(app.publicKey, 'spki'), alipayPrivateKey: pem(alipay.privateKey, 'pkcs8'), appIds: [APP_ID] });
  if (!started.ok) throw new Error(started.message);
  standIn = started.standIn;
  sdk = new AlipaySdk({
    appId: APP_ID,
    privateKey: pem(app.privateKey, 'pkcs8'),
    keyType: 'PKCS8',
    alipayPublicKey: pem(alipay.publicKey, 'spki'),
    gateway: standIn.gatewayUrl,
  });
  const appKey = await loadPrivateKey(pem(app.privateKey, 'pkcs8'));
  const alipayKeys = await loadPublicKeys(pem(alipay.publicKey, 'spki'));
  if (!appKey.ok || !alipayKeys.ok) throw new Error('test keys did not load');
  clientOptions = { gatewayUrl: standIn.gatewayUrl, appId: APP_ID, privateKey: appKey.key.signingKey, alipayKeys: alipayKeys.keys, timeoutMs: 5_000 };
});

afterAll(() => standIn?.close());

let n = 0;
const order = () => `STANDIN-${process.pid}-${++n}`;

describe('the stand-in, asked by the official SDK', () => {
  it('answers TRADE_NOT_EXIST for an unknown order, signed so the SDK verifies it', async () => {
    standIn.mode = 'normal';
    const no = order();
    const result = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true });
    expect(result).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST', outTradeNo: no });
    expect(standIn.requests.at(-1)).toMatchObject({ method: 'alipay.trade.query', app_id: APP_ID, out_trade_no: no, signatureValid: true, answered: '40004' });
  });

  it('answers a registered paid trade', async () => {
    standIn.mode = 'normal';
    const no = order();
    await standInClient(standIn.baseUrl).registerTrade({ out_trade_no: no, total_amount: '12.34' });
    const result = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true });
    expect(result).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS', totalAmount: '12.34', outTradeNo: no });
  });

  it('a forged answer fails the SDK\'s own check', async () => {
    standIn.mode = 'forged';
    try {
      await expect(sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: order() } }, { validateSign: true })).rejects.toThrow(/验签失败/);
    } finally {
      standIn.mode = 'normal';
    }
  });

  it('refuses a request signed with another app key (isv.invalid-signature), and an unknown app_id', async () => {
    const stranger = new AlipaySdk({
      appId: APP_ID,
      privateKey: pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'pkcs8'),
      keyType: 'PKCS8',
      alipayPublicKey: pem(alipay.publicKey, 'spki'),
      gateway: standIn.gatewayUrl,
    });
    expect(await stranger.exec('alipay.trade.query', { bizContent: { out_trade_no: order() } }, { validateSign: true })).toMatchObject({
      code: '40002',
      subCode: 'isv.invalid-signature',
    });
    const otherApp = new AlipaySdk({ appId: '2021999999999999', privateKey: pem(app.privateKey, 'pkcs8'), keyType: 'PKCS8', alipayPublicKey: pem(alipay.publicKey, 'spki'), gateway: standIn.gatewayUrl });
    expect(await otherApp.exec('alipay.trade.query', { bizContent: { out_trade_no: order() } })).toMatchObject({ code: '40002', subCode: 'isv.invalid-app-id' });
  });
});

describe('the gateway\'s query client against the stand-in', () => {
  it('finds a paid trade and hears "not paid yet" for an unknown one', async () => {
    standIn.mode = 'normal';
    const paid = order();
    await standInClient(standIn.baseUrl).registerTrade({ out_trade_no: paid, total_amount: '88.80' });
    expect(await queryTrade({ outTradeNo: paid }, clientOptions)).toMatchObject({ ok: true, status: 'found', trade: { outTradeNo: paid, paid: true, totalAmount: '88.80' } });
    expect(await queryTrade({ outTradeNo: order() }, clientOptions)).toMatchObject({ ok: true, status: 'not-found' });
  });

  it.each([
    ['unsigned', 'unsigned'],
    ['forged', 'signature-mismatch'],
    ['tampered', 'signature-mismatch'],
    ['http-error', 'http-status'],
    ['unavailable', 'alipay-error'],
  ] as const)('%s answers are refused (%s)', async (mode, reason) => {
    const no = order();
    await standInClient(standIn.baseUrl).registerTrade({ out_trade_no: no, total_amount: '5.00', trade_status: 'WAIT_BUYER_PAY' });
    await standInClient(standIn.baseUrl).setMode(mode);
    try {
      const result = await queryTrade({ outTradeNo: no }, clientOptions);
      expect(result).toMatchObject({ ok: false, reason });
      if (mode === 'unavailable') expect(result).toMatchObject({ transient: true, alipay: { code: '20000', verified: true } });
    } finally {
      standIn.mode = 'normal';
    }
  });

  it('keeps a log of the queries it answered', async () => {
    const before = (await standInClient(standIn.baseUrl).requests()).length;
    await queryTrade({ outTradeNo: order() }, clientOptions);
    const after = await standInClient(standIn.baseUrl).requests();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ signatureValid: true, answered: '40004' });
  });
});

describe('the control API and the command', () => {
  it.each([
    [{}, /out_trade_no/],
    [{ out_trade_no: 'T 1' }, /out_trade_no/],
    [{ out_trade_no: 'T1', total_amount: '1.001' }, /total_amount/],
    [{ out_trade_no: 'T1', trade_status: 'PAID' }, /trade_status/],
  ])('refuses a trade it cannot answer for: %j', async (trade, message) => {
    const response = await fetch(`${standIn.baseUrl}/_standin/trades`, { method: 'POST', body: JSON.stringify(trade) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('refuses an unknown mode', async () => {
    await expect(standInClient(standIn.baseUrl).setMode('chaos' as never)).rejects.toThrow(/mode must be one of normal/);
  });

  it('`standin --help` explains the control API', async () => {
    const run = await runInProcess(['standin', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\/_standin\/trades/);
    expect((await runInProcess(['standin', '--port', 'x'])).code).toBe(2);
  });
});
