// Reads a request body with a hard cap. Content-Length is only a hint: a sender can omit it or
// lie, so the stream itself is counted and abandoned as soon as it passes the cap.
import { concatBytes } from './alipay/bytes';

export type BodyResult = { ok: true; body: Uint8Array } | { ok: false; reason: 'too-large' | 'unreadable' };

export async function readBodyCapped(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reason: 'too-large' };
  if (request.body === null) return { ok: true, body: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  return { ok: true, body: concatBytes(...chunks) };
}
