// Form body -> ordered (key, value-bytes) pairs (docs/ALIPAY.md "Parsing the body").
// The body is split BEFORE anything is decoded (a `%26` inside passback_params stays inside it),
// and each value is percent-decoded to bytes exactly once: the signature covers those bytes,
// whatever the charset, so nothing here turns bytes into text except the (ASCII) keys.

import { latin1Decode } from '../utils/bytes';
import type { FormPair, ParseResult } from './types';

/** Far above any real notification (a few KB); bounds the work an unauthenticated body can cause. */
export const MAX_FORM_BYTES = 1024 * 1024;
export const MAX_FORM_PAIRS = 1000;

const AMP = 0x26;
const EQ = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;

// Hex digit value per byte, -1 when not a hex digit.
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

/**
 * A pair as parsed from a body. Parsing only validates and measures: the value stays
 * percent-encoded in the body at [valueStart, valueEnd) and is decoded when it is needed,
 * by the content builder straight into the signed content, or on first read of `value`.
 * When `keyStart >= 0`, body[keyStart, valueStart) is exactly `key=`.
 */
export class ParsedPair implements FormPair {
  private decoded: Uint8Array | undefined;
  constructor(
    readonly key: string,
    readonly body: Uint8Array,
    readonly keyStart: number,
    readonly valueStart: number,
    readonly valueEnd: number,
    /** Whether the raw value holds "%XX" or "+" (else its bytes are the value). */
    readonly encoded: boolean,
    /** Length of the value once decoded. */
    readonly valueLength: number,
    /** The first 6 key bytes as one exact number (< 2^48), for sorting without string compares. */
    readonly sortPrefix: number,
  ) {}
  get value(): Uint8Array {
    if (this.decoded === undefined) {
      if (this.encoded) {
        this.decoded = new Uint8Array(this.valueLength);
        decodeInto(this.body, this.valueStart, this.valueEnd, this.decoded, 0);
      } else {
        this.decoded = this.body.subarray(this.valueStart, this.valueEnd);
      }
    }
    return this.decoded;
  }
}

/** Length of a pair's value once decoded, without decoding it. */
export function valueLength(p: FormPair): number {
  return p instanceof ParsedPair ? p.valueLength : p.value.length;
}

/** The first 6 bytes of bytes[start, end) as one number, zero-padded: numeric order is byte order. */
export function bytesPrefix(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < start + 6; i++) n = n * 256 + (i < end ? bytes[i]! : 0);
  return n;
}

/**
 * Percent-decodes body[start, end) into out at `at`; returns the end offset in out, or -1 on a
 * malformed `%XX`. The content builder calls it on values parseForm already validated.
 */
export function decodeInto(body: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  for (let i = start; i < end; i++) {
    const c = body[i]!;
    if (c === PLUS) {
      out[at++] = 0x20;
    } else if (c === PERCENT) {
      if (i + 2 >= end) return -1;
      const hi = HEX_VALUE[body[i + 1]!]!;
      const lo = HEX_VALUE[body[i + 2]!]!;
      if (hi < 0 || lo < 0) return -1;
      out[at++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[at++] = c;
    }
  }
  return at;
}

const asciiDecoder = new TextDecoder('utf-8');

/** The body as one char per byte. Bodies are ASCII (values are percent-encoded): one native decode. */
function bodyText(body: Uint8Array): string {
  const text = asciiDecoder.decode(body);
  // Same length and no U+FFFD means every byte was ASCII; otherwise fall back to exact latin1.
  return text.length === body.length && !text.includes('\uFFFD') ? text : latin1Decode(body);
}

export function isHexCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * A cheap summary of a key (its length and four of its chars) for the duplicate filter; equal keys
 * share it. The second-to-last char is there for Alipay's look-alike names (notify_type /
 * notify_time): without it, several names of a real notification shared a slot, and each such
 * collision costs a scan of the pairs. (Hashing every char costs more than those scans.)
 */
function keyHash(key: string): number {
  const n = key.length;
  const beforeLast = key.charCodeAt(n > 1 ? n - 2 : 0);
  return n * 37 + key.charCodeAt(0) * 5 + key.charCodeAt(n >> 1) * 3 + key.charCodeAt(n - 1) * 29 + beforeLast * 7;
}

function hasKey(pairs: FormPair[], key: string): boolean {
  for (let i = 0; i < pairs.length; i++) if (pairs[i]!.key === key) return true;
  return false;
}

function malformed(hint: string): ParseResult {
  return { ok: false, reason: 'malformed-body', hint };
}

function badPercent(where: string): ParseResult {
  return malformed(`Malformed percent-encoding in ${where}: every "%" must be followed by two hex digits. Was the body built or altered by hand?`);
}

/** Index of `ch` in text at or after `from`, or text.length. */
function find(text: string, ch: string, from: number): number {
  const i = text.indexOf(ch, from);
  return i < 0 ? text.length : i;
}

// Duplicate filter slots, indexed by the key hash's low bits: 1024 for a few dozen names, so a hit is
// nearly always a real duplicate (no name of the shared vectors shares a slot with another).
// Reused between calls (parseForm is synchronous, so it is never shared by two at once): a fresh
// typed array per call would be allocated off the JS heap, which costs more than it saves.
const FILTER_SLOTS = 1024;
const filterScratch = new Uint8Array(FILTER_SLOTS);

/**
 * Never throws: every problem is a `{ ok: false }` with a hint a merchant can act on.
 * The pairs read their bytes from `body` (no copy): do not modify it afterwards.
 */
