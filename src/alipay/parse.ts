// Form body -> (key, value-bytes) pairs (docs/ALIPAY.md "Parsing the body"). The body is split
// BEFORE anything is decoded (a `%26` inside passback_params stays inside it), and each value is
// percent-decoded to bytes exactly once: the signature covers those bytes, whatever the charset,
// so nothing here turns bytes into text except the keys, which must be Alipay's names.
//
// Every step is linear in the body, or O(n log n) in the number of pairs (the sort), whatever the
// body looks like: an unauthenticated client chooses it.

import { latin1Decode } from '../utils/bytes';
import { keyPrefix, sortPrefixed, type PrefixedPair } from './key-order';
import type { FormPair, ParseResult } from './types';

/**
 * The notify endpoint's cap (a real notification is a few KB; fund_bill_list and passback_params
 * keep it well under this). The core refuses anything larger itself, so the work one body can
 * cause is bounded by the same limit wherever the core runs (Worker, command-line tool).
 */
export const MAX_FORM_BYTES = 64 * 1024;
/**
 * A real notification has a few dozen parameters (Alipay documents about 40 for a trade
 * notification, fewer for the rest); 200 leaves room for any of them, and bounds the per-name
 * work (strings, sorting, the content) that an unauthenticated body of many names can cause.
 */
export const MAX_FORM_PAIRS = 200;

const AMP = 0x26;
const EQ = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;

/** Hex digit value per byte, -1 when not a hex digit. */
export const HEX_VALUE = new Int8Array(256).fill(-1);
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
export class ParsedPair implements PrefixedPair {
  private decoded: Uint8Array | undefined;
  constructor(
    readonly key: string,
    readonly body: Uint8Array,
    /** The same body as text, one char per byte (for native string functions on its ASCII parts). */
    readonly bodyText: string,
    readonly keyStart: number,
    readonly valueStart: number,
    readonly valueEnd: number,
    /** Whether the raw value holds "%XX" or "+" (else its bytes are the value). */
    readonly encoded: boolean,
    /** Length of the value once decoded. */
    readonly valueLength: number,
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

/** Alipay's parameter names: lowercase ASCII letters, digits and "_". (Checked on the string: no typed-array reads.) */
function isKeyName(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

function notAName(name: string): ParseResult {
  // JSON quoting keeps control and non-ASCII characters visible (and harmless) in a log line.
  return malformed(
    `${JSON.stringify(name.slice(0, 40))} is not an Alipay parameter name (lowercase letters, digits and "_"): ` +
      'the body was not made by Alipay, or was re-split or re-encoded on the way.',
  );
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
      const rawKey = nextPct >= eq && nextPlus >= eq;
      if (rawKey) {
        key = text.slice(start, eq);
      } else {
        const keyBytes = new Uint8Array(eq - start);
        const keyEnd = decodeInto(body, start, eq, keyBytes, 0);
        if (keyEnd < 0) return badPercent('a parameter name');
        if (keyEnd === 0) return malformed('A parameter has no name ("=value"): the body is not an Alipay form.');
        key = latin1Decode(keyBytes.subarray(0, keyEnd));
      }
      // Checked decoded: `k1=v1&k2` hidden in a name as `k1%3Dv1%26k2` is how a signed body is re-split.
      if (!isKeyName(key)) return notAName(key);

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
      pairs.push(new ParsedPair(key, body, text, rawKey ? start : -1, valueStart, end, encoded, valueLength, keyPrefix(key)));
    }
    start = end + 1;
  }
  // In key order, equal keys are neighbours: duplicates are found in one pass, whatever the names.
  const sorted = sortPrefixed(pairs);
  for (let i = 1; i < sorted.length; i++) {
    const key = sorted[i]!.key;
    if (key === sorted[i - 1]!.key) {
      return {
        ok: false,
        reason: 'duplicate-key',
        hint: `Parameter "${key.slice(0, 40)}" appears twice: a signed body never repeats a key (a query string appended to the body?).`,
      };
    }
  }
  return { ok: true, pairs, sorted };
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

/** Percent-encodes arbitrary value bytes (e.g. GBK), the way Alipay encodes a notification (re-signed legacy deliveries, the simulator, tests). */
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

/** UTF-8 form body from text params (insertion order kept): a request to Alipay's gateway (query-request.ts), the simulator, tests. */
export function encodeForm(params: Record<string, string> | [string, string][]): Uint8Array {
  const entries = Array.isArray(params) ? params : Object.entries(params);
  const encoder = new TextEncoder();
  return encodeFormBytes(entries.map(([key, value]) => ({ key: latin1Decode(encoder.encode(key)), value: encoder.encode(value) })));
}
