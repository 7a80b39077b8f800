// Signature verification (docs/ALIPAY.md "Sign types and verification" and "Legacy MD5").
// The accepted sign types are pinned by configuration: the message's own `sign_type` only
// selects among them, so a forged message cannot downgrade RSA2 to SHA-1 or to MD5.
// This is the per-notification hot path, measured against a bare crypto.subtle.verify by
// `npm run bench:verify`: it avoids extra awaits, closures and typed-array allocations
// (those beyond a few dozen bytes live off the JS heap and cost more than the parsing).

import { base64DecodeBytes, base64DecodeInto } from '../utils/base64';
import { latin1Decode } from '../utils/bytes';
import { timingSafeEqual } from '../utils/constant-time';
import { buildSignContent, signContentView } from './content';
import { verifyKeyFor, type VerifyHash } from './key-cache';
import { legacyMd5Sign } from './md5-sign';
import { decodeInto, isHexCode, ParsedPair, parseForm, valueLength } from './parse';
import type {
  AlipayPublicKey,
  ContentRule,
  FormPair,
  SignType,
  VerifyFailure,
  VerifyFailureReason,
  VerifyOptions,
  VerifyResult,
  VerifySuccess,
} from './types';

type RsaSignType = Exclude<SignType, 'MD5'>;

const HASH_OF: Record<RsaSignType, VerifyHash> = { RSA2: 'SHA-256', RSA: 'SHA-1' };
const RSASSA = { name: 'RSASSA-PKCS1-v1_5' } as const;
const RULES: readonly ContentRule[] = ['v1', 'v2'];
const PUBLIC_KEY_TYPES: readonly RsaSignType[] = ['RSA2', 'RSA'];
const ONLY: Record<RsaSignType, readonly RsaSignType[]> = { RSA2: ['RSA2'], RSA: ['RSA'] };

/** A 4096-bit signature is 684 base64 chars; anything much longer is not a signature. */
const MAX_SIGN_LENGTH = 2048;

const WRONG_KEY_HINT =
  'No configured key verifies this signature: check ALIPAY_PUBLIC_KEY is the Alipay public key (支付宝公钥), not your app public key (应用公钥), ' +
  'and that the body reached the gateway byte for byte (not re-encoded or re-ordered by a proxy).';

export function verifyForm(body: Uint8Array, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseForm(body);
  if (!parsed.ok) return Promise.resolve({ ok: false, reason: parsed.reason, hint: parsed.hint });
  return verifyPairs(parsed.pairs, options);
}

// Not async: failures before any crypto resolve at once, and success adds no await of its own.
export function verifyPairs(pairs: FormPair[], options: VerifyOptions): Promise<VerifyResult> {
  let signPair: FormPair | undefined;
  let signTypeValue: Uint8Array | undefined;
  for (const p of pairs) {
    if (p.key === 'sign') signPair ??= p;
    else if (p.key === 'sign_type') signTypeValue ??= p.value;
  }
  if (signTypeValue !== undefined && signTypeValue.length === 0) signTypeValue = undefined;
  const refuse = (reason: VerifyFailureReason, hint: string) => Promise.resolve(failure(pairs, signTypeValue, reason, hint));

  if (signPair === undefined || valueLength(signPair) === 0) {
    return refuse('missing-signature', 'The body has no `sign` parameter: it is not a signed Alipay notification (or the body was cut short).');
  }

  if (signTypeValue !== undefined) {
    const type = signTypeNamed(signTypeValue);
    if (type === undefined) {
      return refuse(
        'sign-type-not-accepted',
        `The message says sign_type=${latin1Decode(signTypeValue.subarray(0, 16))}, which this gateway cannot verify (it knows RSA2, RSA and MD5).`,
      );
    }
    if (!options.signTypes.includes(type)) return refuse('sign-type-not-accepted', notAcceptedHint(type, options));
    if (type === 'MD5') return Promise.resolve(verifyMd5(pairs, signTypeValue, signText(signPair), options.md5Key));
    return verifyRsa(pairs, signTypeValue, signPair, ONLY[type], options.keys);
  }

  // No sign_type (some return_url queries and app-gateway messages): try the accepted
  // public-key types, strongest first. MD5 needs an explicit sign_type=MD5.
  const candidates = PUBLIC_KEY_TYPES.filter((t) => options.signTypes.includes(t));
  if (candidates.length === 0) {
    return refuse(
      'sign-type-not-accepted',
      `The message has no sign_type and ALIPAY_SIGN_TYPES allows ${acceptedList(options)}; legacy MD5 notifications always carry sign_type=MD5.`,
    );
  }
  return verifyRsa(pairs, undefined, signPair, candidates, options.keys);
}

