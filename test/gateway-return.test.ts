// GET /alipay/return: the buyer's return query is checked and the browser redirected to
// ORIGIN_RETURN_URL with the query unchanged plus a verdict signed with the first forward secret.
// The verdict's gw_sig is recomputed here from the documented canonical string with crypto.subtle.
import { describe, expect, it } from 'vitest';
import { checkReturn } from '../examples/node-origin/return-check.mjs';
import { TEST_APP_ID, TEST_ONLY_FORWARD_SECRETS, TEST_ONLY_STATUS_SECRET } from './fixtures/gateway-test-keys';
import { callWorker } from './support/gateway';
import { beijingTime, signedNotification, uniqueId } from './support/notifications';
import type { AlipaySigning } from './support/notifications';

const RETURN_URL = 'https://shop.test/pay/return.asp';

function returnParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    app_id: TEST_APP_ID,
    auth_app_id: TEST_APP_ID,
    charset: 'utf-8',
    method: 'alipay.trade.page.pay.return',
    out_trade_no: uniqueId('R'),
    seller_id: '2088000000000002',
    timestamp: beijingTime(Date.now()),
    total_amount: '88.80',
    trade_no: uniqueId('2026'),
    version: '1.0',
    ...overrides,
  };
}

async function signedQuery(params: Record<string, string>, signing?: AlipaySigning): Promise<string> {
  return new TextDecoder().decode(await signedNotification(params, signing));
}

function getReturn(query: string | null, overrides: Record<string, unknown> = { ORIGIN_RETURN_URL: RETURN_URL }, method = 'GET') {
  const url = `https://gateway.test/alipay/return${query === null ? '' : `?${query}`}`;
  return callWorker(new Request(url, { method, redirect: 'manual' }), overrides);
}

// ---- the origin's side, written from the documentation -----------------------------------

interface Verdict {
  covered: string;
  verified: string;
  reason: string | null;
  ts: number;
  sig: string;
}

function verdictOf(location: string, expectedBase = RETURN_URL): Verdict {
  expect(location.startsWith(`${expectedBase}?`)).toBe(true);
  const query = location.slice(expectedBase.length + 1);
  const at = query.lastIndexOf('gw_verified=');
  const trailer = new URLSearchParams(query.slice(at));
  return {
    covered: at === 0 ? '' : query.slice(0, at - 1),
    verified: trailer.get('gw_verified')!,
    reason: trailer.get('gw_reason'),
    ts: Number(trailer.get('gw_ts')),
    sig: trailer.get('gw_sig')!,
  };
}

