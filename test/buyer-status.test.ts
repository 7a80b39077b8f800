// GET /alipay/status: a signed link (HMAC-SHA256 with STATUS_SECRET over app_id.out_trade_no.exp)
// gets { status, amount, paidAt } and nothing about the buyer; the same URL as a WebSocket is
// pushed the status the moment a notification is recorded.
import { describe, expect, it, vi } from 'vitest';
import { TEST_ONLY_STATUS_SECRET } from './fixtures/gateway-test-keys';
import { callWorker, mockOrigin, postNotify } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';
import { withWrongSig } from './support/wrong-sig';


const STATUS_SECRET = TEST_ONLY_STATUS_SECRET;
const SHOP = 'https://shop.example.com';
const SETTINGS = { STATUS_SECRET, STATUS_ALLOWED_ORIGINS: `${SHOP}, http://127.0.0.1:8788` };

/** The merchant page's side, written independently of src/: WebCrypto HMAC, lowercase hex. */
async function sign(appId: string, outTradeNo: string, exp: number, secret = STATUS_SECRET): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${appId}.${outTradeNo}.${exp}`)));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function statusUrl(appId: string, outTradeNo: string, { exp = Math.floor(Date.now() / 1000) + 600, secret = STATUS_SECRET } = {}): Promise<string> {
  const query = new URLSearchParams({ app_id: appId, out_trade_no: outTradeNo, exp: String(exp), sig: await sign(appId, outTradeNo, exp, secret) });
  return `https://gateway.test/alipay/status?${query}`;
}

function getStatus(url: string, headers: Record<string, string> = {}, settings: Record<string, unknown> = SETTINGS): Promise<Response> {
  return callWorker(new Request(url, { headers }), settings);
}

/** Opens the live status socket and collects what it is sent. */
async function watch(url: string): Promise<{ messages: unknown[]; closed: Promise<{ code: number; reason: string }>; ws: WebSocket }> {
  const response = await getStatus(url, { upgrade: 'websocket' });
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  const messages: unknown[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(e.data as string));
  });
  ws.accept();
  return { messages, closed, ws };
}

describe('GET /alipay/status', () => {
  it('404 while STATUS_SECRET is unset, however the link is made', async () => {
    const params = tradeParams();
    const response = await getStatus(await statusUrl(params['app_id']!, params['out_trade_no']!), {}, {});
    expect(response.status).toBe(404);
  });

  it('waiting for an order not seen yet, then paid with its amount and time, and nothing about the buyer', async () => {
    mockOrigin();
    const params = tradeParams({ buyer_id: '2088102122524333', buyer_logon_id: 'buyer@example.com', total_amount: '88.8' });
    const url = await statusUrl(params['app_id']!, params['out_trade_no']!);
    const before = await getStatus(url);
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toBe('no-store');
    expect(await before.json()).toEqual({ status: 'unknown', amount: null, paidAt: null });

    await postNotify(await signedNotification(params));
    const after = await getStatus(url);
    const text = await after.text();
    expect(JSON.parse(text)).toEqual({ status: 'paid', amount: '88.80', paidAt: expect.stringMatching(/Z$/) });
    for (const secret of ['2088102122524333', 'buyer@example.com', params['trade_no']!, params['subject']!]) expect(text).not.toContain(secret);
  });

  it('403 for a wrong, expired, tampered or incomplete link', async () => {
    const params = tradeParams();
    const app = params['app_id']!;
    const order = params['out_trade_no']!;
    const good = new URL(await statusUrl(app, order));
    const cases: [string, string][] = [
      ['other secret', await statusUrl(app, order, { secret: 'another-secret-of-at-least-32-characters!!' })],
      ['expired', await statusUrl(app, order, { exp: Math.floor(Date.now() / 1000) - 1 })],
      ['other order', good.href.replace(`out_trade_no=${order}`, `out_trade_no=${order}x`)],
      ['later expiry', good.href.replace(/exp=\d+/, (m) => `exp=${Number(m.slice(4)) + 1}`)],
      ['no sig', good.href.replace(/&sig=[0-9a-f]+/, '')],
      ['short sig', good.href.replace(/sig=[0-9a-f]+/, (m) => m.slice(0, -2))],
      ['letters app id', good.href.replace(`app_id=${app}`, 'app_id=abc')],
    ];
    for (const [what, url] of cases) {
      const response = await getStatus(url);
      expect([what, response.status]).toEqual([what, 403]);
      const body = (await response.json()) as { ok: boolean; error: string };
      expect(body.ok).toBe(false);
      expect(body.error).not.toContain(order);
    }
    // Upper-case hex is the same signature.
    expect((await getStatus(good.href.replace(/sig=([0-9a-f]+)/, (_m, hex: string) => `sig=${hex.toUpperCase()}`))).status).toBe(200);
  });

  it('CORS: only the allowed origins may read it', async () => {
    const params = tradeParams();
    const url = await statusUrl(params['app_id']!, params['out_trade_no']!);
    const allowed = await getStatus(url, { origin: SHOP });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await getStatus(url, { origin: 'https://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const denied = await getStatus(withWrongSig(url), { origin: SHOP });
    expect([denied.status, denied.headers.get('access-control-allow-origin')]).toEqual([403, SHOP]);
    const preflight = await callWorker(new Request(url, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'GET' } }), SETTINGS);
    expect([preflight.status, preflight.headers.get('access-control-allow-origin'), preflight.headers.get('access-control-allow-methods')]).toEqual([204, SHOP, 'GET']);
    // No body at all (not an empty one: the Fetch standard allows none with 204, and workerd warns).
    expect([preflight.body, preflight.headers.get('content-type')]).toEqual([null, null]);
    expect((await callWorker(new Request(url, { method: 'POST' }), SETTINGS)).status).toBe(405);
  });
});

