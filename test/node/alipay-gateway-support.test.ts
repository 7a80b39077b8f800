// The tests' stand-in gateway (test/support/alipay-gateway.ts) checked against the official Node SDK
// and node:crypto, so the query client's verdicts against it are worth something: alipay-sdk's signed
// request is accepted, its answer passes alipay-sdk's own sign check, and gopay's real answer's
// rule (the sign over the value's bytes) holds for what it writes. It loads no src/ code.
import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fakeAlipayGateway, paidTradeFields, signedAnswer, importSigningPem, type FakeAlipayGateway } from '../support/alipay-gateway';

const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipayPem = alipay.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
let gateway: FakeAlipayGateway;
let server: Server;
let sdk: AlipaySdk;

beforeAll(async () => {
  gateway = await fakeAlipayGateway({
    appPublicKey: (app.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
    alipayPrivateKeyPem: alipayPem,
  });
  // Real HTTP in front of the fetch-shaped gateway, for the SDK's own HTTP client.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const answer = await gateway.fetch(`http://127.0.0.1${req.url}`, { method: 'POST', body: Buffer.concat(chunks), headers: { 'content-type': String(req.headers['content-type']) } });
      res.writeHead(answer.status, { 'content-type': 'text/html;charset=utf-8' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sdk = new AlipaySdk({
    appId: '2021000000000001',
    privateKey: (app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trim(),
    keyType: 'PKCS8',
    alipayPublicKey: (alipay.publicKey.export({ type: 'spki', format: 'pem' }) as string).trim(),
    gateway: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`,
  });
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

it('accepts the official SDK\'s signed query, and the SDK accepts its signed answers', async () => {
  gateway.trades.set('SDK-1', paidTradeFields('SDK-1', '9.99'));
  const paid = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'SDK-1' } }, { validateSign: true });
  expect(paid).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS', totalAmount: '9.99', storeName: '西湖店/1号柜台' });
  expect(gateway.requests.at(-1)).toMatchObject({ signatureValid: true, params: { method: 'alipay.trade.query', sign_type: 'RSA2' } });
  const missing = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'SDK-2' } }, { validateSign: true });
  expect(missing).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' });
});

it('its forged answers fail the SDK\'s sign check', async () => {
  gateway.mode = 'forged';
  try {
    await expect(sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'SDK-1' } }, { validateSign: true })).rejects.toThrow(/验签失败/);
  } finally {
    gateway.mode = 'signed';
  }
});

it('signs the value\'s exact text, as in gopay\'s real alipay.trade.pay answer', async () => {
  const vector = JSON.parse(readFileSync(new URL('../fixtures/vectors/responses/gopay_alipay_trade_pay_response.json', import.meta.url), 'utf8')) as {
    signed_content: string;
    sign: string;
    alipay_public_key: string;
  };
  const gopayKey = createPublicKey({ key: Buffer.from(vector.alipay_public_key, 'base64'), format: 'der', type: 'spki' });
  expect(verify('sha256', Buffer.from(vector.signed_content), gopayKey, Buffer.from(vector.sign, 'base64'))).toBe(true);

  const value = '{"code":"10000","msg":"Success","qr_code":"https:\\/\\/qr.alipay.com\\/x"}';
  const text = await signedAnswer('alipay_trade_precreate_response', value, await importSigningPem(alipayPem));
  const sign = /"sign":"([^"]+)"/.exec(text)![1]!;
  expect(text.startsWith(`{"alipay_trade_precreate_response":${value},`)).toBe(true);
  expect(verify('sha256', Buffer.from(value), createPublicKey(createPrivateKey(alipayPem)), Buffer.from(sign, 'base64'))).toBe(true);
});

it('loads no code from src/ (its verdicts would otherwise be the code agreeing with itself)', () => {
  const importsOf = (path: string) => [...readFileSync(new URL(path, import.meta.url), 'utf8').matchAll(/^import [^;]*from '([^']*)'/gm)].map((m) => m[1]);
  expect(importsOf('../support/alipay-gateway.ts')).toEqual(['../../cli/alipay-answers', './encoding']);
  // Alipay's answer texts, shared with the local stand-in: a leaf.
  expect(importsOf('../../cli/alipay-answers.ts')).toEqual([]);
});
