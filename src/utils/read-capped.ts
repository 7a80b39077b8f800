// Reading streams with a hard cap: Alipay's requests to the gateway, the origin's answers to it,
// and what the command-line tool reads (stdin, replies from URLs a user typed). Content-Length is
// only a hint (a sender can omit it or lie), so the stream itself is counted and abandoned as soon
// as it passes the cap.
import { concatBytes } from './bytes';

type BodyResult = { ok: true; body: Uint8Array } | { ok: false; reason: 'too-large' | 'unreadable' };

/** At most `maxBytes` of the stream; `truncated` when there was more (the rest is never read). Read errors propagate. */
export async function readUpTo(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (stream === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { bytes: concatBytes(...chunks).subarray(0, maxBytes), truncated: true };
    }
  }
  return { bytes: concatBytes(...chunks), truncated: false };
}

/** The whole stream, or null when it is longer than `maxBytes` (the rest is never read). Read errors propagate. */
export async function readAllCapped(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | null> {
  const read = await readUpTo(stream, maxBytes);
  return read.truncated ? null : read.bytes;
}

/** A request body, refused (not truncated) past the cap: a cut-off notification could not verify anyway. */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reason: 'too-large' };
  try {
    const read = await readUpTo(request.body, maxBytes);
    return read.truncated ? { ok: false, reason: 'too-large' } : { ok: true, body: read.bytes };
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
}
