// The signed content (docs/ALIPAY.md "The signed content"), as bytes. Value bytes are copied
// untouched, so a GBK notification is checked over its GBK bytes, never a UTF-8 re-encoding.
// This runs on every notification, so it avoids per-pair views and comparator callbacks.

import { utf8Encode } from '../utils/bytes';
import { ParsedPair, decodeInto, valueLength } from './parse';
import type { ContentRule, FormPair } from './types';

/**
 * `v1` drops `sign` and `sign_type`; `v2` drops only `sign`. Both drop empty values.
 * For `v2`, a message without `sign_type` is given `sign_type=<v2SignType>`: the SDKs sign
 * v2 content with it even when the field is left out of what they send.
 */
export function buildSignContent(pairs: FormPair[], rule: ContentRule, v2SignType?: string): Uint8Array {
  return signContentView(pairs, rule, v2SignType).slice();
}

/**
 * The same bytes as buildSignContent, as a view into a reused buffer: valid only until the next
 * call, so use it at once and never keep it. The verifier hands it straight to WebCrypto, which
 * copies its inputs when called, and so saves an off-heap allocation per notification.
 */
export function signContentView(pairs: FormPair[], rule: ContentRule, v2SignType?: string): Uint8Array {
  const kept: FormPair[] = [];
  let hasSignType = false;
  let size = 0;
  for (const p of pairs) {
    const length = valueLength(p);
    if (length === 0 || p.key === 'sign') continue;
    if (p.key === 'sign_type') {
      if (rule === 'v1') continue;
      hasSignType = true;
    }
    kept.push(p);
    size += p.key.length + 2 + length; // "k=v" and its "&"
  }
  if (rule === 'v2' && !hasSignType && v2SignType) {
    const inserted = { key: 'sign_type', value: utf8Encode(v2SignType) };
    kept.push(inserted);
    size += inserted.key.length + 2 + inserted.value.length;
  }
  sortByKeyBytes(kept);

  // Built in a reused scratch buffer (typed arrays beyond a few dozen bytes are allocated off the JS
  // heap, which costs more than building the content). When the pairs come from one parsed body,
  // that body is copied once to the front of the scratch, so each "key=value" run moves with
  // copyWithin (a native memmove: no view per pair, no byte loop) and encoded values decode in place.
  const contentSize = size > 0 ? size - 1 : 0;
  const body = commonBody(kept);
  const base = body === null ? 0 : body.length;
  const out = scratch(base + contentSize);
  if (body !== null) out.set(body);
  let at = base;
  for (let i = 0; i < kept.length; i++) {
    const p = kept[i]!;
    if (i > 0) out[at++] = 0x26; // &
    if (p instanceof ParsedPair && p.body === body) {
      // "key=" exactly as sent (when its name needed no decoding), then the value.
      if (p.keyStart >= 0) at = moveRange(out, p.keyStart, p.encoded ? p.valueStart : p.valueEnd, at);
      else at = writeKey(p.key, out, at);
      if (p.encoded) at = decodeInto(out, p.valueStart, p.valueEnd, out, at);
      else if (p.keyStart < 0) at = moveRange(out, p.valueStart, p.valueEnd, at);
    } else {
      at = writeKey(p.key, out, at);
      const value = p.value;
      out.set(value, at);
      at += value.length;
    }
  }
  return out.subarray(base, at);
}

// Reused between calls: content building is synchronous, so two calls never share it.
// Bodies beyond its (generous) size get a one-off buffer, so one large body cannot pin memory.
const SCRATCH_BYTES = 16 * 1024;
const scratchBuffer = new Uint8Array(SCRATCH_BYTES);
function scratch(size: number): Uint8Array {
  return size <= SCRATCH_BYTES ? scratchBuffer : new Uint8Array(size);
}

/** The body every parsed pair shares, or null (plain pairs, or pairs from different bodies). */
function commonBody(pairs: FormPair[]): Uint8Array | null {
  let body: Uint8Array | null = null;
  for (const p of pairs) {
    if (!(p instanceof ParsedPair)) continue;
    if (body === null) body = p.body;
    else if (p.body !== body) return null;
  }
  return body;
}

/** Copies buf[start, end) to buf at `at` (a later, non-overlapping region). Tiny runs by hand: cheaper than a call. */
function moveRange(buf: Uint8Array, start: number, end: number, at: number): number {
  if (end - start <= 8) {
    for (let i = start; i < end; i++) buf[at++] = buf[i]!;
    return at;
  }
  buf.copyWithin(at, start, end);
  return at + (end - start);
}

/** `key=`; keys hold one char per byte. */
function writeKey(key: string, out: Uint8Array, at: number): number {
  for (let k = 0; k < key.length; k++) out[at++] = key.charCodeAt(k);
  out[at++] = 0x3d; // =
  return at;
}

/** The first 6 key bytes as one exact number (< 2^48): most comparisons end there. */
function keyPrefix(p: FormPair): number {
  if (p instanceof ParsedPair) return p.sortPrefix;
  const key = p.key;
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + (i < key.length ? key.charCodeAt(i) : 0);
  return n;
}

// Reused between calls (sorting is synchronous, so never shared by two at once): a typed array per
// call would be allocated off the JS heap, which costs more than the sort itself.
let prefixScratch = new Float64Array(64);

/**
 * Byte order of keys (one char per byte, so UTF-16 order is byte order). Insertion sort: a
 * notification has a few dozen keys, often nearly sorted already, and an inlined numeric
 * comparison beats Array.prototype.sort calling back into a string comparator.
 */
function sortByKeyBytes(items: FormPair[]): void {
  if (prefixScratch.length < items.length) prefixScratch = new Float64Array(items.length * 2);
  const prefixes = prefixScratch;
  for (let i = 0; i < items.length; i++) prefixes[i] = keyPrefix(items[i]!);
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    const prefix = prefixes[i]!;
    let j = i - 1;
    while (j >= 0) {
      const other = prefixes[j]!;
      if (other < prefix || (other === prefix && items[j]!.key <= item.key)) break;
      items[j + 1] = items[j]!;
      prefixes[j + 1] = other;
      j--;
    }
    items[j + 1] = item;
    prefixes[j + 1] = prefix;
  }
}
