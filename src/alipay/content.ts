// The signed content (docs/ALIPAY.md, the sign content), as bytes. Value bytes are copied
// untouched, so a GBK notification is checked over its GBK bytes, never a UTF-8 re-encoding.
// Linear in the pairs once they are in key order; the verifier builds each content once per
// request, whatever the number of keys and sign types it tries.

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

/** buildSignContent for pairs already in key byte order (a parsed form's `sorted`): no sort. */
export function signContentOf(sorted: readonly FormPair[], rule: ContentRule, v2SignType?: string): Uint8Array {
  let size = 0;
  let hasSignType = false;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    const length = valueLength(p);
    if (length === 0 || !isSigned(p.key, rule)) continue;
    if (p.key === SIGN_TYPE) hasSignType = true;
    size += p.key.length + 2 + length; // "k=v" and its "&"
  }
  const inserted = rule === 'v2' && !hasSignType && v2SignType ? v2SignType : undefined;
  if (inserted !== undefined) size += SIGN_TYPE.length + 2 + inserted.length;

  const out = new Uint8Array(size > 0 ? size - 1 : 0);
  let at = 0;
  let pending = inserted;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (valueLength(p) === 0 || !isSigned(p.key, rule)) continue;
    if (pending !== undefined && p.key > SIGN_TYPE) {
      at = writeInserted(pending, out, at);
      pending = undefined;
    }
    if (at > 0) out[at++] = AMP;
    at = writePair(p, out, at);
  }
  if (pending !== undefined) writeInserted(pending, out, at);
  return out;
}

function isSigned(key: string, rule: ContentRule): boolean {
  return key !== 'sign' && (rule === 'v2' || key !== SIGN_TYPE);
}

function writeInserted(signType: string, out: Uint8Array, at: number): number {
  if (at > 0) out[at++] = AMP;
  at = writeText(SIGN_TYPE, out, at);
  out[at++] = EQ;
  return writeText(signType, out, at);
}

/** `key=value`. A parsed pair is copied from its body: `key=` as sent (when its name needed no decoding), the value decoded once. */
function writePair(p: FormPair, out: Uint8Array, at: number): number {
  if (p instanceof ParsedPair) {
    const { body, keyStart, valueStart, valueEnd } = p;
    if (keyStart >= 0 && !p.encoded) return copy(body, keyStart, valueEnd, out, at);
    if (keyStart >= 0) at = copy(body, keyStart, valueStart, out, at);
    else {
      at = writeText(p.key, out, at);
      out[at++] = EQ;
    }
    return p.encoded ? decodeInto(body, valueStart, valueEnd, out, at) : copy(body, valueStart, valueEnd, out, at);
  }
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

/** from[start, end) to out at `at`. Short runs (most names and values) by hand: cheaper than a view and a native call. */
function copy(from: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  if (end - start <= 32) {
    for (let i = start; i < end; i++) out[at++] = from[i]!;
    return at;
  }
  out.set(from.subarray(start, end), at);
  return at + (end - start);
}
