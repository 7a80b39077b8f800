// The one place a signature is checked with crypto.subtle.verify, and the buffers it reuses.
//
// A content verified exactly once (the usual case: one key, one sign type) and the signature are
// written into this module's buffers instead of fresh arrays: fresh typed arrays of this size are
// allocated off the JS heap, and in workerd that costs ~3 us per verification, ~10% of the RSA
// verify itself (measured with `npm run bench:verify`, workerd CPU time). The buffers cannot be
// misused by construction: they are private to this module, and only measureSignature and
// startVerify touch them, each within one synchronous call that never hands a buffer out.
// startVerify passes them to crypto.subtle.verify, which copies its inputs before it returns
// (WebCrypto: "get a copy of the bytes held by the buffer source"), so no await anywhere can let
// one verification see another's bytes.

import { base64DecodeBytes } from '../utils/base64';
import { signContentBufferSize, signContentInto } from './content';
import { HEX_VALUE, MAX_FORM_BYTES, ParsedPair, valueLength } from './parse';
import type { ContentRule, FormPair, ParsedForm } from './types';
import type { RsaSignType } from './verify';

const RSASSA = { name: 'RSASSA-PKCS1-v1_5' } as const;

/** A 4096-bit signature is 684 base64 chars; anything much longer is not a signature. */
export const MAX_SIGN_LENGTH = 2048;

const CONTENT_SCRATCH = new Uint8Array(signContentBufferSize(MAX_FORM_BYTES));
const SIGNATURE_SCRATCH = new Uint8Array(MAX_SIGN_LENGTH);

const BASE64_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) BASE64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
const PAD = 0x3d;

/**
 * The sign as canonical base64 (whole quads, "=" padding only at the end: Alipay's always is),
 * decoded into `out` straight from the body, its %XX escapes (%2B, %2F, %3D) decoded on the way;
 * -1 when it is not in that form. One pass, no intermediate text.
 */
function decodeSign(pair: ParsedPair, out: Uint8Array): number {
  const { body, valueStart, valueEnd } = pair;
  let acc = 0;
  let count = 0;
  let pad = 0;
  let o = 0;
  for (let i = valueStart; i < valueEnd; i++) {
    let c = body[i]!;
    if (c === 0x25) {
      c = (HEX_VALUE[body[i + 1]!]! << 4) | HEX_VALUE[body[i + 2]!]!; // validated by parseForm
      i += 2;
    } else if (c === 0x2b) {
      return -1; // a raw "+" is a space in a form body
    }
    count++;
    if (c === PAD) {
      pad++;
      continue;
    }
    const v = BASE64_VALUE[c]!;
    if (v < 0 || pad > 0) return -1; // not the alphabet ("+" sent raw arrives as a space), or data after "="
    acc = (acc << 6) | v;
    if ((count & 3) === 0) {
      out[o++] = acc >> 16;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
    }
  }
  if ((count & 3) !== 0 || pad > 2) return -1;
  if (pad === 1) {
    out[o++] = acc >> 10;
    out[o++] = (acc >> 2) & 0xff;
  } else if (pad === 2) {
    out[o++] = acc >> 4;
  }
  return o;
}

/** The signature, decoded into the scratch (canonical base64 from a parsed body), else into a fresh array; null when not base64. */
function signatureOf(signPair: FormPair): Uint8Array | null {
  if (signPair instanceof ParsedPair) {
    const length = decodeSign(signPair, SIGNATURE_SCRATCH);
    if (length >= 0) return SIGNATURE_SCRATCH.subarray(0, length);
  }
  return base64DecodeBytes(signPair.value);
}

export type SignatureCheck = number | 'too-long' | 'spaces' | 'not-base64';

// Canonical base64 as a form body carries it: alphabet chars, "+" escaped (%2B), "/" and "=" escaped or not.
const CANONICAL_SIGN = /^(?:[A-Za-z0-9/]|%2[Bb]|%2[Ff])*((?:=|%3[Dd]){0,2})$/;

/** The signature's length in bytes, or what is wrong with the sign. Checks the text; decodes only an unusual one. */
export function measureSignature(signPair: FormPair): SignatureCheck {
  if (valueLength(signPair) > MAX_SIGN_LENGTH) return 'too-long';
  if (signPair instanceof ParsedPair && signPair.valueLength % 4 === 0) {
    const padding = CANONICAL_SIGN.exec(signPair.bodyText.slice(signPair.valueStart, signPair.valueEnd))?.[1];
    if (padding !== undefined && signPair.valueLength > 0) {
      const pad = padding.length === 0 ? 0 : padding === '=' || padding.length === 3 ? 1 : 2;
      return (signPair.valueLength / 4) * 3 - pad;
    }
  }
  const signature = signatureOf(signPair);
  if (signature !== null && signature.length > 0) return signature.length;
  // base64 has no spaces, and Alipay never wraps a sign: a space is a "+" that was not
  // percent-encoded by whoever built the body. Said plainly, since a decoded length would mislead.
  return signPair.value.includes(0x20) ? 'spaces' : 'not-base64';
}

/**
 * Starts one crypto.subtle.verify with the signature and `content`, or when there is none (a
 * content verified once), the content of `form` for `rule` and `type` built here into the
 * scratch. WebCrypto copies both before returning its promise.
 */
export function startVerify(key: CryptoKey, signPair: FormPair, content: Uint8Array | undefined, form: ParsedForm, rule: ContentRule, type: RsaSignType): Promise<boolean> {
  const signature = signatureOf(signPair)!;
  const bytes = content ?? signContentInto(form.sorted, rule, type, CONTENT_SCRATCH);
  return crypto.subtle.verify(RSASSA, key, signature, bytes);
}
