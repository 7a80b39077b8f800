// Byte order of parameter names, the order the signed content lists them in. Keys hold one char
// per byte (latin1), so comparing them as strings is comparing their bytes.

import type { FormPair } from './types';

/** A pair that carries its name's first 6 bytes as one exact number (< 2^48), so most comparisons are numeric. */
export interface PrefixedPair extends FormPair {
  readonly sortPrefix: number;
}

/** A name's first 6 chars (bytes) as one number, zero-padded: numeric order is byte order. */
export function keyPrefix(key: string): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + (i < key.length ? key.charCodeAt(i) : 0);
  return n;
}

function compareKeys(a: FormPair, b: FormPair): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function comparePrefixed(a: PrefixedPair, b: PrefixedPair): number {
  return a.sortPrefix - b.sortPrefix || compareKeys(a, b);
}

/**
 * A sorted copy. Array.prototype.sort is O(n log n) in every case (a merge sort that also finds
 * ordered and reversed runs), so no key order an anonymous client picks can make it quadratic.
 */
export function sortByKey<T extends FormPair>(pairs: readonly T[]): T[] {
  return pairs.slice().sort(compareKeys);
}

/** Up to this many pairs (every real notification), an inlined insertion sort: at most n^2/2 numeric comparisons. */
const INSERTION_SORT_MAX = 48;

/**
 * sortByKey for parsed pairs, on the hot path: a notification's few dozen names are sorted by
 * insertion on their numeric prefixes (no comparator calls), bounded by INSERTION_SORT_MAX;
 * more names than that go to Array.prototype.sort, so the cost stays O(n log n) for any body.
 */
export function sortPrefixed<T extends PrefixedPair>(pairs: readonly T[]): T[] {
  const items = pairs.slice();
  if (items.length > INSERTION_SORT_MAX) return items.sort(comparePrefixed);
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    const prefix = item.sortPrefix;
    let j = i - 1;
    while (j >= 0) {
      const other = items[j]!;
      if (other.sortPrefix < prefix || (other.sortPrefix === prefix && other.key <= item.key)) break;
      items[j + 1] = other;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}