export function parseForm(body: Uint8Array): ParseResult {
  if (body.length === 0) return malformed('The body is empty: Alipay posts the notification as a form body.');
  if (body.length > MAX_FORM_BYTES) return malformed(`The body is larger than ${MAX_FORM_BYTES} bytes: not an Alipay notification.`);

  const text = bodyText(body);
  const length = text.length;
  const pairs: ParsedPair[] = [];
  // Duplicate detection: a hash filter, then an exact comparison only on a hit.
  // Cheaper than a Set of fresh strings on this hot path.
  const seen = filterScratch.fill(0);
  // Cursors to the next "=", "%" and "+": each only moves forward, so finding them all is one
  // linear native scan, whatever the body looks like (no quadratic rescans on hostile input).
  let nextEq = -1;
  let nextPct = -1;
  let nextPlus = -1;

  for (let start = 0; start < length; ) {
    const end = find(text, '&', start);
    // Empty segments ("a=1&&b=2", a trailing "&") carry nothing; form parsers skip them.
    if (end > start) {
      if (pairs.length >= MAX_FORM_PAIRS) return malformed(`The body has more than ${MAX_FORM_PAIRS} parameters.`);
      if (nextEq < start) nextEq = find(text, '=', start);
      if (nextPct < start) nextPct = find(text, '%', start);
      if (nextPlus < start) nextPlus = find(text, '+', start);
      const eq = nextEq < end ? nextEq : end; // no "=": "name" alone means an empty value
      if (eq === start) return malformed('A parameter has no name ("=value"): the body is not an Alipay form.');

      let key: string;
      let prefix: number;
      const rawKey = nextPct >= eq && nextPlus >= eq;
      if (rawKey) {
        key = text.slice(start, eq);
        prefix = bytesPrefix(body, start, eq);
      } else {
        const keyBytes = new Uint8Array(eq - start);
        const keyEnd = decodeInto(body, start, eq, keyBytes, 0);
        if (keyEnd < 0) return badPercent('a parameter name');
        if (keyEnd === 0) return malformed('A parameter has no name ("=value"): the body is not an Alipay form.');
        key = latin1Decode(keyBytes.subarray(0, keyEnd));
        prefix = bytesPrefix(keyBytes, 0, keyEnd);
      }
      const slot = keyHash(key) & (FILTER_SLOTS - 1);
      if (seen[slot] !== 0 && hasKey(pairs, key)) {
        return {
          ok: false,
          reason: 'duplicate-key',
          hint: `Parameter "${key.slice(0, 40)}" appears twice: a signed body never repeats a key (a query string appended to the body?).`,
        };
      }
      seen[slot] = 1;

      // Validate the value's "%XX" escapes and measure its decoded length; decode nothing yet.
      const valueStart = eq < end ? eq + 1 : end;
      if (nextPct < valueStart) nextPct = find(text, '%', valueStart);
      if (nextPlus < valueStart) nextPlus = find(text, '+', valueStart);
      let escapes = 0;
      const encoded = nextPct < end || nextPlus < end;
      while (nextPct < end) {
        if (nextPct + 2 >= end || !isHexCode(body[nextPct + 1]!) || !isHexCode(body[nextPct + 2]!)) {
          return badPercent(`parameter "${key.slice(0, 40)}"`);
        }
        escapes++;
        // Escapes come in runs (%E8%AF%AD...): step to the next one without a search call.
        const after = nextPct + 3;
        nextPct = after < length && body[after] === PERCENT ? after : find(text, '%', after);
      }
      const valueLength = end - valueStart - 2 * escapes;
      pairs.push(new ParsedPair(key, body, rawKey ? start : -1, valueStart, end, encoded, valueLength, prefix));
    }
    start = end + 1;
  }
  return { ok: true, pairs };
}

export function getParam(pairs: FormPair[], key: string): Uint8Array | undefined {
  for (const p of pairs) if (p.key === key) return p.value;
  return undefined;
}

// application/x-www-form-urlencoded keeps only ASCII alphanumerics and *-._ as they are.
function isUnreserved(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2a || c === 0x2d || c === 0x2e || c === 0x5f
  );
}

const HEX_UPPER = '0123456789ABCDEF';

function appendEncoded(out: number[], bytes: Uint8Array): void {
  for (const c of bytes) {
    if (isUnreserved(c)) out.push(c);
    else if (c === 0x20) out.push(PLUS);
    else out.push(PERCENT, HEX_UPPER.charCodeAt(c >> 4), HEX_UPPER.charCodeAt(c & 15));
  }
}

function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** Percent-encodes arbitrary value bytes (e.g. GBK), the way Alipay encodes a notification. For tests and the simulator. */
export function encodeFormBytes(pairs: FormPair[]): Uint8Array {
  const out: number[] = [];
  pairs.forEach((p, i) => {
    if (i > 0) out.push(AMP);
    appendEncoded(out, latin1Bytes(p.key));
    out.push(EQ);
    appendEncoded(out, p.value);
  });
  return Uint8Array.from(out);
}

/** UTF-8 form body from text params (insertion order kept). For tests and the simulator. */
export function encodeForm(params: Record<string, string> | [string, string][]): Uint8Array {
  const entries = Array.isArray(params) ? params : Object.entries(params);
  const encoder = new TextEncoder();
  return encodeFormBytes(entries.map(([key, value]) => ({ key: latin1Decode(encoder.encode(key)), value: encoder.encode(value) })));
}
