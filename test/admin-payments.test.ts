// The JSON admin API over the payments index: history (newest first, filters, cursor, exact
// search), totals, series, and the order page's timeline.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { base64Decode } from '../src/utils/base64';
import { sha256Hex } from '../src/utils/hex';
import { TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import type { GatewayEnv } from '../src/env';
import { adminRequest, callWorker, gatewayEnv, ledger, mockOrigin, orderKeyOf, postNotify, runRetryNow, settled, unreachablePaymentsIndex, waitForIndexedRow } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';


async function getJson(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await callWorker(adminRequest(path, init));
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** Pays (or otherwise notifies) a fresh order and waits for its index row. */
async function notify(overrides: Record<string, string> = {}, expected: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const params = tradeParams(overrides);
  expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
  await settled(orderKeyOf(params));
  await waitForIndexedRow(orderKeyOf(params), expected);
  return params;
}

/** A window holding only what this test creates (storage is shared by the tests of a file). */
function windowSince(start: number): string {
  return `from=${new Date(start).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
}

describe('GET /admin/api/payments', () => {
  it('lists orders newest first with amounts in cents and text, status, delivery and the order page path', async () => {
    mockOrigin();
    const start = Date.now();
    const first = await notify({ total_amount: '88.80', out_trade_no: uniqueId('T/1 ') }, { status: 'paid' });
    const second = await notify({ total_amount: '0.5', trade_status: 'WAIT_BUYER_PAY' }, { status: 'waiting' });
    const { status, body, headers } = await getJson(`/admin/api/payments?${windowSince(start)}`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('content-type')).toContain('application/json');
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((i: any) => i.outTradeNo)).toEqual([second['out_trade_no'], first['out_trade_no']]);
    expect(body.items[1]).toEqual({
      orderKey: orderKeyOf(first),
      appId: first['app_id'],
      outTradeNo: first['out_trade_no'],
      tradeNo: first['trade_no'],
      subject: first['subject'],
      totalCents: 8880,
      total: '88.80',
      status: 'paid',
      refundedCents: 0,
      refunded: '0.00',
      delivery: 'delivered',
      firstSeenAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      paidAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
      lastError: null,
      adminPath: `/admin/orders/${first['app_id']}/${encodeURIComponent(first['out_trade_no']!)}`,
    });
    expect(body.items[0]).toMatchObject({ status: 'waiting', delivery: 'not-forwarded', totalCents: 50, total: '0.50', paidAt: null });
    // The path it gives leads to the order.
    expect((await callWorker(adminRequest(body.items[1].adminPath))).status).toBe(200);
  });

  it('filters by status and delivery state, and pages with a cursor', async () => {
    mockOrigin((call) => (call.outTradeNo?.startsWith('Tfail') ? new Response('down', { status: 502 }) : new Response('success')));
    const start = Date.now();
    const paid = [await notify({}, { status: 'paid' }), await notify({}, { status: 'paid' }), await notify({}, { status: 'paid' })];
    const closed = await notify({ trade_status: 'TRADE_CLOSED' }, { status: 'closed' });
    const failing = await notify({ out_trade_no: uniqueId('Tfail') }, { delivery: 'pending' });
    const window = windowSince(start);

    const onlyClosed = await getJson(`/admin/api/payments?${window}&status=closed`);
    expect(onlyClosed.body.items.map((i: any) => i.outTradeNo)).toEqual([closed['out_trade_no']]);
    const pending = await getJson(`/admin/api/payments?${window}&delivery=pending,dead`);
    expect(pending.body.items).toEqual([expect.objectContaining({ outTradeNo: failing['out_trade_no'], lastError: expect.stringContaining('502') })]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: any } = await getJson(`/admin/api/payments?${window}&status=paid&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: any) => i.outTradeNo));
      cursor = page.body.nextCursor;
    } while (cursor !== null && seen.length < 10);
    // The failing order is paid too (its delivery is what is pending).
    expect(seen).toEqual([failing, paid[2]!, paid[1]!, paid[0]!].map((p) => p['out_trade_no']));
  });

  it('finds an order by out_trade_no straight from its ledger (even when the index cannot answer) and by trade_no', async () => {
    mockOrigin();
    const params = tradeParams({ trade_status: 'TRADE_CLOSED' });
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    const request = adminRequest(`/admin/api/payments?q=${encodeURIComponent(params['out_trade_no']!)}`);
    const byOutTradeNo = await callWorker(request, unreachablePaymentsIndex());
    expect(await byOutTradeNo.json()).toMatchObject({
      ok: true,
      items: [expect.objectContaining({ orderKey: key, status: 'closed' })],
      nextCursor: null,
      // The index part of the search failed: the answer says so rather than hiding it.
      warning: expect.stringContaining('index'),
    });
    const other = await notify({}, { status: 'paid' });
    const byTradeNo = await getJson(`/admin/api/payments?q=${other['trade_no']}`);
    expect(byTradeNo.body.items).toEqual([expect.objectContaining({ outTradeNo: other['out_trade_no'], tradeNo: other['trade_no'] })]);
    // Filters still apply to what the search finds.
    expect((await getJson(`/admin/api/payments?q=${other['trade_no']}&status=closed`)).body.items).toEqual([]);
    expect((await getJson(`/admin/api/payments?q=${uniqueId('nothing')}`)).body.items).toEqual([]);
    // An exact out_trade_no is found whatever the date range (the console always sends one, 30 days
    // by default); a trade_no search stays within the range it was given.
    const longAgo = 'from=2020-01-01&to=2020-01-31';
    expect((await getJson(`/admin/api/payments?q=${other['out_trade_no']}&${longAgo}`)).body.items).toEqual([expect.objectContaining({ outTradeNo: other['out_trade_no'] })]);
    expect((await getJson(`/admin/api/payments?q=${other['trade_no']}&${longAgo}`)).body.items).toEqual([]);
  });

  it('a search whose ledger call fails answers what the index found, with a warning naming the ledger', async () => {
    mockOrigin();
    const other = await notify({}, { status: 'paid' });
    // Every ledger call fails on the caller's side, as when an object is overloaded or being reset.
    const namespace = gatewayEnv.ORDER_LEDGER;
    const failingLedgers = {
      idFromName: (name: string) => namespace.idFromName(name),
      get: () => ({ indexRow: () => Promise.reject(new Error('Network connection lost.')) }),
    } as unknown as GatewayEnv['ORDER_LEDGER'];
    const response = await callWorker(adminRequest(`/admin/api/payments?q=${other['trade_no']}`), { ORDER_LEDGER: failingLedgers });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      items: [expect.objectContaining({ outTradeNo: other['out_trade_no'] })],
      warning: `the ledger of ${orderKeyOf({ ...other, out_trade_no: other['trade_no']! })} did not answer: out_trade_no was not looked up there`,
    });
  });

  it('a search for an out_trade_no that was never recorded writes nothing to its ledger, which still records it later', async () => {
    mockOrigin();
    const params = tradeParams({ out_trade_no: uniqueId('never') });
    const key = orderKeyOf(params);
    expect((await getJson(`/admin/api/payments?q=${params['out_trade_no']}`)).body.items).toEqual([]);
    expect((await getJson(`/admin/orders/${params['app_id']}/${params['out_trade_no']}`)).status).toBe(404);
    // An operator's redelivery, release or refusal of that number finds nothing, and creates nothing either.
    for (const action of ['redeliver', 'release', 'refuse']) {
      const path = `/admin/orders/${params['app_id']}/${params['out_trade_no']}/${action}`;
      expect((await callWorker(adminRequest(path, { method: 'POST' }))).status, action).toBe(404);
    }
    // The ledger the search asked: no tables, so no empty database left behind for every number looked up.
    const tables = await runInDurableObject(ledger(key), (_i, state) =>
      state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`).toArray(),
    );
    expect(tables).toEqual([]);
    await postNotify(await signedNotification(params));
    await waitForIndexedRow(key, { status: 'paid' });
    expect((await getJson(`/admin/api/payments?q=${params['out_trade_no']}`)).body.items).toEqual([expect.objectContaining({ orderKey: key, status: 'paid' })]);
  });

  it('a ledger whose first schema creation failed (schema_versions left behind, empty) creates it at the next write', async () => {
    mockOrigin();
    const params = tradeParams({ out_trade_no: uniqueId('half') });
    const key = orderKeyOf(params);
    // What a failed first creation left before the versions table moved into its transaction: that table, empty, and nothing else.
    await runInDurableObject(ledger(key), (_i, state) => state.storage.sql.exec('CREATE TABLE schema_versions (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)'));
    expect((await getJson(`/admin/api/payments?q=${params['out_trade_no']}`)).body.items).toEqual([]);
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    await waitForIndexedRow(key, { status: 'paid' });
  });

  it('400 for an impossible calendar date in from or to, instead of rolling over into the next month', async () => {
    for (const query of ['from=2026-02-30', 'to=2026-02-29', 'from=2026-04-31T08:00:00Z', 'from=2026-02-01&to=2026-02-31T23:59:59%2B08:00']) {
      for (const route of ['payments', 'totals', 'series']) {
        const { status, body } = await getJson(`/admin/api/${route}?${query}`);
        expect([route, query, status]).toEqual([route, query, 400]);
        expect(body.error).toMatch(/(from|to) .*not a date on the calendar/);
      }
    }
    // A leap day is a real date.
    expect((await getJson('/admin/api/totals?from=2024-02-29&to=2024-03-01')).status).toBe(200);
  });

  it('400 for parameters it cannot honour, saying what is allowed', async () => {
    for (const query of [
      'status=paid,unpaid',
      'delivery=lost',
      'limit=0',
      'limit=201',
      'limit=ten',
      'from=yesterday',
      'from=2026-05-02&to=2026-05-01',
      'cursor=not-a-cursor!',
      `q=${'x'.repeat(65)}`,
    ]) {
      const { status, body } = await getJson(`/admin/api/payments?${query}`);
      expect([query, status, body.ok]).toEqual([query, 400, false]);
      expect(typeof body.error).toBe('string');
    }
    const tooLong = await getJson('/admin/api/totals?from=2020-01-01&to=2026-01-01');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toContain('months');
  });
});

describe('GET /admin/api/totals and /series', () => {
  it('totals count the range and add paid and refunded amounts; series buckets them', async () => {
    mockOrigin();
    const start = Date.now();
    await notify({ total_amount: '10.00' }, { status: 'paid' });
    await notify({ total_amount: '2.50' }, { status: 'paid' });
    const refunded = tradeParams({ total_amount: '5.00' });
    await postNotify(await signedNotification(refunded));
    await postNotify(await signedNotification({ ...refunded, notify_id: uniqueId('nid'), refund_fee: '1.25', out_biz_no: 'R1', gmt_refund: '2026-05-01 10:00:00' }));
    await settled(orderKeyOf(refunded));
    await waitForIndexedRow(orderKeyOf(refunded), { status: 'partially-refunded' });
    await notify({ total_amount: '99.00', trade_status: 'WAIT_BUYER_PAY' }, { status: 'waiting' });
    const window = windowSince(start);

    expect((await getJson(`/admin/api/totals?${window}`)).body).toEqual({
      ok: true,
      count: 4,
      paidCents: 1750,
      paid: '17.50',
      refundedCents: 125,
      refunded: '1.25',
    });
    expect((await getJson(`/admin/api/totals?${window}&status=waiting`)).body).toMatchObject({ count: 1, paidCents: 0 });

    const series = await getJson(`/admin/api/series?${window}&bucket=hour`);
    expect(series.body.bucket).toBe('hour');
    const points = series.body.points as { start: string; count: number; paidCents: number }[];
    expect(points.reduce((n, p) => n + p.count, 0)).toBe(4);
    expect(points.reduce((n, p) => n + p.paidCents, 0)).toBe(1750);
    for (const p of points) expect(Date.parse(p.start) % 3_600_000).toBe(0);
    const days = await getJson(`/admin/api/series?${window}&bucket=day`);
    for (const p of days.body.points) expect((Date.parse(p.start) - 16 * 3_600_000) % 86_400_000).toBe(0);
    expect((await getJson(`/admin/api/series?${window}&bucket=week`)).status).toBe(400);
    expect((await getJson('/admin/api/series?from=2026-01-01&to=2026-12-01&bucket=hour')).status).toBe(400);
  });
});

describe('GET /admin/orders/:app/:out_trade_no timeline', () => {
  it('tells the order in time order: notifications with scheme and key, events, attempts with status, duration and answer', async () => {
    mockOrigin((_call, index) => (index === 0 ? new Response('busy, try later', { status: 503 }) : new Response('success')));
    const params = tradeParams({ buyer_id: '2088102122524333', buyer_logon_id: 'buyer@example.com' });
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    await runRetryNow(key);

    const response = await callWorker(adminRequest(`/admin/orders/${params['app_id']}/${params['out_trade_no']}`));
    const text = await response.text();
    const body = JSON.parse(text);
    const fingerprint = (await sha256Hex(base64Decode(TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64)!)).slice(0, 16);
    expect(body.timeline.map((e: any) => e.type)).toEqual(['notification', 'event', 'attempt', 'attempt']);
    expect(body.timeline[0]).toMatchObject({ type: 'notification', signType: 'RSA2', contentRule: 'v1', keyFingerprint: fingerprint, tradeStatus: 'TRADE_SUCCESS' });
    expect(body.timeline[1]).toMatchObject({ type: 'event', eventKey: 'paid', kind: 'paid', state: 'delivered', attempts: 2 });
    expect(body.timeline[2]).toMatchObject({ type: 'attempt', attempt: 1, status: 503, outcome: 'http-status', excerpt: 'busy, try later', durationMs: expect.any(Number) });
    expect(body.timeline[3]).toMatchObject({ type: 'attempt', attempt: 2, status: 200, outcome: 'delivered' });
    const times = body.timeline.map((e: any) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(body.notifications[0].keyFingerprint).toBe(fingerprint);
    for (const secret of ['2088102122524333', 'buyer@example.com']) expect(text).not.toContain(secret);
  });
});
