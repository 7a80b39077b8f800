// Signature verification (docs/ALIPAY.md "Sign types and verification" and "Legacy MD5").
// The accepted sign types are pinned by configuration: the message's own `sign_type` only
// selects among them, so a forged message cannot downgrade RSA2 to SHA-1 or to MD5.
//
// Cost: one parse, one sort, and each signed content built at most once per request (v1, and v2
// once, or once per sign type when the message names none), whatever the number of keys and
// types tried; the content a failure reports is built only when read.
// The crypto.subtle.verify call itself, with its reused buffers, is in subtle-verify.ts.

import { latin1Decode } from '../utils/bytes';
import { timingSafeEqual } from '../utils/constant-time';
import { signContentOf } from './content';
import { sortByKey } from './key-order';
import { verifyKeyFor, type VerifyHash } from './key-cache';
import { legacyMd5Sign } from './md5-sign';
import { isHexCode, parseForm, valueLength } from './parse';
import { measureSignature, startVerify } from './subtle-verify';
import type {
  Advice,
  AlipayPublicKey,
  ContentRule,
  FormPair,
  ParsedForm,
  SignType,
  VerifyFailure,
  VerifyFailureReason,
  VerifyOptions,
  VerifyResult,
  VerifySuccess,
} from './types';

const HASH_OF: Record<RsaSignType, VerifyHash> = { RSA2: 'SHA-256', RSA: 'SHA-1' };
const PUBLIC_KEY_TYPES: readonly RsaSignType[] = ['RSA2', 'RSA'];
export type RsaSignType = Exclude<SignType, 'MD5'>;
const RULES: readonly ContentRule[] = ['v1', 'v2'];
const ONLY: Record<RsaSignType, readonly RsaSignType[]> = { RSA2: ['RSA2'], RSA: ['RSA'] };

export function verifyForm(body: Uint8Array, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseForm(body);
  if (!parsed.ok) return Promise.resolve({ ok: false, reason: parsed.reason, hint: parsed.hint });
  return verifyParsed(parsed, options);
}

/**
 * Pairs from anywhere (a return query, a test); a parsed form (parseForm's result) is verified
 * as it is, plain pairs are put in key order first, and a repeated key is refused as parseForm does.
 */
export function verifyPairs(pairs: FormPair[] | ParsedForm, options: VerifyOptions): Promise<VerifyResult> {
  if (!Array.isArray(pairs)) return verifyParsed(pairs, options);
  const sorted = sortByKey(pairs);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.key === sorted[i - 1]!.key) {
      return Promise.resolve({ ok: false, reason: 'duplicate-key', hint: `Parameter "${sorted[i]!.key.slice(0, 40)}" appears twice.`, pairs });
    }
  }
  return verifyParsed({ pairs, sorted }, options);
}

// Not async: failures before any crypto resolve at once, and success adds no await of its own.
function verifyParsed(form: ParsedForm, options: VerifyOptions): Promise<VerifyResult> {
  let signPair: FormPair | undefined;
  let signTypeValue: Uint8Array | undefined;
  let certSnValue: Uint8Array | undefined;
  for (const p of form.pairs) {
    if (p.key === 'sign') signPair = p;
    else if (p.key === 'sign_type') signTypeValue = p.value;
    else if (p.key === 'alipay_cert_sn') certSnValue = p.value;
  }
  if (signTypeValue !== undefined && signTypeValue.length === 0) signTypeValue = undefined;
  const refuse = (reason: VerifyFailureReason, hint: string, advice?: Advice) => Promise.resolve(new Refused(form, signTypeValue, reason, hint, advice));

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
    if (!options.signTypes.includes(type)) {
      const weaker = type === 'RSA' ? ' (RSA is SHA-1: accept it only for a legacy app that really uses it)' : '';
      return refuse(
        'sign-type-not-accepted',
        `The message says ${type} but only ${acceptedList(options)} is accepted${weaker}.`,
        { kind: 'accept-sign-type', signType: type, accepted: options.signTypes },
      );
    }
    if (type === 'MD5') return Promise.resolve(verifyMd5(form, signTypeValue, signPair.value, options.md5Key));
    return verifyRsa(form, signTypeValue, signPair, ONLY[type], options.keys, certSnValue);
  }

  // No sign_type (some return_url queries and app-gateway messages): try the accepted
  // public-key types, strongest first. MD5 needs an explicit sign_type=MD5.
  const candidates = PUBLIC_KEY_TYPES.filter((t) => options.signTypes.includes(t));
  if (candidates.length === 0) {
    return refuse(
      'sign-type-not-accepted',
      `The message has no sign_type and only ${acceptedList(options)} is accepted; legacy MD5 notifications always carry sign_type=MD5.`,
      { kind: 'accept-public-key-sign-type', accepted: options.signTypes },
    );
  }
  return verifyRsa(form, undefined, signPair, candidates, options.keys, certSnValue);
}