/** The sign type named by `sign_type` bytes (ASCII, any case), without making a string on the hot path. */
function signTypeNamed(b: Uint8Array): SignType | undefined {
  const upper = (i: number) => b[i]! & 0xdf; // ASCII letters to upper case; digits compared as they are
  if (b.length === 4 && upper(0) === 0x52 && upper(1) === 0x53 && upper(2) === 0x41 && b[3] === 0x32) return 'RSA2';
  if (b.length === 3 && upper(0) === 0x52 && upper(1) === 0x53 && upper(2) === 0x41) return 'RSA';
  if (b.length === 3 && upper(0) === 0x4d && upper(1) === 0x44 && b[2] === 0x35) return 'MD5';
  return undefined;
}

// The sign's text, percent-decoded into a reused buffer instead of a fresh off-heap array.
// Valid only until the next call: callers read it before their first await and never keep it.
const signScratch = new Uint8Array(MAX_SIGN_LENGTH);
function signText(pair: FormPair): Uint8Array {
  if (pair instanceof ParsedPair && pair.encoded && pair.valueLength <= MAX_SIGN_LENGTH) {
    return signScratch.subarray(0, decodeInto(pair.body, pair.valueStart, pair.valueEnd, signScratch, 0));
  }
  return pair.value;
}

function failure(pairs: FormPair[], signTypeValue: Uint8Array | undefined, reason: VerifyFailureReason, hint: string): VerifyFailure {
  return {
    ok: false,
    reason,
    hint,
    pairs,
    signContent: buildSignContent(pairs, 'v1'),
    ...(signTypeValue === undefined ? {} : { claimedSignType: latin1Decode(signTypeValue) }),
  };
}

function acceptedList(options: VerifyOptions): string {
  return options.signTypes.join(',') || '(none)';
}

function notAcceptedHint(type: SignType, options: VerifyOptions): string {
  const weaker = type === 'RSA' ? ' (RSA is SHA-1: accept it only for a legacy app that really uses it)' : '';
  return (
    `The message says ${type} but ALIPAY_SIGN_TYPES allows ${acceptedList(options)}. If your Alipay app really signs with ${type}, ` +
    `add it to ALIPAY_SIGN_TYPES${weaker}; otherwise this message was not made by Alipay for this app.`
  );
}

/**
 * The signature, decoded into a reused buffer when it is canonical base64 (always, from Alipay),
 * else into a fresh array. Like signText, valid only until the next call: rebuilt before each use.
 */
const signatureScratch = new Uint8Array(MAX_SIGN_LENGTH);
function signatureFrom(text: Uint8Array): Uint8Array | null {
  const length = base64DecodeInto(text, signatureScratch);
  return length >= 0 ? signatureScratch.subarray(0, length) : base64DecodeBytes(text);
}

/**
 * A verified result. The verified bytes lived in a reused buffer, so `signContent` is built again,
 * once, only for a caller that reads it (the gateway does not; the CLI does). A class, not an
 * object literal with a getter: literals with accessors take a slow path on every creation.
 */
class Verified implements VerifySuccess {
  readonly ok = true as const;
  private content: Uint8Array | undefined;
  constructor(
    readonly pairs: FormPair[],
    readonly signType: SignType,
    readonly rule: ContentRule,
    readonly keyIndex: number,
    readonly keyFingerprint: string | null,
  ) {}
  get signContent(): Uint8Array {
    return (this.content ??= buildSignContent(this.pairs, this.rule, this.signType));
  }
}

