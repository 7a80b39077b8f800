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

  it('reports a network error', async () => {
    const outcome = await attemptDelivery(request, async () => {
      throw new TypeError('Network connection lost.');
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'network-error' });
    if (!outcome.ok) expect(outcome.hint).toContain('Network connection lost');
  });
});