/** The sign type named by `sign_type` bytes (ASCII, any case), without making a string on the hot path. */
function signTypeNamed(b: Uint8Array): SignType | undefined {
  const upper = (i: number) => b[i]! & 0xdf; // ASCII letters to upper case; digits compared as they are
  if (b.length === 4 && upper(0) === 0x52 && upper(1) === 0x53 && upper(2) === 0x41 && b[3] === 0x32) return 'RSA2';
  if (b.length === 3 && upper(0) === 0x52 && upper(1) === 0x53 && upper(2) === 0x41) return 'RSA';
  if (b.length === 3 && upper(0) === 0x4d && upper(1) === 0x44 && b[2] === 0x35) return 'MD5';
  return undefined;
}

function acceptedList(options: VerifyOptions): string {
  return options.signTypes.join(',') || '(none)';
}

/**
 * A refusal. The v1 content it reports (what a merchant diffs against their own code) is built
 * when first read, or handed over when verification already built it: the gateway never reads it.
 * A class, not an object literal with a getter: literals with accessors take a slow path on every creation.
 */
class Refused implements VerifyFailure {
  readonly ok = false as const;
  readonly pairs: FormPair[];
  readonly claimedSignType?: string;
  readonly advice?: Advice;
  private content: Uint8Array | undefined;
  constructor(
    private readonly form: ParsedForm,
    signTypeValue: Uint8Array | undefined,
    readonly reason: VerifyFailureReason,
    readonly hint: string,
    advice?: Advice,
    v1Content?: Uint8Array,
  ) {
    this.pairs = form.pairs;
    if (signTypeValue !== undefined) this.claimedSignType = latin1Decode(signTypeValue);
    if (advice !== undefined) this.advice = advice;
    this.content = v1Content;
  }
  get signContent(): Uint8Array {
    return (this.content ??= signContentOf(this.form.sorted, 'v1'));
  }
}

/** A verified result. `signContent` is the content that matched: kept when it was built for reuse, else rebuilt on first read (the gateway never reads it). */
class Verified implements VerifySuccess {
  readonly ok = true as const;
  readonly pairs: FormPair[];
  constructor(
    private readonly form: ParsedForm,
    readonly signType: SignType,
    readonly rule: ContentRule,
    readonly keyIndex: number,
    readonly keyFingerprint: string | null,
    private content: Uint8Array | undefined,
  ) {
    this.pairs = form.pairs;
  }
  get signContent(): Uint8Array {
    return (this.content ??= signContentOf(this.form.sorted, this.rule, this.signType));
  }
}

// ---- RSA2 / RSA --------------------------------------------------------------------------------

/** An Alipay certificate SN: md5 hex of the issuer and serial (docs/ALIPAY.md "Keys"). Anything else named as one is not Alipay's. */
const CERT_SN = /^[0-9a-f]{32}$/;

/**
 * Certificate mode (some configured key is a certificate) and the message names its certificate
 * (`alipay_cert_sn`, part of the signed content): the keys of that certificate are the only ones
 * tried. A name no configured certificate has is tried against every key (a renewed certificate
 * may hold the same key) and, if none verifies, refused as `unknown-cert-sn`.
 */
function keysNamedBy(certSnValue: Uint8Array | undefined, keys: readonly AlipayPublicKey[]): { indexes: number[]; unknownSn: string | null } {
  const all = keys.map((_k, i) => i);
  if (certSnValue === undefined || certSnValue.length === 0 || !keys.some((k) => k.certSn !== undefined)) return { indexes: all, unknownSn: null };
  const named = latin1Decode(certSnValue.subarray(0, 64)).toLowerCase();
  const matching = all.filter((i) => keys[i]!.certSn === named);
  if (matching.length > 0) return { indexes: matching, unknownSn: null };
  return { indexes: all, unknownSn: CERT_SN.test(named) ? named : null };
}

