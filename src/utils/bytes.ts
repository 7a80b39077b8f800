// Bytes <-> text. Alipay signs bytes, not strings, so the core keeps values as Uint8Array and
// converts only at the edges. No Node Buffer: this runs in workerd, Node and browsers alike.

const utf8Encoder = new TextEncoder();

export function utf8Encode(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** One char per byte (0x00-0xff). Lossless, so it is safe for keys and for diagnostics of arbitrary bytes. */
export function latin1Decode(b: Uint8Array): string {
  let out = '';
  // Chunked so String.fromCharCode never gets more arguments than the engine allows.
  for (let i = 0; i < b.length; i += 0x2000) {
    out += String.fromCharCode.apply(null, b.subarray(i, i + 0x2000) as unknown as number[]);
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
