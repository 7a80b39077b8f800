// The members of the top-level JSON object of an OpenAPI answer, each with the exact byte span of
// its value. Alipay signs `…_response` over its value's bytes as they stand in the text (from `{` to
// its matching `}`), so the value must be located, never re-serialised: key order, spacing and
// escapes such as `\/` are part of what was signed.
//
// Works on bytes: JSON's structural characters are ASCII and every byte of a multi-byte UTF-8
// character is >= 0x80, so none can be mistaken for a quote, a backslash or a bracket. One pass,
// no recursion (nesting is counted, and bounded), linear in the input.

export interface ScannedMember {
  /** The member name, JSON-decoded. */
  readonly name: string;
  /** Byte offsets of the value: [valueStart, valueEnd). */
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly kind: 'object' | 'array' | 'string' | 'literal';
}

export type ScanFailure = 'not-an-object' | 'malformed' | 'too-deep' | 'duplicate-member';

export type ScanResult = { ok: true; members: ScannedMember[] } | { ok: false; reason: ScanFailure; at: number };

/** Nesting this deep never occurs in an OpenAPI answer; the bound keeps the bracket stack small. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

class Malformed {
  constructor(
    readonly reason: ScanFailure,
    readonly at: number,
  ) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function scanTopLevel(bytes: Uint8Array): ScanResult {
  try {
    return { ok: true, members: scanObject(bytes) };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, reason: e.reason, at: e.at };
    throw e;
  }
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isSpace(bytes[i])) i++;
  return i;
}

function scanObject(bytes: Uint8Array): ScannedMember[] {
  let i = 0;
  // A byte order mark some proxies prepend is not part of the JSON text.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  i = skipSpace(bytes, i);
  if (bytes[i] !== OPEN_BRACE) throw new Malformed('not-an-object', i);
  i = skipSpace(bytes, i + 1);
  const members: ScannedMember[] = [];
  const names = new Set<string>();
  if (bytes[i] === CLOSE_BRACE) {
    i++;
  } else {
    for (;;) {
      if (bytes[i] !== QUOTE) throw new Malformed('malformed', i);
      const nameEnd = skipString(bytes, i);
      const name = decodeJsonString(bytes, i, nameEnd);
      if (names.has(name)) throw new Malformed('duplicate-member', i);
      names.add(name);
      i = skipSpace(bytes, nameEnd);
      if (bytes[i] !== COLON) throw new Malformed('malformed', i);
      const valueStart = skipSpace(bytes, i + 1);
      const { end, kind } = skipValue(bytes, valueStart);
      members.push({ name, valueStart, valueEnd: end, kind });
      i = skipSpace(bytes, end);
      if (bytes[i] === COMMA) {
        i = skipSpace(bytes, i + 1);
        continue;
      }
      if (bytes[i] === CLOSE_BRACE) {
        i++;
        break;
      }
      throw new Malformed('malformed', i);
    }
  }
  i = skipSpace(bytes, i);
  if (i !== bytes.length) throw new Malformed('malformed', i);
  return members;
}

/** The offset just past the closing quote of the string that opens at `start`. */
function skipString(bytes: Uint8Array, start: number): number {
  let i = start + 1;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === QUOTE) return i + 1;
    if (b === BACKSLASH) i += 2;
    else if (b < 0x20) throw new Malformed('malformed', i);
    else i++;
  }
  throw new Malformed('malformed', bytes.length);
}

function skipValue(bytes: Uint8Array, start: number): { end: number; kind: ScannedMember['kind'] } {
  const first = bytes[start];
  if (first === QUOTE) return { end: skipString(bytes, start), kind: 'string' };
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return { end: skipNested(bytes, start), kind: first === OPEN_BRACE ? 'object' : 'array' };
  // true, false, null or a number: a run up to the next delimiter. Checked by JSON.parse if it is ever read.
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b)) break;
    if (b === QUOTE || b === OPEN_BRACE || b === OPEN_BRACKET || b === COLON) throw new Malformed('malformed', i);
    i++;
  }
  if (i === start) throw new Malformed('malformed', start);
  return { end: i, kind: 'literal' };
}

/** Past the bracket that closes the one at `start`; strings are skipped whole, so brackets inside them do not count. */
function skipNested(bytes: Uint8Array, start: number): number {
  const closers: number[] = [];
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      i = skipString(bytes, i);
      continue;
    }
    if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (closers.length >= MAX_JSON_DEPTH) throw new Malformed('too-deep', i);
      closers.push(b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (closers.pop() !== b) throw new Malformed('malformed', i);
      if (closers.length === 0) return i + 1;
    }
    i++;
  }
  throw new Malformed('malformed', bytes.length);
}

function decodeJsonString(bytes: Uint8Array, start: number, end: number): string {
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes.subarray(start, end)));
    if (typeof value === 'string') return value;
  } catch {
    // falls through
  }
  throw new Malformed('malformed', start);
}

/** The JSON value of one scanned member; null when its bytes are not valid UTF-8 JSON. */
export function memberValue(bytes: Uint8Array, member: ScannedMember): unknown {
  try {
    return JSON.parse(utf8.decode(bytes.subarray(member.valueStart, member.valueEnd))) as unknown;
  } catch {
    return null;
  }
}
