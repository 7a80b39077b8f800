// Form bodies for tests, encoded the way Alipay encodes a notification: UTF-8 (or any value bytes),
// unreserved characters as they are, a space as "+", everything else as %XX. Deliberately plain
// and independent of src, so a test body never depends on the parser or encoder it tests.
import type { FormPair } from '../../src/alipay/types';

const UNRESERVED = /[A-Za-z0-9*\-._]/;

function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && UNRESERVED.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The body for these pairs, values as their bytes (so GBK stays GBK), keys one char per byte. */
export function encodePairs(pairs: readonly FormPair[]): Uint8Array {
  const keyBytes = (key: string) => Uint8Array.from(key, (c) => c.charCodeAt(0) & 0xff);
  const text = pairs.map((p) => `${encodeBytes(keyBytes(p.key))}=${encodeBytes(p.value)}`).join('&');
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A UTF-8 form body from text params, in their order. */
export function encodeForm(params: Record<string, string> | readonly (readonly [string, string])[]): Uint8Array {
  const entries = Array.isArray(params) ? params : Object.entries(params);
  const utf8 = new TextEncoder();
  return Uint8Array.from(
    entries.map(([k, v]) => `${encodeBytes(utf8.encode(k))}=${encodeBytes(utf8.encode(v))}`).join('&'),
    (c) => c.charCodeAt(0),
  );
}