async function verifyRsa(
  form: ParsedForm,
  signTypeValue: Uint8Array | undefined,
  signPair: FormPair,
  types: readonly RsaSignType[],
  keys: readonly AlipayPublicKey[],
  certSnValue: Uint8Array | undefined,
): Promise<VerifyResult> {
  // Contents built to be verified more than once (several keys or types), kept for the refusal.
  let v1: Uint8Array | undefined;
  let v2: Map<RsaSignType, Uint8Array> | undefined;
  const fail = (reason: VerifyFailureReason, hint: string, advice?: Advice) => new Refused(form, signTypeValue, reason, hint, advice, v1);
  if (keys.length === 0) {
    return fail('no-usable-key', 'RSA verification needs the Alipay public key (支付宝公钥); none is configured.', { kind: 'configure-public-key' });
  }
  const signatureLength = measureSignature(signPair);
  if (signatureLength === 'too-long') return fail('signature-encoding', `The sign is ${valueLength(signPair)} characters long: too long to be an RSA signature.`);
  if (signatureLength === 'spaces') {
    return fail(
      'signature-encoding',
      'The sign contains spaces: a "+" in it was not percent-encoded, so it arrived as a space. Was the body rebuilt or re-encoded before it reached the gateway?',
    );
  }
  if (signatureLength === 'not-base64') {
    return fail('signature-encoding', 'The sign is not base64: RSA2/RSA signatures are base64 text. Was the body altered on the way?');
  }

  // PKCS#1 v1.5 signatures are exactly as long as the modulus. A wrong length (a truncated sign, a
  // signature from another key) is a mismatch; WebCrypto might throw on it instead.
  const { indexes, unknownSn } = keysNamedBy(certSnValue, keys);
  const unknownCertificate = () =>
    fail(
      'unknown-cert-sn',
      `The notification names Alipay certificate SN ${unknownSn}, which is not among the configured certificates, and no configured key verifies it: ` +
        'Alipay may have renewed its certificate (alipayCertPublicKey_RSA2.crt), or the message is not from Alipay.',
      { kind: 'update-alipay-cert', sn: unknownSn! },
    );
  const usable: number[] = [];
  for (const i of indexes) if ((keys[i]!.modulusBits + 7) >> 3 === signatureLength) usable.push(i);
  if (usable.length === 0) {
    if (unknownSn !== null) return unknownCertificate();
    const keyBytes = [...new Set(keys.map((k) => (k.modulusBits + 7) >> 3))].join(' or ');
    return fail(
      'signature-mismatch',
      `The signature is ${signatureLength} bytes but the configured key(s) make ${keyBytes}-byte signatures: ` +
        'the sign is truncated or was made with a different key (e.g. the 1024-bit legacy key vs a 2048-bit RSA2 key).',
    );
  }

  let importFailures = 0;
  for (const rule of RULES) {
    // v1 is the same for every type; v2 too when the message names its sign_type (then there is one type).
    const sharedByTypes = rule === 'v1' || signTypeValue !== undefined;
    const verifiedTimes = usable.length * (sharedByTypes ? types.length : 1);
    for (const type of types) {
      let content: Uint8Array | undefined;
      if (verifiedTimes > 1) {
        if (rule === 'v1') content = v1 ??= signContentOf(form.sorted, 'v1');
        else {
          v2 ??= new Map();
          let built = v2.get(type);
          if (built === undefined) v2.set(type, (built = signContentOf(form.sorted, 'v2', type)));
          content = built;
        }
      }
      for (const keyIndex of usable) {
        const key = keys[keyIndex]!;
        let cryptoKey: CryptoKey;
        try {
          const known = verifyKeyFor(key, HASH_OF[type]);
          cryptoKey = known instanceof Promise ? await known : known; // no await once imported
        } catch {
          importFailures++;
          continue;
        }
        let valid: boolean;
        try {
          valid = await startVerify(cryptoKey, signPair, content, form, rule, type);
        } catch {
          valid = false;
        }
        if (valid) return new Verified(form, type, rule, keyIndex, key.fingerprint, content);
      }
    }
  }

  if (importFailures === usable.length * types.length * RULES.length) {
    return fail('no-usable-key', 'None of the configured Alipay public keys could be imported for RSA verification.');
  }
  if (unknownSn !== null) return unknownCertificate();
  return fail(
    'signature-mismatch',
    'No configured key verifies this signature: the key may be your app public key (应用公钥) instead of the Alipay public key (支付宝公钥), ' +
      'or the body did not reach the gateway byte for byte (re-encoded or re-ordered by a proxy).',
    { kind: 'check-public-key' },
  );
}

// ---- legacy MD5 --------------------------------------------------------------------------------

function isHex(b: Uint8Array): boolean {
  return b.every(isHexCode);
}

function verifyMd5(form: ParsedForm, signTypeValue: Uint8Array, sign: Uint8Array, md5Key: Uint8Array | undefined): VerifyResult {
  if (md5Key === undefined || md5Key.length === 0) {
    return new Refused(form, signTypeValue, 'no-usable-key', 'The message is signed with MD5 but no legacy MD5 partner key is configured.', {
      kind: 'configure-md5-key',
    });
  }
  if (sign.length !== 32 || !isHex(sign)) {
    return new Refused(form, signTypeValue, 'signature-encoding', 'An MD5 sign is 32 hex characters; this one is not. Was the body altered on the way?');
  }
  // Legacy content is the v1 content.
  const content = signContentOf(form.sorted, 'v1');
  const expected = legacyMd5Sign(content, md5Key);
  const given = sign.map((c) => (c >= 0x41 && c <= 0x46 ? c + 0x20 : c)); // hex compares lowercase
  if (timingSafeEqual(expected, given)) return new Verified(form, 'MD5', 'v1', -1, null, content);
  return new Refused(
    form,
    signTypeValue,
    'signature-mismatch',
    'The MD5 sign does not match: the partner MD5 key (合作伙伴密钥) may be another seller\'s, or the body was re-encoded on the way.',
    { kind: 'check-md5-key' },
    content,
  );
}
