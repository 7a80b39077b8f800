// Registering an expected order (POST /alipay/orders): the gateway's check of the signed fields,
// and the three examples (Node, classic ASP, ASP.NET) agreeing with it on one test vector, checked
// with node:crypto rather than with the code under test.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registerOrder, signOrderRegistration } from '../../examples/node-origin/register-order.mjs';
import { checkOrderRegistration, MAX_EXPIRY_MS } from '../../src/http/order-registration';

const SECRET = 'status-secret-example-0123456789abcdef';
const VECTOR = { appId: '2021000000000000', outTradeNo: 'DEMO-20260501-0001', totalAmount: '88.80', expire: 1777600000 };
const EXPECTED = createHmac('sha256', Buffer.from(SECRET, 'utf8')).update('order.2021000000000000.DEMO-20260501-0001.88.80.1777600000').digest('hex');
const secretBytes = new TextEncoder().encode(SECRET);
const BEFORE_EXPIRY = (VECTOR.expire - 3600) * 1000;

function form(overrides: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({ app_id: VECTOR.appId, out_trade_no: VECTOR.outTradeNo, total_amount: VECTOR.totalAmount, expire: String(VECTOR.expire), sig: EXPECTED, ...overrides });
}

describe('the gateway\'s check', () => {
  it('accepts the vector and reads the order', async () => {
    expect(await checkOrderRegistration(form(), secretBytes, BEFORE_EXPIRY)).toEqual({
      ok: true,
      order: { appId: VECTOR.appId, outTradeNo: VECTOR.outTradeNo, totalAmount: '88.80', totalCents: 8880, expiresAt: VECTOR.expire * 1000 },
    });
    expect(await checkOrderRegistration(form({ sig: EXPECTED.toUpperCase() }), secretBytes, BEFORE_EXPIRY)).toMatchObject({ ok: true });
  });

  it.each([
    ['another amount', { total_amount: '8.88' }],
    ['another order', { out_trade_no: 'DEMO-20260501-0002' }],
    ['a later expiry', { expire: String(VECTOR.expire + 1) }],
    ['another app', { app_id: '2021000000000001' }],
  ])('refuses the same signature over %s', async (_name, overrides) => {
    expect(await checkOrderRegistration(form(overrides), secretBytes, BEFORE_EXPIRY)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('a status link signature is no registration signature: the messages cannot be the same', async () => {
    // The status link of out_trade_no "DEMO-20260501-0001.88.80" with exp 1777600000 signs "2021…0000.DEMO-20260501-0001.88.80.1777600000".
    const statusSig = createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(`${VECTOR.appId}.${VECTOR.outTradeNo}.${VECTOR.totalAmount}.${VECTOR.expire}`).digest('hex');
    expect(await checkOrderRegistration(form({ sig: statusSig }), secretBytes, BEFORE_EXPIRY)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    [{ total_amount: '88.8' }, 'malformed-parameter', /total_amount must be yuan with exactly two decimals/],
    [{ total_amount: '0.00' }, 'malformed-parameter', /more than 0.00/],
    [{ out_trade_no: 'A&B' }, 'malformed-parameter', /out_trade_no/],
    [{ out_trade_no: 'x'.repeat(65) }, 'malformed-parameter', /out_trade_no/],
    [{ expire: '-1' }, 'malformed-parameter', /expire/],
    [{ sig: 'abc' }, 'malformed-parameter', /sig/],
    [{ sig: '' }, 'missing-parameter', /needs app_id/],
  ])('refuses %j', async (overrides, reason, error) => {
    const result = await checkOrderRegistration(form(overrides), secretBytes, BEFORE_EXPIRY);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.error).toMatch(error);
  });

  it('an expired order, or one payable for more than 15 days, is refused (after the signature)', async () => {
    expect(await checkOrderRegistration(form(), secretBytes, VECTOR.expire * 1000)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await checkOrderRegistration(form(), secretBytes, VECTOR.expire * 1000 - MAX_EXPIRY_MS - 1000)).toMatchObject({ ok: false, reason: 'expiry-too-far' });
    expect(await checkOrderRegistration(form({ sig: '0'.repeat(64) }), secretBytes, VECTOR.expire * 1000)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});

describe('the examples', () => {
  it('Node: signOrderRegistration gives the vector, and registerOrder posts the signed form', async () => {
    expect(signOrderRegistration({ secret: SECRET, ...VECTOR })).toBe(EXPECTED);
    expect(() => signOrderRegistration({ secret: SECRET, ...VECTOR, totalAmount: '88.8' })).toThrow(/two decimals/);
    // STATUS_SECRET is trimmed, as the gateway trims it.
    expect(signOrderRegistration({ secret: ` ${SECRET}\n`, ...VECTOR })).toBe(EXPECTED);
    let posted: { url: string; body: string } | null = null;
    const answer = await registerOrder({
      gatewayUrl: 'https://gw.example/',
      secret: SECRET,
      ...VECTOR,
      fetch: (async (url: string, init: RequestInit) => {
        posted = { url, body: String(init.body) };
        return new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
      }) as unknown as typeof fetch,
    });
    expect(answer).toEqual({ ok: true });
    expect(posted!.url).toBe('https://gw.example/alipay/orders');
    expect(await checkOrderRegistration(new URLSearchParams(posted!.body), secretBytes, BEFORE_EXPIRY)).toMatchObject({ ok: true });
    const unreachable = await registerOrder({ gatewayUrl: 'http://127.0.0.1:9', secret: SECRET, ...VECTOR, timeoutMs: 2_000 });
    expect(unreachable).toMatchObject({ ok: false, error: expect.stringMatching(/could not be reached/) });
  });

  it('Node: expire must be whole Unix seconds; milliseconds are refused with a clear error', () => {
    expect(() => signOrderRegistration({ secret: SECRET, ...VECTOR, expire: VECTOR.expire * 1000 })).toThrow(/looks like milliseconds; it is Unix seconds/);
    expect(() => signOrderRegistration({ secret: SECRET, ...VECTOR, expire: Date.now() })).toThrow(/milliseconds/);
    for (const expire of [VECTOR.expire + 0.5, Number.NaN, 0, -1, '1777600000' as unknown as number]) {
      expect(() => signOrderRegistration({ secret: SECRET, ...VECTOR, expire }), String(expire)).toThrow(/expire must be whole Unix seconds/);
    }
  });

  it.each(['classic-asp/register_order.asp', 'aspnet/AlipayOrderRegistration.cs', 'node-origin/register-order.mjs'])('%s states the vector', (file) => {
    const text = readFileSync(fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)), 'utf8');
    expect(text).toContain(`-> ${EXPECTED}`);
    expect(text).toContain('"order." ');
  });
});
