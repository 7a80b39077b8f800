// Every order the gateway acknowledges is reachable through the admin API over real HTTP, through
// every URL parser on the way (the client's, wrangler dev's proxy, workerd, itty-router), whatever
// its out_trade_no: `..`, `.`, `%2F`, `%2E%2E`, slashes, spaces, CJK... An id the admin API could
// not name is refused before it is acknowledged (out_trade_no over Alipay's 64 characters).
import { request as httpRequest } from 'node:http';
import { expect, test } from 'vitest';
import { MAX_OUT_TRADE_NO_CHARS, adminPathOf, idSegment, orderKey } from '../../src/orders/order-key';
import { AWKWARD_IDS } from '../support/awkward-ids';
import { adminGet, postNotification, stack } from './client';
import { fetchWithin } from './harness';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';
import { paidNotification } from '../support/notifications';

async function admin(path: string, method = 'GET'): Promise<{ status: number; body: { outTradeNo?: string; orderKey?: string; error?: string } }> {
  const { gatewayUrl, adminToken } = stack();
  const { status, text } = method === 'GET' ? await adminGet(path) : await fetchWithin(`${gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${adminToken}` } }, 30_000);
  return { status, body: JSON.parse(text) as { outTradeNo?: string } };
}

/** A GET whose path is sent byte for byte as given: no client-side URL normalization. */
function rawGet(path: string): Promise<number> {
  const { gatewayUrl, adminToken } = stack();
  const url = new URL(gatewayUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${adminToken}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('an order acknowledged with any awkward out_trade_no is shown and redelivered at its adminPathOf', async () => {
  const acknowledged: string[] = [];
  for (const id of AWKWARD_IDS.filter((id) => id !== '')) {
    const { params, body } = await paidNotification({ out_trade_no: id });
    const reply = await postNotification(body);
    if (reply.body !== 'success') {
      // Refused up front, with a reason: never acknowledged and then out of reach.
      expect([id, reply.status, reply.body]).toEqual([id, 400, expect.stringMatching(/^fail: \S+/)]);
      continue;
    }
    acknowledged.push(id);
    const path = adminPathOf(orderKey(TEST_APP_ID, params.out_trade_no!));
    const shown = await admin(path);
    expect([id, path, shown.status, shown.body.outTradeNo]).toEqual([id, path, 200, id]);
    const redelivered = await admin(`${path}/redeliver`, 'POST');
    expect([id, redelivered.status, redelivered.body.orderKey]).toEqual([id, 200, orderKey(TEST_APP_ID, id)]);
  }
  console.log(`acknowledged and reachable: ${acknowledged.map((id) => JSON.stringify(id)).join(' ')}`);
  expect(acknowledged.length).toBeGreaterThan(0);
});

test('dot segments never reach an order unescaped, even sent raw: the URL parsers resolve them first', async () => {
  const { params, body } = await paidNotification({ out_trade_no: '..' });
  if ((await postNotification(body)).body !== 'success') return; // refused up front: nothing to reach
  const base = `/admin/orders/${TEST_APP_ID}`;
  // What a client would write by hand: resolved to /admin/orders/ (or above) before the router sees it.
  for (const path of [`${base}/..`, `${base}/%2E%2E`, `${base}/.%2e`]) expect([path, await rawGet(path)]).toEqual([path, 404]);
  // The escaped form reaches it.
  expect(await rawGet(`${base}/${idSegment(params.out_trade_no!)}`)).toBe(200);
  // %2F stays inside one segment all the way.
  const slash = await paidNotification({ out_trade_no: 'a/b' });
  if ((await postNotification(slash.body)).body === 'success') expect(await rawGet(`${base}/a%2Fb`)).toBe(200);
});

test('an out_trade_no longer than Alipay allows is refused before it is acknowledged; the admin API says why it cannot exist', async () => {
  const { body } = await paidNotification({ out_trade_no: 'T'.repeat(2060) });
  const reply = await postNotification(body);
  expect(reply).toEqual({ status: 400, body: 'fail: invalid-field' });
  const tooLong = await admin(`/admin/orders/${TEST_APP_ID}/${'T'.repeat(MAX_OUT_TRADE_NO_CHARS + 1)}`);
  expect(tooLong.status).toBe(400);
  expect(tooLong.body.error).toMatch(/longer than 64 characters/);
});
