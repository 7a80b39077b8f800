// One attempt: what counts as delivered, and how each origin failure is reported.
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../src/utils/bytes';
import { attemptDelivery, type AttemptRequest } from '../src/delivery/attempt';
import { hangingResponse } from './support/delivery';

const request: AttemptRequest = {
  url: 'https://origin.test/alipay/notify',
  body: utf8Encode('a=1'),
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  timeoutMs: 100,
  ackBody: 'success',
};

const answer = (body: string | null, init?: ResponseInit): typeof fetch => async () => new Response(body, init);

describe('attemptDelivery', () => {
  it('is delivered on 2xx with the ack body, surrounding whitespace ignored', async () => {
    const outcome = await attemptDelivery(request, answer('\r\nsuccess  \n'));
    expect(outcome).toMatchObject({ ok: true, status: 200 });
  });

  it('posts the exact body and headers', async () => {
    let seen: Request | undefined;
    await attemptDelivery(request, async (input, init) => {
      seen = new Request(input, init);
      return new Response('success');
    });
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe(request.url);
    expect(seen?.headers.get('content-type')).toBe(request.headers['content-type']);
    expect(new Uint8Array(await seen!.arrayBuffer())).toEqual(request.body);
  });

  it('accepts any 2xx body when no ack body is configured', async () => {
    expect((await attemptDelivery({ ...request, ackBody: null }, answer('{"ok":true}', { status: 202 }))).ok).toBe(true);
  });

  it('fails on a 2xx whose body is not the ack body', async () => {
    const outcome = await attemptDelivery(request, answer('<html>error</html>'));
    expect(outcome).toMatchObject({ ok: false, reason: 'wrong-ack', status: 200, excerpt: '<html>error</html>' });
  });

  it('fails on 5xx and keeps a short single-line excerpt', async () => {
    const outcome = await attemptDelivery(request, answer(`Server Error\n${'x'.repeat(5000)}`, { status: 500 }));
    expect(outcome).toMatchObject({ ok: false, reason: 'http-status', status: 500, retryAfterMs: null });
    if (!outcome.ok) {
      expect(outcome.excerpt.startsWith('Server Error x')).toBe(true);
      expect(outcome.excerpt.length).toBeLessThanOrEqual(201);
    }
  });

  it('reports Retry-After on 429', async () => {
    const outcome = await attemptDelivery(request, answer('slow down', { status: 429, headers: { 'retry-after': '120' } }));
    expect(outcome).toMatchObject({ ok: false, reason: 'http-status', status: 429, retryAfterMs: 120_000 });
  });

  it('does not follow redirects', async () => {
    const outcome = await attemptDelivery(request, answer(null, { status: 302, headers: { location: 'https://origin.test/new' } }));
    expect(outcome).toMatchObject({ ok: false, reason: 'http-status', status: 302 });
    if (!outcome.ok) expect(outcome.hint).toContain('https://origin.test/new');
  });

  it('times out an origin that never answers', async () => {
    const outcome = await attemptDelivery(request, (_input, init) => hangingResponse(init?.signal));
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout', status: null });
  });

  it('names the cause of a failed connection from what workerd throws, and the URL', async () => {
    // The two errors workerd throws (measured under wrangler dev; see src/delivery/connection-error.ts).
    const lost = async () => {
      throw new Error('Network connection lost.');
    };
    const internal = async () => {
      throw new Error('internal error; reference = 9jkd5rhm76ahqqa106g80luq');
    };
    const hintFor = async (url: string, fetchImpl: typeof fetch) => {
      const outcome = await attemptDelivery({ ...request, url }, fetchImpl);
      expect(outcome).toMatchObject({ ok: false, reason: 'network-error', status: null });
      return outcome.ok ? '' : outcome.hint;
    };
    expect(await hintFor('http://127.0.0.1:8788/notify', lost)).toMatch(/^connection refused .*127\.0\.0\.1:8788.*is the origin running/);
    expect(await hintFor('http://shop.invalid/notify', internal)).toMatch(/^DNS lookup failed: the host name shop\.invalid does not resolve/);
    expect(await hintFor('https://203.0.113.9/notify', internal)).toMatch(/^TLS handshake with 203\.0\.113\.9:443 failed/);
    expect(await hintFor('https://shop.example/notify', internal)).toMatch(/^DNS lookup or TLS handshake failed for shop\.example:443/);
    for (const hint of [await hintFor('http://127.0.0.1:8788/x', lost), await hintFor('https://shop.example/x', internal)]) {
      expect(hint).not.toMatch(/internal error|reference|Network connection lost/);
    }
  });

  it('reads the cause from errors that name it (Node fetch codes, clearer messages)', async () => {
    const failing = (error: unknown): typeof fetch => async () => {
      throw error;
    };
    const hintOf = async (error: unknown) => {
      const outcome = await attemptDelivery(request, failing(error));
      return outcome.ok ? '' : outcome.hint;
    };
    expect(await hintOf(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }))).toMatch(/^DNS lookup failed/);
    expect(await hintOf(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toMatch(/^connection refused/);
    expect(await hintOf(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }) }))).toMatch(/^TLS handshake/);
    expect(await hintOf(new Error('socket hang up'))).toMatch(/^the connection to origin\.test:443 was reset/);
    expect(await hintOf(new RangeError('something else entirely'))).toBe('could not reach origin.test:443: RangeError: something else entirely');
  });

  it('names a connection reset while the answer was being read', async () => {
    const outcome = await attemptDelivery(request, async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(utf8Encode('succ'));
          controller.error(new Error('Network connection lost.'));
        },
      });
      return new Response(body, { status: 200 });
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'network-error', status: 200 });
    if (!outcome.ok) expect(outcome.hint).toBe('the connection was reset while the origin was answering (HTTP 200)');
  });

  it("names Cloudflare's edge statuses: refused, timeouts, TLS, and DNS (530 with error 1016)", async () => {
    const hintFor = async (status: number, body = 'error') => {
      const outcome = await attemptDelivery(request, answer(body, { status }));
      expect(outcome).toMatchObject({ ok: false, reason: 'http-status', status });
      return outcome.ok ? '' : outcome.hint;
    };
    expect(await hintFor(521)).toMatch(/^connection refused/);
    expect(await hintFor(525)).toMatch(/^TLS handshake/);
    expect(await hintFor(530, '<html>... Error 1016 Origin DNS error ...</html>')).toMatch(/^DNS lookup failed/);
    expect(await hintFor(530)).toBe('the origin answered HTTP 530');
    expect(await hintFor(500)).toBe('the origin answered HTTP 500');
  });

  it('masks buyer identities in the excerpt of an error page that echoes the form', async () => {
    const page = 'Error: could not credit buyer_id=2088102122524333 buyer_logon_id=buyer@example.com (order T1)';
    const outcome = await attemptDelivery(request, answer(page, { status: 500 }));
    expect(outcome.excerpt).toBe('Error: could not credit buyer_id=2088********4333 buyer_logon_id=b***@example.com (order T1)');
  });

  it('masks buyer identities in a URL-encoded, JSON or free-text echo too', async () => {
    const echoes = [
      'fail: out_trade_no=T1&buyer_logon_id=alice%40126.com&buyer_open_id=074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5&total_amount=9.00',
      '{"error":"no credit","buyer_id":"2088102122524333","buyer_user_id": "2088102122520001","buyer_user_name":"张三"}',
      'call 13800138000 or write to someone%40example.com; buyer_id%3D2088102122524333',
    ];
    const excerpts = await Promise.all(echoes.map(async (page) => (await attemptDelivery(request, answer(page, { status: 500 }))).excerpt));
    const joined = excerpts.join('\n');
    for (const secret of ['alice', '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5', '2088102122524333', '2088102122520001', '张三', '13800138000', 'someone']) {
      expect(joined).not.toContain(secret);
    }
    expect(excerpts[0]).toBe(`fail: out_trade_no=T1&buyer_logon_id=a***@126.com&buyer_open_id=074a${'*'.repeat(39)}oCo5&total_amount=9.00`);
    expect(excerpts[1]).toContain('"buyer_user_name":"张**"');
    expect(excerpts[2]).toBe('call 138***00 or write to s***@example.com; buyer_id%3D2088********4333');
  });

  it('masks a long answer in linear time (bounded patterns)', async () => {
    const page = 'x'.repeat(4000) + ' buyer_id=2088102122524333';
    const outcome = await attemptDelivery(request, answer(page, { status: 500 }));
    expect(outcome.excerpt).toBe(`${'x'.repeat(200)}…`);
  });
});
