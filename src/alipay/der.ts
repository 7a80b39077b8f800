// A minimal DER reader: just enough ASN.1 to take apart keys and X.509 certificates.
// Every read is bounds-checked and returns null (or a reason) on bad input, so callers can turn
// "this is not the structure I expected" into a message about what the material looks like,
// instead of letting an opaque ASN.1 exception escape.

import { concatBytes } from '../utils/bytes';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One tag-length-value element. `value` is a view into the input (no copy). */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number in one byte). */
  readonly tag: number;
  readonly value: Uint8Array;
  /** The whole element, header included: what gets hashed or re-encoded. */
  readonly raw: Uint8Array;
}

/** Why a buffer is not exactly one DER element. `truncated` and `trailing` carry the sizes for messages. */
export type DerParseResult =
  | { ok: true; tlv: Tlv }
  | { ok: false; reason: 'empty' | 'bad-header' }
  | { ok: false; reason: 'truncated'; declared: number; available: number }
  | { ok: false; reason: 'trailing'; declared: number; available: number };

interface Header {
  tag: number;
  headerLength: number;
  length: number;
}

// Lengths above 16 MiB are never keys or certificates; refusing them keeps arithmetic in safe range.
const MAX_LENGTH = 1 << 24;

function readHeader(bytes: Uint8Array, offset: number): Header | null {
  if (offset + 2 > bytes.length) return null;
  const tag = bytes[offset]!;
  // High-tag-number form (tag number >= 31) never occurs in keys or certificates.
  if ((tag & 0x1f) === 0x1f) return null;
  const first = bytes[offset + 1]!;
  if (first < 0x80) return { tag, headerLength: 2, length: first };
  const count = first & 0x7f;
  // 0x80 is BER's indefinite length, which DER forbids; more than 3 length octets exceeds MAX_LENGTH.
  if (count === 0 || count > 3 || offset + 2 + count > bytes.length) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i]!;
  if (length > MAX_LENGTH) return null;
  return { tag, headerLength: 2 + count, length };
}

/** Reads the element starting at `offset`; null when the header is bad or the value runs past the end. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv | null {
  const h = readHeader(bytes, offset);
  if (!h) return null;
  const end = offset + h.headerLength + h.length;
  if (end > bytes.length) return null;
  return {
    tag: h.tag,
    value: bytes.subarray(offset + h.headerLength, end),
    raw: bytes.subarray(offset, end),
  };
}

/**
 * The declared total size (header + value) of the element at the start of `bytes`, from its header
 * alone. Lets a caller see how much material a key SHOULD have before all of it is present.
 */
export function declaredSize(bytes: Uint8Array): number | null {
  const h = readHeader(bytes, 0);
  return h ? h.headerLength + h.length : null;
}

/** Parses a buffer that must hold exactly one DER element, saying why when it does not. */
export function parseDer(bytes: Uint8Array): DerParseResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  const h = readHeader(bytes, 0);
  if (!h) return { ok: false, reason: 'bad-header' };
  const declared = h.headerLength + h.length;
  if (declared > bytes.length) return { ok: false, reason: 'truncated', declared, available: bytes.length };
  if (declared < bytes.length) return { ok: false, reason: 'trailing', declared, available: bytes.length };
  return { ok: true, tlv: { tag: h.tag, value: bytes.subarray(h.headerLength), raw: bytes } };
}

/** The elements inside a constructed element, in order; null when they do not exactly fill it. */
export function children(tlv: Tlv): Tlv[] | null {
  if ((tlv.tag & 0x20) === 0) return null;
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < tlv.value.length) {
    const child = readTlv(tlv.value, offset);
    if (!child) return null;
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** Children of a SEQUENCE, or null when `tlv` is not a well-formed SEQUENCE. */
export function sequence(tlv: Tlv | undefined): Tlv[] | null {
  if (!tlv || tlv.tag !== TAG.SEQUENCE) return null;
  return children(tlv);
}

/** Dotted-decimal text of an OBJECT IDENTIFIER's value; null when malformed. */
export function decodeOid(tlv: Tlv | undefined): string | null {
  if (!tlv || tlv.tag !== TAG.OID || tlv.value.length === 0) return null;
  const v = tlv.value;
  const arcs: bigint[] = [];
  let acc = 0n;
  let inArc = false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (!inArc && b === 0x80) return null; // non-minimal encoding
    acc = (acc << 7n) | BigInt(b & 0x7f);
    inArc = (b & 0x80) !== 0;
    if (!inArc) {
      arcs.push(acc);
      acc = 0n;
    }
  }
  if (inArc) return null;
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
}

/** The unsigned magnitude of a non-negative INTEGER (leading zero octets removed); null if negative or malformed. */
export function unsignedInteger(tlv: Tlv | undefined): Uint8Array | null {
  if (!tlv || tlv.tag !== TAG.INTEGER || tlv.value.length === 0) return null;
  const v = tlv.value;
  if (v[0]! & 0x80) return null;
  let start = 0;
  while (start < v.length - 1 && v[start] === 0) start++;
  return v.subarray(start);
}

/** An INTEGER as a BigInt (two's complement, so negative serials from old CAs read correctly). */
export function integerValue(tlv: Tlv | undefined): bigint | null {
  if (!tlv || tlv.tag !== TAG.INTEGER || tlv.value.length === 0) return null;
  let n = 0n;
  for (const b of tlv.value) n = (n << 8n) | BigInt(b);
  if (tlv.value[0]! & 0x80) n -= 1n << BigInt(tlv.value.length * 8);
  return n;
}

/** An INTEGER of a small known value (a version field: 0, 1, 3); cheap, so structures can be told apart by it. */
export function isSmallInteger(tlv: Tlv | undefined, value: bigint): boolean {
  return !!tlv && tlv.tag === TAG.INTEGER && tlv.value.length <= 2 && integerValue(tlv) === value;
}

/** Number of significant bits in an unsigned big-endian magnitude (an RSA modulus size). */
export function bitLength(magnitude: Uint8Array): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i]!));
}

/** The contents of a BIT STRING that has no unused bits (how keys and signatures are stored). */
export function bitStringBytes(tlv: Tlv | undefined): Uint8Array | null {
  if (!tlv || tlv.tag !== TAG.BIT_STRING || tlv.value.length === 0 || tlv.value[0] !== 0) return null;
  return tlv.value.subarray(1);
}

// ---- writing: only what wrapping a PKCS#1 key into SubjectPublicKeyInfo needs ----

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n & 0xff);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** Encodes one element from a tag and its (already encoded) contents. */
export function encodeTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concatBytes(...contents);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}
