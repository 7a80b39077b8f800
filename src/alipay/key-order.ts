// Byte order of parameter names, the order the signed content lists them in. Keys hold one char
// per byte (latin1), so comparing them as strings is comparing their bytes.

import type { FormPair } from './types';

function compareKeys(a: FormPair, b: FormPair): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * A sorted copy. Array.prototype.sort is O(n log n) in every case (a merge sort that also finds
 * ordered and reversed runs), so no key order an anonymous client picks can make it quadratic;
 * on a notification's few dozen names it is a binary insertion sort.
 */
export function sortByKey<T extends FormPair>(pairs: readonly T[]): T[] {
  return pairs.slice().sort(compareKeys);
}
