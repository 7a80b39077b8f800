// application/x-www-form-urlencoded for tests, written plainly and apart from src/alipay/parse.ts:
// the bodies the tests send and the forwarded bodies they read back never go through the parser
// or encoder under test.
import { latin1, latin1Bytes, utf8 } from './encoding';

/** A form parameter: the key as one char per byte, the value as bytes (so GBK stays GBK). Same shape as src's FormPair. */
export interface TestPair {
  readonly key: string;
  readonly value: Uint8Array;
}

/** UTF-8 pairs, in the params' order. */
export function pairsOf(params: Record<string, string> | [string, string][]): TestPair[] {
  const entries = Array.isArray(params) ? params : Object.entries(params);
  return entries.map(([key, value]) => ({ key: latin1(utf8(key)), value: utf8(value) }));
}

// Java's URLEncoder (which Alipay uses) keeps ASCII letters, digits and *-._ and writes a space as "+".
const UNRESERVED = /^[A-Za-z0-9*\-._]$/;

function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (UNRESERVED.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The body Alipay would send: every byte of every key and value percent-encoded as needed, pairs in order. */
export function formBody(pairs: readonly TestPair[]): Uint8Array {
  return utf8(pairs.map((p) => `${encodeBytes(latin1Bytes(p.key))}=${encodeBytes(p.value)}`).join('&'));
}

/** formBody of UTF-8 params. */
export function formBodyOf(params: Record<string, string> | [string, string][]): Uint8Array {
  return formBody(pairsOf(params));
}

function decodeBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '+') {
      out.push(0x20);
    } else if (c === '%') {
      const pair = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) throw new Error(`test form: bad percent-encoding at ${i}`);
      out.push(parseInt(pair, 16));
      i += 2;
    } else {
      out.push(c.charCodeAt(0));
    }
  }
  return Uint8Array.from(out);
}

/** Parses a body a test built or received (throws on a malformed one: a test bug, not a verdict). */
export function parseFormBody(body: Uint8Array): TestPair[] {
  return latin1(body)
    .split('&')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const eq = segment.indexOf('=');
      const [key, value] = eq < 0 ? [segment, ''] : [segment.slice(0, eq), segment.slice(eq + 1)];
      return { key: latin1(decodeBytes(key)), value: decodeBytes(value) };
    });
}

/** A parameter's value as UTF-8 text, or undefined. */
export function formValue(pairs: readonly TestPair[], key: string): string | undefined {
  const pair = pairs.find((p) => p.key === key);
  return pair === undefined ? undefined : new TextDecoder().decode(pair.value);
}

/** Replaces the values of some keys (UTF-8), keeping every other pair's bytes and the order. */
export function withValues(pairs: readonly TestPair[], replace: Record<string, string>): TestPair[] {
  return pairs.map((p) => (Object.hasOwn(replace, p.key) ? { key: p.key, value: utf8(replace[p.key]!) } : p));
}
