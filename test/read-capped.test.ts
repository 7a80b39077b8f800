// readBodyCapped: the size cap, the read deadline, and how an oversize or slow body is let go.
// Streams here count what was pulled from them and whether they were cancelled, so "drained, not
// cancelled" (what keeps wrangler dev's pooled connection usable) is asserted, not assumed.
import { describe, expect, it, vi } from 'vitest';
import { readBodyCapped } from '../src/utils/read-capped';

const LIMITS = { maxBytes: 1024, deadlineMs: 2_000 };

interface Probe {
  pulled: number;
  cancelled: boolean;
}

/** A stream of `chunks` chunks of `size` bytes, `delayMs` apart; `probe` records what happened to it. */
function countingStream(chunks: number, size: number, delayMs = 0): { stream: ReadableStream<Uint8Array>; probe: Probe } {
  const probe: Probe = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (probe.pulled === chunks) return controller.close();
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      probe.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      probe.cancelled = true;
    },
  }, { highWaterMark: 0 }); // nothing is pulled until someone reads
  return { stream, probe };
}

function post(body: ReadableStream<Uint8Array> | Uint8Array, headers: Record<string, string> = {}): Request {
  return new Request('https://gateway.test/alipay/notify', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe('readBodyCapped', () => {
  it('returns a body within the cap byte for byte', async () => {
    const body = new Uint8Array(1024).map((_, i) => i & 0xff);
    expect(await readBodyCapped(post(body), LIMITS)).toEqual({ ok: true, body });
  });

  it('an empty or missing body is an empty body', async () => {
    expect(await readBodyCapped(post(new Uint8Array(0)), LIMITS)).toEqual({ ok: true, body: new Uint8Array(0) });
    expect(await readBodyCapped(new Request('https://gateway.test/', { method: 'POST' }), LIMITS)).toEqual({ ok: true, body: new Uint8Array(0) });
  });

  it('a chunked body over the cap is refused, and read to its end rather than cancelled', async () => {
    const { stream, probe } = countingStream(40, 512); // 20 KiB against a 1 KiB cap
    const request = post(stream);
    expect(request.headers.get('content-length')).toBeNull();
    expect(await readBodyCapped(request, LIMITS)).toEqual({ ok: false, reason: 'too-large' });
    expect(probe).toEqual({ pulled: 40, cancelled: false });
  });

  it('a declared Content-Length over the cap is refused before anything is read', async () => {
    const { stream, probe } = countingStream(4, 512);
    expect(await readBodyCapped(post(stream, { 'content-length': '2048' }), LIMITS)).toEqual({ ok: false, reason: 'too-large' });
    expect(probe.pulled).toBe(0);
  });

  it('a body still arriving at the deadline is cut off: too-slow, and the stream is cancelled', async () => {
    const { stream, probe } = countingStream(1_000, 1, 20); // a byte every 20 ms, for 20 s
    const started = Date.now();
    expect(await readBodyCapped(post(stream), { maxBytes: 1024, deadlineMs: 300 })).toEqual({ ok: false, reason: 'too-slow' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(probe.cancelled).toBe(true);
    expect(probe.pulled).toBeLessThan(1_000);
  });

  it('a body already over the cap when the deadline comes is too-large, not too-slow', async () => {
    const { stream } = countingStream(1_000, 600, 20);
    expect(await readBodyCapped(post(stream), { maxBytes: 1024, deadlineMs: 300 })).toEqual({ ok: false, reason: 'too-large' });
  });

  it('a body that finishes before the deadline is read whole, however slowly it came', async () => {
    const { stream, probe } = countingStream(10, 1, 20);
    const result = await readBodyCapped(post(stream), { maxBytes: 1024, deadlineMs: 2_000 });
    expect(result).toEqual({ ok: true, body: new Uint8Array(10).fill(0x61) });
    expect(probe.cancelled).toBe(false);
  });

  it('a body with a declared length within the cap is read whole, and cut off at the deadline when it stalls', async () => {
    const body = new Uint8Array(700).map((_, i) => i & 0xff);
    expect(await readBodyCapped(post(body, { 'content-length': '700' }), LIMITS)).toEqual({ ok: true, body });
    const { stream } = countingStream(1_000, 1, 20);
    const started = Date.now();
    expect(await readBodyCapped(post(stream, { 'content-length': '1000' }), { maxBytes: 1024, deadlineMs: 300 })).toEqual({ ok: false, reason: 'too-slow' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('only a body with a declared length and no chunked framing is read in one call; the others stream (and drain)', async () => {
    const oneCall = (request: Request) => vi.spyOn(request, 'arrayBuffer');
    const declared = post(new Uint8Array(700).fill(0x62), { 'content-length': '700' });
    const declaredRead = oneCall(declared);
    expect(await readBodyCapped(declared, LIMITS)).toMatchObject({ ok: true });
    expect(declaredRead).toHaveBeenCalledTimes(1);

    const chunked = post(countingStream(2, 100).stream);
    const chunkedRead = oneCall(chunked);
    expect(await readBodyCapped(chunked, LIMITS)).toMatchObject({ ok: true });
    const both = post(countingStream(2, 100).stream, { 'content-length': '200', 'transfer-encoding': 'chunked' });
    const bothRead = oneCall(both);
    expect(await readBodyCapped(both, LIMITS)).toMatchObject({ ok: true });
    expect([chunkedRead.mock.calls.length, bothRead.mock.calls.length]).toEqual([0, 0]);
  });

  it('a body longer than the length it declared is still refused past the cap', async () => {
    const { stream } = countingStream(8, 512);
    expect(await readBodyCapped(post(stream, { 'content-length': '100' }), LIMITS)).toEqual({ ok: false, reason: 'too-large' });
    const chunked = countingStream(8, 512);
    expect(await readBodyCapped(post(chunked.stream, { 'content-length': '100', 'transfer-encoding': 'chunked' }), LIMITS)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('a stream that errors is unreadable', async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('client went away'));
      },
    });
    expect(await readBodyCapped(post(stream), LIMITS)).toEqual({ ok: false, reason: 'unreadable' });
  });
});
