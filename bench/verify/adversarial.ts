// bench:verify's adversarial section: the most expensive bodies an anonymous client can send
// within the gateway's limits (no key needed: a random `sign`), timed op by op next to a real
// notification, for the default configuration (1 key, RSA2) and for 10 keys with RSA2+RSA.
// Goals (issue 9): reversed and sorted key order cost the same (ratio <= 1.2), and the worst
// body costs <= 20x a real notification with 1 key.

import { base64Encode } from '../../src/utils/base64';
import { MAX_FORM_BYTES, MAX_FORM_PAIRS } from '../../src/alipay/parse';
import { verifyForm } from '../../src/alipay/verify';
import type { VerifyOptions } from '../../src/alipay/types';
import type { Candidate } from './harness';

export const GOAL_REVERSED_OVER_SORTED = 1.2;
export const GOAL_WORST_OVER_REAL = 20;

export interface AdversarialBody {
  readonly id: string;
  readonly label: string;
  readonly body: Uint8Array;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A signature-sized random sign (2048-bit keys make 256-byte signatures), so every key gets a real verify. */
function randomSign(): string {
  return encodeURIComponent(base64Encode(crypto.getRandomValues(new Uint8Array(256))));
}

/** Distinct names in Alipay's alphabet that share `prefix` (6+ bytes: the sort's fast prefix never tells them apart). */
function collidingKeys(count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i.toString(36).padStart(3, '0')}`);
}

/** `pairs` then `sign=` (no sign_type, so every accepted public-key type is tried, under both content rules). */
function form(pairs: readonly (readonly [string, string])[]): Uint8Array {
  return ascii([...pairs.map(([k, v]) => `${k}=${v}`), `sign=${randomSign()}`].join('&'));
}

/** Fills `count` keys with equal values so the whole body is close to `bytes`. */
function fill(keys: readonly string[], bytes: number, unit: string): [string, string][] {
  const overhead = keys.reduce((n, k) => n + k.length + 2, 0) + 360; // "k=" and "&" per pair, and the sign
  const perValue = Math.max(1, Math.floor((bytes - overhead) / keys.length / unit.length));
  return keys.map((k) => [k, unit.repeat(perValue)]);
}

/**
 * The candidates for "worst body": many names that share a long prefix (the sort compares them
 * to the end), in reverse order (an insertion sort's worst case), at the pair limit, at the size
 * limit, with values that need decoding, and one huge value (hashing cost).
 */
export function adversarialBodies(maxBytes = MAX_FORM_BYTES, maxPairs = MAX_FORM_PAIRS): AdversarialBody[] {
  const names = maxPairs - 1; // one pair is the sign
  const shortKeys = collidingKeys(names, 'kaaaaa');
  const sortedShort = shortKeys.map((k) => [k, 'v'] as [string, string]);
  const longPrefix = `kaaaaa${'b'.repeat(Math.max(0, Math.floor((maxBytes - 400) / names) - 14))}`;
  const longKeys = collidingKeys(names, longPrefix).reverse();
  return [
    { id: 'sorted', label: `${names} names, shared 6-byte prefix, sorted order`, body: form(sortedShort) },
    { id: 'reversed', label: `${names} names, shared 6-byte prefix, reversed order`, body: form([...sortedShort].reverse()) },
    { id: 'reversed-long', label: `${names} names, shared ${longPrefix.length}-byte prefix, reversed, at the size cap`, body: form(fill(longKeys, maxBytes, 'v')) },
    { id: 'encoded', label: `${names} names, reversed, %XX-encoded values, at the size cap`, body: form(fill([...shortKeys].reverse(), maxBytes, '%E4')) },
    { id: 'one-value', label: 'one value of the whole size cap (hashing cost)', body: form([['subject', 'x'.repeat(maxBytes - 400)]]) },
  ];
}

export interface AdversarialConfig {
  readonly id: string;
  readonly label: string;
  readonly options: VerifyOptions;
}

/** The real notification (must verify) and each adversarial body (must be refused) as op-by-op candidates. */
export function adversarialCandidates(real: Uint8Array, bodies: readonly AdversarialBody[], config: AdversarialConfig): Candidate[] {
  return [
    { id: `${config.id}:real`, label: 'real notification (valid)', mode: 'sequential', op: async () => (await verifyForm(real, config.options)).ok },
    ...bodies.map(
      (b): Candidate => ({ id: `${config.id}:${b.id}`, label: b.label, mode: 'sequential', op: async () => !(await verifyForm(b.body, config.options)).ok }),
    ),
  ];
}
