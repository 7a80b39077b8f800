// The operator API exists only when ADMIN_TOKEN is set, and only for the right Bearer token.
import { describe, expect, it } from 'vitest';
import { TEST_ONLY_ADMIN_TOKEN } from './fixtures/gateway-test-keys';
import { adminRequest, callWorker } from './support/gateway';

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
