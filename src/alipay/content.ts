// The signed content (docs/ALIPAY.md "The signed content"), as bytes. Value bytes are copied
// untouched, so a GBK notification is checked over its GBK bytes, never a UTF-8 re-encoding.
// Linear in the pairs once they are in key order; the verifier builds each content once per
// request, whatever the number of keys and sign types it tries.
//
// Pairs parsed from one body are copied with copyWithin from a copy of that body at the front of
// the output buffer: a native memmove per "key=value" run, no view per pair and no byte loop
// (byte loops over typed arrays are the slow part in workerd). Only encoded values are decoded
// byte by byte, straight into place.

import { sortByKey } from './key-order';
import { ParsedPair, decodeInto, valueLength } from './parse';
import type { ContentRule, FormPair } from './types';

const AMP = 0x26;
const EQ = 0x3d;
const SIGN_TYPE = 'sign_type';

/**
 * `v1` drops `sign` and `sign_type`; `v2` drops only `sign`. Both drop empty values.
 * For `v2`, a message without `sign_type` is given `sign_type=<v2SignType>`: the SDKs sign
 * v2 content with it even when the field is left out of what they send.
 */
export function buildSignContent(pairs: readonly FormPair[], rule: ContentRule, v2SignType?: string): Uint8Array {
  return signContentOf(sortByKey(pairs), rule, v2SignType);
}

/** buildSignContent for pairs already in key byte order (a parsed form's `sorted`): no sort. Its own array. */
export function signContentOf(sorted: readonly FormPair[], rule: ContentRule, v2SignType?: string): Uint8Array {
  return signContentInto(sorted, rule, v2SignType, undefined).slice();
}

/**
 * The content of pairs in key byte order, as a view into `buffer` when it is large enough
 * (signContentBufferSize), else into a fresh one. For a caller that owns a buffer it reuses.
 */
export function signContentInto(sorted: readonly FormPair[], rule: ContentRule, v2SignType: string | undefined, buffer: Uint8Array | undefined): Uint8Array {
  const inserted = insertedSignType(sorted, rule, v2SignType);
  const size = contentSize(sorted, rule, inserted);
  const body = commonBody(sorted);
  const base = body === null ? 0 : body.length;
  const out = buffer !== undefined && buffer.length >= base + size ? buffer : new Uint8Array(base + size);
  if (body !== null) out.set(body);
  let at = base;
  let pending = inserted;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (valueLength(p) === 0 || !isSigned(p.key, rule)) continue;
    if (pending !== undefined && p.key > SIGN_TYPE) {
      at = writeInserted(pending, out, at, base);
      pending = undefined;
    }
    if (at > base) out[at++] = AMP;
    at = p instanceof ParsedPair && p.body === body ? writeParsed(p, out, at) : writePlain(p, out, at);
  }
  if (pending !== undefined) at = writeInserted(pending, out, at, base);
  return out.subarray(base, at);
}

/** The buffer size signContentInto needs for contents of bodies up to `maxBodyBytes`. */
export function signContentBufferSize(maxBodyBytes: number): number {
  // The body's copy, then a content no longer than the body plus an inserted `&sign_type=RSA2`.
  return 2 * maxBodyBytes + 16;
}

/** The v2 content's inserted sign type, if any: only when the message has none. */
function insertedSignType(sorted: readonly FormPair[], rule: ContentRule, v2SignType: string | undefined): string | undefined {
  if (rule !== 'v2' || !v2SignType) return undefined;
  for (let i = 0; i < sorted.length; i++) if (sorted[i]!.key === SIGN_TYPE && valueLength(sorted[i]!) > 0) return undefined;
  return v2SignType;
}

function contentSize(sorted: readonly FormPair[], rule: ContentRule, inserted: string | undefined): number {
  let size = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    const length = valueLength(p);
    if (length === 0 || !isSigned(p.key, rule)) continue;
    size += p.key.length + 2 + length; // "k=v" and its "&"
  }
  if (inserted !== undefined) size += SIGN_TYPE.length + 2 + inserted.length;
  return size > 0 ? size - 1 : 0;
}

/** The body every parsed pair shares, or null (plain pairs, or pairs from different bodies). */
function commonBody(pairs: readonly FormPair[]): Uint8Array | null {
  let body: Uint8Array | null = null;
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i]!;
    if (!(p instanceof ParsedPair)) continue;
    if (body === null) body = p.body;
    else if (p.body !== body) return null;
  }
  return body;
}

function isSigned(key: string, rule: ContentRule): boolean {
  return key !== 'sign' && (rule === 'v2' || key !== SIGN_TYPE);
}

function writeInserted(signType: string, out: Uint8Array, at: number, base: number): number {
  if (at > base) out[at++] = AMP;
  at = writeText(SIGN_TYPE, out, at);
  out[at++] = EQ;
  return writeText(signType, out, at);
}

/** `key=value` of a pair whose body sits at the front of `out`: `key=` as sent (when its name needed no decoding), the value decoded once. */
function writeParsed(p: ParsedPair, out: Uint8Array, at: number): number {
  const { keyStart, valueStart, valueEnd } = p;
  if (keyStart >= 0 && !p.encoded) return move(out, keyStart, valueEnd, at);
  if (keyStart >= 0) at = move(out, keyStart, valueStart, at);
  else {
    at = writeText(p.key, out, at);
    out[at++] = EQ;
  }
  return p.encoded ? decodeInto(out, valueStart, valueEnd, out, at) : move(out, valueStart, valueEnd, at);
}

function writePlain(p: FormPair, out: Uint8Array, at: number): number {
  at = writeText(p.key, out, at);
  out[at++] = EQ;
  out.set(p.value, at);
  return at + p.value.length;
}

/** Keys and sign types hold one char per byte. */
function writeText(text: string, out: Uint8Array, at: number): number {
  for (let k = 0; k < text.length; k++) out[at++] = text.charCodeAt(k);
  return at;
}

/** buf[start, end) to `at` (a later, non-overlapping place in the same buffer). Tiny runs by hand: cheaper than a call. */
function move(buf: Uint8Array, start: number, end: number, at: number): number {
  if (end - start <= 8) {
    for (let i = start; i < end; i++) buf[at++] = buf[i]!;
    return at;
  }
  buf.copyWithin(at, start, end);
  return at + (end - start);
}