async function expectedSig(secret: string, v: Verdict): Promise<string> {
  const canonical = `gw-return-v1\n${v.covered}\n${v.verified}\n${v.reason ?? ''}\n${v.ts}`;
  const raw = Uint8Array.from(atob(secret.slice('whsec_'.length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(canonical)));
  return btoa(String.fromCharCode(...mac)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function redirected(response: Response, expectedBase = RETURN_URL): Promise<Verdict> {
  expect(response.status).toBe(302);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return verdictOf(response.headers.get('location')!, expectedBase);
}

describe('GET /alipay/return', () => {
  it('a genuine return: 302 with the query unchanged, gw_verified=1 and a gw_sig the origin can check', async () => {
    const query = await signedQuery(returnParams({ subject: '测试 A&B' }));
    const before = Math.floor(Date.now() / 1000);
    const v = await redirected(await getReturn(query));
    expect(v.covered).toBe(query);
    expect(v.verified).toBe('1');
    expect(v.reason).toBeNull();
    expect(v.ts).toBeGreaterThanOrEqual(before);
    expect(v.ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(v.sig).toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0], v));
    // Signed with the FIRST (newest) secret only.
    expect(v.sig).not.toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[1], v));
    // A flipped flag no longer matches the signature.
    expect(v.sig).not.toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0], { ...v, verified: '0' }));
  });

  it('accepts a return signed with sign_type kept in the content (v2 rule)', async () => {
    const query = await signedQuery(returnParams(), { rule: 'v2' });
    const v = await redirected(await getReturn(query));
    expect([v.verified, v.reason]).toEqual(['1', null]);
  });

  it('a tampered return: 302 with gw_verified=0 and the reason, still signed', async () => {
    const query = (await signedQuery(returnParams())).replace('total_amount=88.80', 'total_amount=0.01');
    const v = await redirected(await getReturn(query));
    expect(v.covered).toBe(query);
    expect([v.verified, v.reason]).toEqual(['0', 'signature-mismatch']);
    expect(v.sig).toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0], v));
  });

  it('a return for another app, or without any query, is reported with its reason', async () => {
    const otherApp = await redirected(await getReturn(await signedQuery(returnParams({ app_id: '2021999999999999' }))));
    expect([otherApp.verified, otherApp.reason]).toEqual(['0', 'app-id-mismatch']);
    const empty = await redirected(await getReturn(null));
    expect(empty).toMatchObject({ covered: '', verified: '0', reason: 'missing-signature' });
    expect(empty.sig).toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0], empty));
  });

  it('a return made more than a day ago (an old URL from the history) gets no fresh verdict and no status link', async () => {
    const old = await signedQuery(returnParams({ timestamp: beijingTime(Date.now() - 25 * 3_600_000) }));
    const response = await getReturn(old, { ORIGIN_RETURN_URL: RETURN_URL, STATUS_SECRET: TEST_ONLY_STATUS_SECRET });
    const v = await redirected(response);
    expect([v.verified, v.reason]).toEqual(['0', 'return-too-old']);
    expect(v.sig).toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0], v));
    expect(response.headers.get('location')).not.toContain('gw_status_sig');
    // A legacy mapi return dates itself by notify_time.
    const mapi = await signedQuery(returnParams({ timestamp: '', notify_time: beijingTime(Date.now() - 3 * 86_400_000) }));
    expect((await redirected(await getReturn(mapi))).reason).toBe('return-too-old');
  });

  it('a query that already carries gw_ parameters is refused as not made by Alipay', async () => {
    const query = `${await signedQuery(returnParams())}&gw_verified=1`;
    const response = await getReturn(query);
    const location = response.headers.get('location')!;
    // The gateway's own verdict is last, and it says 0.
    expect(location.endsWith(`gw_sig=${verdictOf(location).sig}`)).toBe(true);
    expect(verdictOf(location)).toMatchObject({ covered: query, verified: '0', reason: 'reserved-parameter' });
  });

  it("keeps ORIGIN_RETURN_URL's own query (covered by the signature) and fragment", async () => {
    const query = await signedQuery(returnParams());
    const response = await getReturn(query, { ORIGIN_RETURN_URL: `${RETURN_URL}?site=cn#paid` });
    const location = response.headers.get('location')!;
    expect(location.endsWith('#paid')).toBe(true);
    const v = verdictOf(location.slice(0, -'#paid'.length));
    expect(v.covered).toBe(`site=cn&${query}`);
    expect(v.verified).toBe('1');
    expect(v.sig).toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0], v));
  });

  it('agrees with the origin example examples/node-origin/return-check.mjs', async () => {
    const secrets = TEST_ONLY_FORWARD_SECRETS.join(' ');
    const good = (await getReturn(await signedQuery(returnParams()))).headers.get('location')!;
    const goodQuery = good.slice(RETURN_URL.length + 1);
    const verdict = await checkReturn(goodQuery, secrets);
    expect(verdict).toMatchObject({ ok: true, verified: true });
    expect(verdict.ok && verdict.params.get('total_amount')).toBe('88.80');

    const tampered = (await getReturn((await signedQuery(returnParams())).replace('88.80', '0.01'))).headers.get('location')!;
    expect(await checkReturn(tampered.slice(RETURN_URL.length + 1), secrets)).toMatchObject({ ok: true, verified: false, reason: 'signature-mismatch' });

    expect(await checkReturn(goodQuery.replace('gw_verified=1', 'gw_verified=0'), secrets)).toEqual({ ok: false, reason: 'signature-mismatch' });
    expect(await checkReturn(goodQuery, secrets, { nowSeconds: Math.floor(Date.now() / 1000) + 3600 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('with STATUS_SECRET, a verified return also carries a status link for its order (signed on its own, after gw_sig)', async () => {
    const statusSecret = TEST_ONLY_STATUS_SECRET;
    const params = returnParams();
    const response = await getReturn(await signedQuery(params), { ORIGIN_RETURN_URL: RETURN_URL, STATUS_SECRET: statusSecret });
    const location = response.headers.get('location')!;
    const verdict = await redirected(response);
    expect(verdict.verified).toBe('1');
    const trailer = new URLSearchParams(location.slice(location.indexOf('gw_verified=')));
    expect(trailer.get('gw_sig')).toBe(await expectedSig(TEST_ONLY_FORWARD_SECRETS[0]!, verdict));
    const exp = Number(trailer.get('gw_status_exp'));
    expect(exp).toBeGreaterThan(Date.now() / 1000 + 3600);
    // The link the page passes on to GET /alipay/status (or status.js), checked as the gateway checks it.
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(statusSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${params['app_id']}.${params['out_trade_no']}.${exp}`)));
    expect(trailer.get('gw_status_sig')).toBe([...mac].map((b) => b.toString(16).padStart(2, '0')).join(''));
    const status = await callWorker(
      new Request(`https://gateway.test/alipay/status?app_id=${params['app_id']}&out_trade_no=${params['out_trade_no']}&exp=${exp}&sig=${trailer.get('gw_status_sig')}`),
      { STATUS_SECRET: statusSecret },
    );
    expect(status.status).toBe(200);

    // Nothing for a return that is not verified, nor without STATUS_SECRET.
    const tampered = (await signedQuery(returnParams())).replace('total_amount=88.80', 'total_amount=0.01');
    expect((await getReturn(tampered, { ORIGIN_RETURN_URL: RETURN_URL, STATUS_SECRET: statusSecret })).headers.get('location')).not.toContain('gw_status');
    expect((await getReturn(await signedQuery(returnParams()))).headers.get('location')).not.toContain('gw_status');
  });

  it('is 404 when ORIGIN_RETURN_URL is not set', async () => {
    const response = await getReturn(await signedQuery(returnParams()), {});
    expect(response.status).toBe(404);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses an oversized query with 414 and other methods with 405', async () => {
    const oversized = await getReturn(`${await signedQuery(returnParams())}&body=${'x'.repeat(9000)}`);
    expect(oversized.status).toBe(414);
    expect(oversized.headers.get('location')).toBeNull();
    const post = await getReturn(await signedQuery(returnParams()), { ORIGIN_RETURN_URL: RETURN_URL }, 'POST');
    expect(post.status).toBe(405);
  });
});