async function verifyRsa(
  pairs: FormPair[],
  signTypeValue: Uint8Array | undefined,
  signPair: FormPair,
  types: readonly RsaSignType[],
  keys: readonly AlipayPublicKey[],
): Promise<VerifyResult> {
  const fail = (reason: VerifyFailureReason, hint: string) => failure(pairs, signTypeValue, reason, hint);
  if (keys.length === 0) return fail('no-usable-key', 'RSA verification needs ALIPAY_PUBLIC_KEY (the Alipay public key); none is configured.');
  const sign = signText(signPair);
  if (sign.length > MAX_SIGN_LENGTH) return fail('signature-encoding', `The sign is ${sign.length} characters long: too long to be an RSA signature.`);
  // `signature` and the content are views into reused buffers: made right before each
  // crypto.subtle.verify call (which copies them), and dropped at every await.
  let signature: Uint8Array | null;
  const canonicalLength = base64DecodeInto(sign, signatureScratch);
  if (canonicalLength >= 0) {
    signature = signatureScratch.subarray(0, canonicalLength);
  } else {
    // base64 has no spaces, and Alipay never wraps a sign: a space is a "+" that was not percent-encoded
    // by whoever built the body. Said plainly here, since the decoded length would mislead. Looked for
    // only here: the canonical decode above accepts no space, so a sign it decoded has none.
    if (sign.includes(0x20)) {
      return fail(
        'signature-encoding',
        'The sign contains spaces: a "+" in it was not percent-encoded, so it arrived as a space. Was the body rebuilt or re-encoded before it reached the gateway?',
      );
    }
    signature = base64DecodeBytes(sign);
  }
  if (signature === null || signature.length === 0) {
    return fail('signature-encoding', 'The sign is not base64: RSA2/RSA signatures are base64 text. Was the body altered on the way?');
  }
  const signatureLength = signature.length;

  let lengthMatches = 0;
  let importFailures = 0;
  for (const rule of RULES) {
    for (const type of types) {
      for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
        const key = keys[keyIndex]!;
        // PKCS#1 v1.5 signatures are exactly as long as the modulus. A wrong length (a truncated
        // sign, a signature from another key) is a mismatch; WebCrypto might throw on it instead.
        if (signatureLength !== (key.modulusBits + 7) >> 3) continue;
        lengthMatches++;
        let cryptoKey: CryptoKey;
        try {
          const known = verifyKeyFor(key, HASH_OF[type]);
          if (known instanceof Promise) {
            signature = null;
            cryptoKey = await known;
          } else {
            cryptoKey = known; // no await once imported
          }
        } catch {
          importFailures++;
          continue;
        }
        signature ??= signatureFrom(signText(signPair))!;
        // v2 content depends on the type only when the message has no sign_type (it is then inserted).
        const content = signContentView(pairs, rule, type);
        let valid = false;
        try {
          const pending = crypto.subtle.verify(RSASSA, cryptoKey, signature, content);
          signature = null;
          valid = await pending;
        } catch {
          signature = null;
          valid = false;
        }
        if (valid) return new Verified(pairs, type, rule, keyIndex, key.fingerprint);
      }
    }
  }

  if (lengthMatches === 0) {
    const keyBytes = [...new Set(keys.map((k) => (k.modulusBits + 7) >> 3))].join(' or ');
    return fail(
      'signature-mismatch',
      `The signature is ${signatureLength} bytes but the configured key(s) make ${keyBytes}-byte signatures: ` +
        'the sign is truncated or was made with a different key (e.g. the 1024-bit legacy key vs a 2048-bit RSA2 key).',
    );
  }
  if (importFailures === lengthMatches) {
    return fail('no-usable-key', 'None of the configured Alipay public keys could be imported for RSA verification.');
  }
  return fail('signature-mismatch', WRONG_KEY_HINT);
}

function isHex(b: Uint8Array): boolean {
  return b.every(isHexCode);
}

/** `sign` may be the reused sign buffer: this is synchronous, so it is read at once. */
function verifyMd5(pairs: FormPair[], signTypeValue: Uint8Array, sign: Uint8Array, md5Key: Uint8Array | undefined): VerifyResult {
  if (md5Key === undefined || md5Key.length === 0) {
    return failure(pairs, signTypeValue, 'no-usable-key', 'The message is signed with MD5 but ALIPAY_MD5_KEY (the legacy partner key) is not configured.');
  }
  if (sign.length !== 32 || !isHex(sign)) {
    return failure(pairs, signTypeValue, 'signature-encoding', 'An MD5 sign is 32 hex characters; this one is not. Was the body altered on the way?');
  }
  // Legacy content is the v1 content.
  const content = buildSignContent(pairs, 'v1');
  const expected = legacyMd5Sign(content, md5Key);
  const given = sign.map((c) => (c >= 0x41 && c <= 0x46 ? c + 0x20 : c)); // hex compares lowercase
  if (timingSafeEqual(expected, given)) {
    return { ok: true, signType: 'MD5', rule: 'v1', keyIndex: -1, keyFingerprint: null, pairs, signContent: content };
  }
  return failure(
    pairs,
    signTypeValue,
    'signature-mismatch',
    'The MD5 sign does not match: check ALIPAY_MD5_KEY is the partner MD5 key of this seller (合作伙伴密钥), and that the body was not re-encoded on the way.',
  );
}
