// The operator API exists only when ADMIN_TOKEN is set, and only for the right Bearer token or a
// console session cookie (with the gateway's own Origin for anything that changes state).
import { describe, expect, it } from 'vitest';
import { authorizeAdmin } from '../src/http/admin-auth';
import { checkSession, mintSession, SESSION_TTL_SECONDS } from '../src/http/admin-session';
import { TEST_ONLY_ADMIN_TOKEN } from './fixtures/gateway-test-keys';
import { adminRequest, callWorker, gatewayConfig } from './support/gateway';
import { cookieFrom, freshClientIp, HTTPS_BASE, LOOPBACK_BASE, signInRequest, withCookie } from './support/console-session';
import { captureJsonLogs } from './support/json-logs';

const logs = captureJsonLogs();

const ROUTES: [string, string][] = [
  ['GET', '/admin/dead-letters'],
  ['GET', '/admin/orders/2021000000000001/T1'],
  ['POST', '/admin/orders/2021000000000001/T1/redeliver'],
  ['GET', '/admin/api/payments'],
  ['GET', '/admin/api/totals'],
  ['GET', '/admin/api/series'],
  ['GET', '/admin/api/rejections'],
  ['POST', '/admin/api/dead-letters/redeliver'],
];

describe('admin auth', () => {
  it('404 on every admin route when ADMIN_TOKEN is not set, token or not', async () => {
    for (const [method, path] of ROUTES) {
      const withToken = await callWorker(adminRequest(path, { method }), { ADMIN_TOKEN: undefined });
      expect(withToken.status).toBe(404);
      const without = await callWorker(adminRequest(path, { method }, null), { ADMIN_TOKEN: undefined });
      expect(without.status).toBe(404);
    }
  });

  it('401 without a token, with a wrong one, or with a prefix of the right one', async () => {
    for (const token of [null, 'wrong-token-wrong-token-wrong-tok', TEST_ONLY_ADMIN_TOKEN.slice(0, -1), `${TEST_ONLY_ADMIN_TOKEN}x`]) {
      for (const [method, path] of ROUTES) {
        const response = await callWorker(adminRequest(path, { method }, token));
        expect(response.status, `${method} ${path} with ${token}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
    const basic = await callWorker(
      new Request('https://gateway.test/admin/dead-letters', { headers: { authorization: `Basic ${TEST_ONLY_ADMIN_TOKEN}` } }),
    );
    expect(basic.status).toBe(401);
  });

  it('200 with the right Bearer token', async () => {
    const response = await callWorker(adminRequest('/admin/dead-letters'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, deadLetters: expect.any(Array) });
  });

  it('404 for unknown admin paths even when authorized', async () => {
    expect((await callWorker(adminRequest('/admin/nothing-here'))).status).toBe(404);
    expect((await callWorker(adminRequest('/admin/orders/2021000000000001/T1/redeliver'))).status).toBe(404); // GET, not POST
    expect((await callWorker(adminRequest('/admin/api/nothing-here'))).status).toBe(404);
    expect((await callWorker(adminRequest('/admin/api/payments', { method: 'POST' }))).status).toBe(404);
  });
});

describe('admin auth: console session cookie', () => {
  it('signing in with the right token sets an HttpOnly, Secure, SameSite=Strict __Host- cookie with an expiry', async () => {
    const response = await callWorker(signInRequest());
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/');
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-gw_admin=v1\.\d+\.[\w-]{22}\.[\w-]{43}; /);
    const attributes = setCookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=strict', 'secure', `max-age=${SESSION_TTL_SECONDS}`]));
    expect(setCookie).not.toContain(TEST_ONLY_ADMIN_TOKEN);
    expect(JSON.stringify(logs.lines)).not.toContain(TEST_ONLY_ADMIN_TOKEN);
  });

  it('on a loopback http address (wrangler dev) the cookie is not Secure and has no __Host- prefix', async () => {
    const response = await callWorker(signInRequest(undefined, { base: LOOPBACK_BASE }));
    expect(response.status).toBe(303);
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^gw_admin=v1\./);
    expect(setCookie.toLowerCase()).not.toContain('secure');
    expect(setCookie.toLowerCase()).toContain('httponly');
    const cookie = cookieFrom(response)!;
    expect((await callWorker(withCookie('/admin/dead-letters', cookie, { base: LOOPBACK_BASE }))).status).toBe(200);
    // The loopback cookie name means nothing on a real host.
    expect((await callWorker(withCookie('/admin/dead-letters', cookie))).status).toBe(401);
  });

  it('the cookie authorizes GETs of the JSON API; without it, or with a tampered one, 401', async () => {
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    const ok = await callWorker(withCookie('/admin/dead-letters', cookie));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true });

    const [name, value] = cookie.split('=') as [string, string];
    const flipped = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    for (const bad of [`${name}=${flipped}`, `${name}=v1.9999999999.${'A'.repeat(22)}.${'A'.repeat(43)}`, `${name}=`, 'other=1']) {
      const response = await callWorker(withCookie('/admin/dead-letters', bad));
      expect(response.status, bad).toBe(401);
    }
  });

  it('a state-changing request with the cookie needs the gateway\'s own Origin (403 otherwise)', async () => {
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    const path = '/admin/orders/2021000000000001/NO-SUCH-ORDER/redeliver';
    const noOrigin = await callWorker(withCookie(path, cookie, { method: 'POST' }));
    expect(noOrigin.status).toBe(403);
    const foreign = await callWorker(withCookie(path, cookie, { method: 'POST', headers: { origin: 'https://evil.test' } }));
    expect(foreign.status).toBe(403);
    const sibling = await callWorker(withCookie(path, cookie, { method: 'POST', headers: { origin: 'https://shop.gateway.test' } }));
    expect(sibling.status).toBe(403);
    const own = await callWorker(withCookie(path, cookie, { method: 'POST', headers: { origin: HTTPS_BASE } }));
    expect(own.status).toBe(404); // authorized: the order simply does not exist
  });

  it('a wrong Bearer header is judged alone, even with a valid cookie', async () => {
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    const response = await callWorker(withCookie('/admin/dead-letters', cookie, { headers: { authorization: 'Bearer wrong-token-wrong-token' } }));
    expect(response.status).toBe(401);
  });

  it('rotating ADMIN_TOKEN ends every session', async () => {
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    expect((await callWorker(withCookie('/admin/dead-letters', cookie))).status).toBe(200);
    const rotated = await callWorker(withCookie('/admin/dead-letters', cookie), { ADMIN_TOKEN: 'a-brand-new-admin-token-0123456789' });
    expect(rotated.status).toBe(401);
  });

  it('sessions expire', async () => {
    const token = TEST_ONLY_ADMIN_TOKEN;
    const value = await mintSession(token, Date.now());
    expect(await checkSession(value, token)).toMatchObject({ ok: true });
    expect(await checkSession(value, token, Date.now() + SESSION_TTL_SECONDS * 1000 + 1_000)).toEqual({ ok: false, reason: 'expired' });
    // A MAC-valid cookie dated further ahead than one lifetime was not minted for now.
    const future = await mintSession(token, Date.now() + 2 * SESSION_TTL_SECONDS * 1000);
    expect(await checkSession(future, token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('bearer requests count against ADMIN_API_LIMITER per client address, right token or wrong: 429 after 300 a minute', async () => {
    const ip = freshClientIp();
    const fromIp = (token: string) => {
      const request = adminRequest('/admin/dead-letters', {}, token);
      request.headers.set('cf-connecting-ip', ip);
      return callWorker(request);
    };
    for (let i = 0; i < 300; i++) expect((await fromIp('wrong-token-wrong-token-wrong-tok')).status).toBe(401);
    // Over the limit, the right token gets no answer about itself either: guessing gains nothing.
    const limited = await fromIp(TEST_ONLY_ADMIN_TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    const consolePage = new Request(`${HTTPS_BASE}/admin/`, { headers: { authorization: `Bearer ${TEST_ONLY_ADMIN_TOKEN}`, 'cf-connecting-ip': ip }, redirect: 'manual' });
    expect((await callWorker(consolePage)).status).toBe(302); // the console page is no oracle either: to the sign-in form
    // Another address, and a signed-in browser from this one, are not affected.
    const other = adminRequest('/admin/dead-letters');
    other.headers.set('cf-connecting-ip', freshClientIp());
    expect((await callWorker(other)).status).toBe(200);
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    const signedIn = withCookie('/admin/dead-letters', cookie);
    signedIn.headers.set('cf-connecting-ip', ip);
    expect((await callWorker(signedIn)).status).toBe(200);
  });

  it('the console and the API answer over https only, except on loopback', async () => {
    const page = await callWorker(new Request('http://gateway.test/admin/?lang=en', { redirect: 'manual' }));
    expect(page.status).toBe(308);
    expect(page.headers.get('location')).toBe('https://gateway.test/admin/?lang=en');
    const withToken = await callWorker(new Request('http://gateway.test/admin/dead-letters', { headers: { authorization: `Bearer ${TEST_ONLY_ADMIN_TOKEN}` } }));
    expect(withToken.status).toBe(403);
    expect(await withToken.text()).toMatch(/https only/);
    const form = await callWorker(signInRequest(undefined, { base: 'http://gateway.test' }));
    expect(form.status).toBe(403);
    expect(form.headers.get('set-cookie')).toBeNull();
    expect((await callWorker(signInRequest(undefined, { base: LOOPBACK_BASE }))).status).toBe(303);
  });

  it('authorizeAdmin: bearer, session, and 401 when ADMIN_TOKEN is not set', async () => {
    const config = await gatewayConfig();
    expect(await authorizeAdmin(adminRequest('/admin/x'), config)).toEqual({ ok: true, via: 'bearer' });
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    expect(await authorizeAdmin(withCookie('/admin/x', cookie), config)).toEqual({ ok: true, via: 'session' });
    expect(await authorizeAdmin(withCookie('/admin/x', cookie, { method: 'DELETE' }), config)).toMatchObject({ ok: false, status: 403 });
    expect(await authorizeAdmin(adminRequest('/admin/x'), { ...config, adminToken: null })).toMatchObject({ ok: false, status: 401 });
  });
});

describe('admin auth: the sign-in form', () => {
  it('a wrong token gets 401 and the form again, and no cookie', async () => {
    const response = await callWorker(signInRequest('wrong-token-wrong-token-wrong'));
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('name="token"');
    expect(logs.lines).toEqual([expect.objectContaining({ msg: 'admin-sign-in', outcome: 'wrong-token' })]);
    expect(JSON.stringify(logs.lines)).not.toContain('wrong-token-wrong-token-wrong');
  });

  it('refuses a form from another origin, a body over 2 KiB, another content type, and an absurd token', async () => {
    expect((await callWorker(signInRequest(undefined, { origin: 'https://evil.test' }))).status).toBe(403);
    const big = await callWorker(signInRequest(undefined, { body: `token=${TEST_ONLY_ADMIN_TOKEN}&pad=${'x'.repeat(3000)}` }));
    expect(big.status).toBe(400);
    expect(big.headers.get('set-cookie')).toBeNull();
    const json = signInRequest();
    const asJson = new Request(json, { headers: { ...Object.fromEntries(json.headers), 'content-type': 'application/json' } });
    expect((await callWorker(asJson)).status).toBe(400);
    expect((await callWorker(signInRequest('x'.repeat(600)))).status).toBe(400);
  });

  it('a form without Origin (curl) still works: the token itself is the proof', async () => {
    expect((await callWorker(signInRequest(undefined, { origin: null }))).status).toBe(303);
  });

  it('each client address gets 10 attempts a minute, right or wrong (429 after)', async () => {
    const ip = freshClientIp();
    for (let i = 0; i < 10; i++) expect((await callWorker(signInRequest('wrong-token-wrong-token-wrong', { ip }))).status).toBe(401);
    const limited = await callWorker(signInRequest(undefined, { ip }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('set-cookie')).toBeNull();
    // Another address is not affected.
    expect((await callWorker(signInRequest())).status).toBe(303);
  });

  it('signing out deletes the cookie (same origin only)', async () => {
    const cookie = cookieFrom(await callWorker(signInRequest()))!;
    const foreign = await callWorker(withCookie('/admin/session/logout', cookie, { method: 'POST', headers: { origin: 'https://evil.test' } }));
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const out = await callWorker(withCookie('/admin/session/logout', cookie, { method: 'POST', headers: { origin: HTTPS_BASE } }));
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/session?signed_out=1');
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-gw_admin=; .*Max-Age=0/);
  });

  it('the console and its sign-in do not exist while ADMIN_TOKEN is unset', async () => {
    for (const request of [new Request(`${HTTPS_BASE}/admin/`), new Request(`${HTTPS_BASE}/admin/session`), new Request(`${HTTPS_BASE}/admin/assets/app.js`), signInRequest()]) {
      expect((await callWorker(request, { ADMIN_TOKEN: undefined })).status, request.url).toBe(404);
    }
  });
});
