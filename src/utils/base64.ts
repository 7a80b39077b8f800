// Standard base64 (RFC 4648 section 4): keys, signatures and webhook secrets. Decoding reports
// failure as null, never by throwing, so a caller can say "not base64" in its own words.

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// -1 = not base64, -2 = whitespace (skipped: keys and signatures are often pasted with line breaks).
const BASE64_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUE[BASE64_ALPHABET.charCodeAt(i)] = i;
for (const ws of [0x20, 0x09, 0x0a, 0x0d]) BASE64_VALUE[ws] = -2;

/**
 * Strict-alphabet base64 (RFC 4648 section 4, no URL-safe chars). Whitespace anywhere is ignored.
 * Padding is optional and may be excessive (at most two '=', only at the end): Alipay-side
 * encoders and the SDKs' decoders are lenient there, and a signature's length is judged by
 * the verifier, not here. Returns null on anything else, so a caller can say "not base64".
 */
export function base64Decode(s: string): Uint8Array | null {
  const codes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return null;
    codes[i] = c;
  }
  return base64DecodeBytes(codes);
}

/** base64Decode over ASCII bytes, e.g. a `sign` value straight from the parsed form (no string round trip). */
export function base64DecodeBytes(text: Uint8Array): Uint8Array | null {
  return base64DecodeCanonical(text) ?? base64DecodeLenient(text);
}

/** Fast path for the usual case (signatures); null when `text` is not canonical quads. */
function base64DecodeCanonical(text: Uint8Array): Uint8Array | null {
  const n = text.length;
  if (n === 0 || n % 4 !== 0) return null;
  const out = new Uint8Array((n / 4) * 3);
  const length = base64DecodeInto(text, out);
  return length < 0 ? null : out.subarray(0, length);
}

/**
 * Decodes canonical base64 (whole quads of alphabet chars, padding only in the last one) into
 * `out`, returning the byte count, or -1 when `text` is not in that form or `out` is too small.
 * Lets a caller decode into a buffer it reuses (the verifier's signature buffer).
 */
export function base64DecodeInto(text: Uint8Array, out: Uint8Array): number {
  const n = text.length;
  if (n === 0 || n % 4 !== 0) return -1;
  const pad = text[n - 1] === 0x3d ? (text[n - 2] === 0x3d ? 2 : 1) : 0;
  if (out.length < (n / 4) * 3 - pad) return -1;
  const full = pad > 0 ? n - 4 : n;
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = BASE64_VALUE[text[i]!]!;
    const b = BASE64_VALUE[text[i + 1]!]!;
    const c = BASE64_VALUE[text[i + 2]!]!;
    const d = BASE64_VALUE[text[i + 3]!]!;
    if ((a | b | c | d) < 0) return -1; // whitespace or a stray char: not the fast case
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  if (pad > 0) {
    const a = BASE64_VALUE[text[n - 4]!]!;
    const b = BASE64_VALUE[text[n - 3]!]!;
    const c = pad === 1 ? BASE64_VALUE[text[n - 2]!]! : 0;
    if ((a | b | c) < 0) return -1;
    const v = (a << 18) | (b << 12) | (c << 6);
    // Non-canonical trailing bits: let the lenient decoder give its verdict.
    if ((pad === 2 ? v & 0xffff : v & 0xff) !== 0) return -1;
    out[o++] = v >> 16;
    if (pad === 1) out[o++] = (v >> 8) & 0xff;
  }
  return o;
}

function base64DecodeLenient(text: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  let digits = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === 0x3d /* = */) {
      padding++;
      continue;
    }
    const v = BASE64_VALUE[c]!;
    if (v === -2) continue;
    if (v === -1 || padding > 0) return null; // a data character after '=' is not base64
    acc = ((acc << 6) | v) & 0xffffff; // only the low bits still owed to output matter
    bits += 6;
    digits++;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  const rest = digits % 4;
  if (rest === 1) return null; // 6 bits cannot make a byte: truncated
  if (padding > 2) return null;
  // Non-canonical trailing bits mean the text was not produced by an encoder; treat as corrupt.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null;
  return out.subarray(0, o);
}

export function base64Encode(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out +=
      BASE64_ALPHABET[n >> 18]! + BASE64_ALPHABET[(n >> 12) & 63]! + BASE64_ALPHABET[(n >> 6) & 63]! + BASE64_ALPHABET[n & 63]!;
  }
  const left = b.length - i;
  if (left === 1) {
    const n = b[i]! << 16;
    out += BASE64_ALPHABET[n >> 18]! + BASE64_ALPHABET[(n >> 12) & 63]! + '==';
  } else if (left === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    out += BASE64_ALPHABET[n >> 18]! + BASE64_ALPHABET[(n >> 12) & 63]! + BASE64_ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** URL- and cookie-safe base64 (RFC 4648 section 5) without padding: session cookies, link signatures. */
export function base64UrlEncode(b: Uint8Array): string {
  return base64Encode(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