describe('a page of the gateway\'s own origin, without STATUS_ALLOWED_ORIGINS', () => {
  // The merchant routes the Worker in front of the site (or its /alipay/ paths), so the "thank you"
  // page and the status endpoint share an origin: reading it is not cross-site, nothing to configure.
  const OWN = 'https://gateway.test'; // the origin statusUrl() makes its requests to
  const UNLISTED = { STATUS_SECRET };

  it('gets the live socket and CORS alike; any other origin gets neither', async () => {
    const params = tradeParams();
    const url = await statusUrl(params['app_id']!, params['out_trade_no']!);
    const socket = await getStatus(url, { upgrade: 'websocket', origin: OWN }, UNLISTED);
    expect(socket.status).toBe(101);
    socket.webSocket!.accept();
    socket.webSocket!.close(1000);
    const polled = await getStatus(url, { origin: OWN }, UNLISTED);
    expect([polled.status, polled.headers.get('access-control-allow-origin')]).toEqual([200, OWN]);
    const preflight = await callWorker(new Request(url, { method: 'OPTIONS', headers: { origin: OWN, 'access-control-request-method': 'GET' } }), UNLISTED);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(OWN);

    // Another scheme, port or host is another origin; so is a listed origin's neighbour.
    for (const other of ['http://gateway.test', 'https://gateway.test:8443', 'https://shop.gateway.test', 'https://evil.example', 'null']) {
      expect([other, (await getStatus(url, { upgrade: 'websocket', origin: other }, UNLISTED)).status]).toEqual([other, 403]);
      expect([other, (await getStatus(url, { origin: other }, UNLISTED)).headers.get('access-control-allow-origin')]).toEqual([other, null]);
    }
  });

  it('is judged by the URL the request was made to, never by a Host or X-Forwarded-Host header that names the page\'s origin', async () => {
    const params = tradeParams();
    const url = await statusUrl(params['app_id']!, params['out_trade_no']!);
    const spoofed = { origin: 'https://evil.example', host: 'evil.example', 'x-forwarded-host': 'evil.example' };
    expect((await getStatus(url, { ...spoofed, upgrade: 'websocket' }, UNLISTED)).status).toBe(403);
    expect((await getStatus(url, spoofed, UNLISTED)).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('live status over a WebSocket', () => {
  it('sends the status at once, then again the moment a notification changes it (and not for a re-send)', async () => {
    mockOrigin();
    const params = tradeParams({ trade_status: 'WAIT_BUYER_PAY', total_amount: '12.00' });
    const { messages, ws } = await watch(await statusUrl(params['app_id']!, params['out_trade_no']!));
    await vi.waitFor(() => expect(messages).toEqual([{ status: 'unknown', amount: null, paidAt: null }]), { timeout: 10_000 });

    await postNotify(await signedNotification(params));
    await vi.waitFor(() => expect(messages).toHaveLength(2), { timeout: 10_000 });
    expect(messages[1]).toEqual({ status: 'waiting', amount: '12.00', paidAt: null });

    const paid = { ...params, trade_status: 'TRADE_SUCCESS', notify_id: uniqueId('nid') };
    const paidBody = await signedNotification(paid);
    await postNotify(paidBody);
    await vi.waitFor(() => expect(messages).toHaveLength(3), { timeout: 10_000 });
    expect(messages[2]).toEqual({ status: 'paid', amount: '12.00', paidAt: expect.stringMatching(/Z$/) });

    await postNotify(paidBody); // a re-send: nothing new to say
    const refund = { ...paid, notify_id: uniqueId('nid'), refund_fee: '12.00', out_biz_no: 'R1', gmt_refund: params['notify_time']! };
    await postNotify(await signedNotification(refund));
    await vi.waitFor(() => expect(messages).toHaveLength(4), { timeout: 10_000 });
    expect(messages[3]).toMatchObject({ status: 'refunded' });
    ws.close(1000, 'bye');
  });

  it('several pages watching the same order all hear it', async () => {
    mockOrigin();
    const params = tradeParams();
    const url = await statusUrl(params['app_id']!, params['out_trade_no']!);
    const tabs = [await watch(url), await watch(url)];
    await postNotify(await signedNotification(params));
    for (const tab of tabs) await vi.waitFor(() => expect(tab.messages.at(-1)).toMatchObject({ status: 'paid' }), { timeout: 10_000 });
    for (const tab of tabs) tab.ws.close(1000);
  });

  it('a link that has expired is closed at the next change, after that change is sent; a bad link or another origin gets no socket', async () => {
    mockOrigin();
    const params = tradeParams();
    const exp = Math.floor(Date.now() / 1000) + 1;
    const { closed, messages } = await watch(await statusUrl(params['app_id']!, params['out_trade_no']!, { exp }));
    await vi.waitFor(() => expect(messages).toHaveLength(1), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    await postNotify(await signedNotification(params));
    expect(await closed).toMatchObject({ code: 1008 });
    // The buyer still hears the news that found the link expired (the page may then mint a new link).
    expect(messages).toEqual([expect.objectContaining({ status: 'unknown' }), expect.objectContaining({ status: 'paid' })]);

    const good = await statusUrl(params['app_id']!, params['out_trade_no']!);
    expect((await getStatus(withWrongSig(good), { upgrade: 'websocket' })).status).toBe(403);
    expect((await getStatus(good, { upgrade: 'websocket', origin: 'https://evil.example' })).status).toBe(403);
    expect((await getStatus(good, { upgrade: 'websocket', origin: SHOP })).status).toBe(101);
  });

  it('sockets of expired links do not keep a buyer out: the 64 slots are counted after closing them', async () => {
    const params = tradeParams();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const stale = await statusUrl(params['app_id']!, params['out_trade_no']!, { exp });
    const sockets = [];
    for (let i = 0; i < 64; i++) sockets.push(await watch(stale));
    expect((await getStatus(stale, { upgrade: 'websocket' })).status).toBe(429); // the 65th while all are valid
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    const fresh = await watch(await statusUrl(params['app_id']!, params['out_trade_no']!));
    for (const s of sockets) expect(await s.closed).toMatchObject({ code: 1008 });
    fresh.ws.close(1000);
  });

  it('a watcher that sends anything is closed (1003): the socket only carries the status to the page', async () => {
    const params = tradeParams();
    const { ws, closed, messages } = await watch(await statusUrl(params['app_id']!, params['out_trade_no']!));
    await vi.waitFor(() => expect(messages).toHaveLength(1), { timeout: 10_000 });
    ws.send('x'.repeat(1000));
    expect(await closed).toMatchObject({ code: 1003 });
  });
});
