// An RSA private key from whatever a merchant pasted: the app private key (which signs the
// gateway's alipay.trade.query requests) and, in `simulate`, the key that plays
// Alipay. Alipay's key tool writes PKCS#8 or PKCS#1, as bare base64 (one line) or PEM.
//
// As with the public keys (keys.ts), every mistake gets a message saying what the material LOOKS
// like (a public key, Alipay's key, a certificate, an EC or SM2 key, an encrypted or cut-off key),
// never an ASN.1 error and never any part of the key itself. The public half is derived from the
// key's own modulus and exponent (no extra crypto), so its fingerprint can be shown and compared:
// a private key whose public half is the configured Alipay public key is Alipay's pair, not the app's.
// Like the rest of the core it names no setting: material that belongs elsewhere carries `advice`
// (SetupAdvice), which the Worker words in its settings.

import { base64Decode, base64Encode } from '../utils/base64';
import { utf8Encode } from '../utils/bytes';
import { sha256Hex } from '../utils/hex';
import { ALIPAY_CERT_CN, APP_CERT_CN } from './cert';
import { TAG, bitLength, decodeOid, encodeTlv, isSmallInteger, parseDer, sequence, unsignedInteger, type Tlv } from './der';
import { MAX_MODULUS_BITS, OID, RSA_ALGORITHM_IDENTIFIER, checkSpki, identify, isPasswordEncryption, nonRsaAlgorithmName, wrapPkcs1 } from './key-identify';
import { startsLikePrivateKey, unwrap } from './key-material';
import { MAX_KEY_TEXT_LENGTH } from './keys';
import { scanPem, type ScannedPemBlock } from './pem';
import type { Advice, AlipayPublicKey, SetupAdvice, SetupPlace } from './types';

// ---- public types ------------------------------------------------------------

export type PrivateKeyForm = 'pkcs8-pem' | 'pkcs8-base64' | 'pkcs1-pem' | 'pkcs1-base64';
export type SigningHash = 'SHA-256' | 'SHA-1';

/** A private key ready to sign with, and its public half (safe to show). */
export interface LoadedPrivateKey {
  readonly form: PrivateKeyForm;
  readonly modulusBits: number;
  /** RSASSA-PKCS1-v1_5 with `hash`, sign only, not extractable. */
  readonly signingKey: CryptoKey;
  readonly hash: SigningHash;
  /** The public half as DER SubjectPublicKeyInfo: base64 of it is the app public key (应用公钥) uploaded to Alipay. */
  readonly publicSpki: Uint8Array;
  /** SHA-256 of `publicSpki`, lowercase hex. */
  readonly publicFingerprint: string;
}

/** What the material is, even when it cannot be used: `keys` only takes its private-key path for private keys. */
export type MaterialKind = 'private-key' | 'public-key' | 'other';

export type PrivateKeyLoad =
  | { ok: true; key: LoadedPrivateKey; looksLike: string; material: 'private-key' }
  | { ok: false; looksLike: string; problem: string; material: MaterialKind; advice?: SetupAdvice | Advice };

export interface PrivateKeyOptions {
  /** The hash the key signs with: RSA2 is SHA-256 (default); legacy RSA is SHA-1. */
  readonly hash?: SigningHash;
  /**
   * The configured Alipay public keys. A public key pasted here is then named as the configured
   * Alipay public key, and a private key whose public half is one of them is refused: the app
   * signs with its OWN key, never with Alipay's pair.
   */
  readonly alipayKeys?: readonly AlipayPublicKey[];
  /** What the setting needs: the advice every problem ends with. Default: the app private key. */
  readonly want?: string;
  /** Smallest modulus accepted. Default 2048 (RSA2 app keys); `simulate` playing legacy RSA accepts 1024. */
  readonly minBits?: number;
}

// ---- advice ---------------------------------------------------------------------

export const APP_PRIVATE_KEY_WANT =
  'Needed: your app private key (应用私钥), the RSA2 key that Alipay\'s key tool (密钥工具) made, ' +
  'whose public half you uploaded to the Alipay console as the app public key (应用公钥); PKCS#8 or PKCS#1, PEM or bare base64';

const NEVER_SHOWN = 'no part of it is shown here';

// ---- limits and identifiers -----------------------------------------------------------

export const APP_KEY_MIN_BITS = 2048;

// ---- loading ----------------------------------------------------------------------

type Fail = Extract<PrivateKeyLoad, { ok: false }>;

/** The one private key in `text`, imported for signing, or what the text looks like and why it cannot be used. Never throws. */
export async function loadPrivateKey(text: string, options: PrivateKeyOptions = {}): Promise<PrivateKeyLoad> {
  const want = options.want ?? APP_PRIVATE_KEY_WANT;
  const fail = (material: MaterialKind, looksLike: string, why?: string, advice?: SetupAdvice | Advice): Fail => ({
    ok: false,
    material,
    looksLike,
    problem: `${looksLike}${why ? `: ${why}` : ''}. ${want}`,
    ...(advice ? { advice } : {}),
  });
  if (text.length > MAX_KEY_TEXT_LENGTH) return fail('other', `${text.length} characters of text`, `far too much for one key (at most ${MAX_KEY_TEXT_LENGTH})`);
  const unwrapped = unwrap(text);
  if (unwrapped === '') return fail('other', 'empty text');

  const scan = scanPem(unwrapped);
  if (scan.blocks.length > 1) {
    const labels = scan.blocks.map((b) => b.label).join(', ');
    const certificate = scan.blocks.some((b) => /CERTIFICATE/.test(b.label));
    const material = scan.blocks.some((b) => /PRIVATE KEY/.test(b.label)) ? 'private-key' : 'other';
    const advice: SetupAdvice | undefined = certificate ? { kind: 'belongs-in', place: 'app-or-root-cert' } : undefined;
    return fail(material, `${scan.blocks.length} PEM blocks (${labels})`, 'the setting takes exactly one private key, alone', advice);
  }
  if (scan.blocks.length === 1) return fromPem(scan.blocks[0]!, options, fail);
  return fromBase64(unwrapped, options, fail);
}

type Failer = (material: MaterialKind, looksLike: string, why?: string, advice?: SetupAdvice | Advice) => Fail;

async function fromPem(block: ScannedPemBlock, options: PrivateKeyOptions, fail: Failer): Promise<PrivateKeyLoad> {
  const label = block.label;
  if (block.encrypted || label === 'ENCRYPTED PRIVATE KEY') {
    return fail('private-key', 'an encrypted private key', `decrypt it first (openssl pkey -in encrypted.pem -out plain.pem); ${NEVER_SHOWN}`);
  }
  if (label === 'OPENSSH PRIVATE KEY') return fail('private-key', 'an OpenSSH private key (ssh-keygen)', 'not a key made for Alipay');
  if (label === 'EC PRIVATE KEY') return fail('private-key', 'an EC private key', NOT_RSA);
  if (label === 'DSA PRIVATE KEY') return fail('private-key', 'a DSA private key', NOT_RSA);
  if (/CERTIFICATE REQUEST/.test(label)) return fail('other', 'a certificate signing request (CSR)', 'what you upload to Alipay in certificate mode, not a key');
  const privateLabel = label === 'PRIVATE KEY' || label === 'RSA PRIVATE KEY';
  if (block.problem === 'unterminated') {
    return fail(privateLabel ? 'private-key' : 'other', `a "${label}" PEM block with no END line`, 'the text was cut off when copying');
  }
  if (block.problem === 'label-mismatch') return fail('other', 'a damaged PEM block', 'its BEGIN and END lines name different labels');
  if (block.problem || block.der === null) {
    return fail(privateLabel ? 'private-key' : 'other', `a "${label}" PEM block that is not valid base64`, 'it was probably cut off or changed when pasting');
  }
  if (!privateLabel && !/PUBLIC KEY|CERTIFICATE/.test(label)) return fail('other', `a "${label}" PEM block`, 'not a private key');
  return fromDer(block.der, 'pem', options, fail);
}

async function fromBase64(text: string, options: PrivateKeyOptions, fail: Failer): Promise<PrivateKeyLoad> {
  const tokens = text.split(/[\s,;]+/).filter((t) => t !== '');
  const misplaced = tokens.length === 1 ? misplacedValue(tokens[0]!) : null;
  if (misplaced) return fail('other', misplaced.looksLike, undefined, misplaced.place ? { kind: 'belongs-in', place: misplaced.place } : undefined);
  // A key wrapped over several lines (a PEM body without its BEGIN/END lines) is one value.
  const joined = tokens.join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(joined)) return fail('other', 'text that is neither PEM nor base64');
  const der = base64Decode(joined);
  if (der === null || der.length === 0) {
    const head = base64Decode(joined.slice(0, 12));
    if (head && startsLikePrivateKey(head)) return fail('private-key', 'a private key that is not valid base64', 'it was probably cut off or changed when pasting');
    return fail('other', 'broken base64', 'it was probably cut off or changed when pasting');
  }
  return fromDer(der, 'base64', options, fail);
}

/** Secrets and ids pasted into the wrong setting, named without echoing them. */
function misplacedValue(token: string): { looksLike: string; place?: SetupPlace } | null {
  if (/^whsec_/.test(token)) return { looksLike: 'a Standard Webhooks secret (whsec_…), the secret that signs forwarded events', place: 'forward-secret' };
  if (/^SEC[0-9a-f]{40,}$/.test(token)) return { looksLike: 'a DingTalk robot secret (SEC…), the secret that signs alerts', place: 'alert-secret' };
  if (/^[0-9a-z]{32}$/.test(token)) return { looksLike: 'a legacy MD5 partner key (32 lowercase letters and digits)', place: 'md5-key' };
  if (/^20\d{14}$/.test(token)) return { looksLike: 'an app_id or partner id (16 digits), not a key' };
  return null;
}

const NOT_RSA = 'Alipay signs requests with RSA2 (SHA256withRSA): make an RSA2 key with Alipay\'s key tool';

// ---- DER ----------------------------------------------------------------------------

interface RsaPrivate {
  /** PKCS#8 PrivateKeyInfo, the form WebCrypto imports. */
  pkcs8: Uint8Array;
  structure: 'pkcs8' | 'pkcs1';
  modulus: Tlv;
  exponent: Tlv;
}

type Classified = { kind: 'rsa'; rsa: RsaPrivate } | { kind: 'fail'; material: MaterialKind; looksLike: string; why?: string };

/** PKCS#1 RSAPrivateKey: SEQUENCE { version 0, n, e, d, p, q, dp, dq, qinv } (version 1 adds other primes). */
function pkcs1Parts(tlv: Tlv): { modulus: Tlv; exponent: Tlv } | null {
  const c = sequence(tlv);
  if (!c || c.length < 9 || !c.slice(0, 9).every((t) => t.tag === TAG.INTEGER)) return null;
  if (!isSmallInteger(c[0], 0n) && !isSmallInteger(c[0], 1n)) return null;
  return { modulus: c[1]!, exponent: c[2]! };
}

/** PKCS#1 RSAPrivateKey -> PKCS#8 PrivateKeyInfo (version 0, rsaEncryption). */
function wrapPkcs1Private(rsaPrivateKey: Uint8Array): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.INTEGER, Uint8Array.of(0)), RSA_ALGORITHM_IDENTIFIER, encodeTlv(TAG.OCTET_STRING, rsaPrivateKey));
}

function classify(der: Uint8Array): Classified {
  const parsed = parseDer(der);
  if (!parsed.ok) {
    const isPrivate = startsLikePrivateKey(der);
    const what = isPrivate ? 'a private key' : 'a value';
    const material: MaterialKind = isPrivate ? 'private-key' : 'other';
    if (parsed.reason === 'truncated') {
      return { kind: 'fail', material, looksLike: `${what} cut off when copying`, why: `its header says ${parsed.declared} bytes but only ${parsed.available} are there` };
    }
    if (parsed.reason === 'trailing') {
      return { kind: 'fail', material, looksLike: `${what} with ${parsed.available - parsed.declared} extra bytes after its end`, why: 'two keys pasted together?' };
    }
    return { kind: 'fail', material: 'other', looksLike: `base64 that decodes to ${der.length} bytes which are not a key` };
  }
  const c = sequence(parsed.tlv);
  if (c && c.length >= 3 && (isSmallInteger(c[0], 0n) || isSmallInteger(c[0], 1n)) && c[1]!.tag === TAG.SEQUENCE && c[2]!.tag === TAG.OCTET_STRING) {
    // PKCS#8 PrivateKeyInfo / OneAsymmetricKey: SEQUENCE { version, algorithm, privateKey OCTET STRING, ... }.
    const algorithm = sequence(c[1]);
    if (decodeOid(algorithm?.[0]) !== OID.rsaEncryption) {
      return { kind: 'fail', material: 'private-key', looksLike: `${nonRsaAlgorithmName(algorithm)} private key (PKCS#8), not RSA`, why: NOT_RSA };
    }
    const inner = parseDer(c[2]!.value);
    const parts = inner.ok ? pkcs1Parts(inner.tlv) : null;
    if (!parts) return { kind: 'fail', material: 'private-key', looksLike: 'a PKCS#8 RSA private key whose inner key cannot be read', why: 'damaged when pasting?' };
    return { kind: 'rsa', rsa: { pkcs8: der, structure: 'pkcs8', ...parts } };
  }
  const pkcs1 = pkcs1Parts(parsed.tlv);
  if (pkcs1) return { kind: 'rsa', rsa: { pkcs8: wrapPkcs1Private(der), structure: 'pkcs1', ...pkcs1 } };
  if (c && c.length >= 2 && isSmallInteger(c[0], 1n) && c[1]!.tag === TAG.OCTET_STRING) {
    // SEC1 ECPrivateKey: SEQUENCE { 1, privateKey OCTET STRING, [0] parameters, [1] publicKey }.
    const params = c.find((t) => t.tag === 0xa0);
    const curve = params ? decodeOid(parseDerOrNull(params.value)) : null;
    return { kind: 'fail', material: 'private-key', looksLike: curve === OID.sm2 ? 'an SM2 (国密) private key, not RSA' : 'an EC private key, not RSA', why: NOT_RSA };
  }
  if (c && c.length === 2 && c[0]!.tag === TAG.SEQUENCE && c[1]!.tag === TAG.OCTET_STRING) {
    if (isPasswordEncryption(decodeOid(sequence(c[0])?.[0]) ?? '')) {
      return { kind: 'fail', material: 'private-key', looksLike: 'an encrypted private key (PKCS#8)', why: `decrypt it first (openssl pkey -in encrypted.pem -out plain.pem); ${NEVER_SHOWN}` };
    }
  }
  if (c && c.length >= 2 && isSmallInteger(c[0], 3n) && c[1]!.tag === TAG.SEQUENCE) {
    return {
      kind: 'fail',
      material: 'private-key',
      looksLike: 'a PKCS#12 keystore (.p12/.pfx)',
      why: 'export the private key from it first (openssl pkcs12 -in app.p12 -nocerts -nodes -out key.pem)',
    };
  }
  return { kind: 'fail', material: 'other', looksLike: `a DER structure of ${der.length} bytes that is not a private key` };
}

function parseDerOrNull(bytes: Uint8Array): Tlv | undefined {
  const parsed = parseDer(bytes);
  return parsed.ok ? parsed.tlv : undefined;
}

async function fromDer(der: Uint8Array, encoding: 'pem' | 'base64', options: PrivateKeyOptions, fail: Failer): Promise<PrivateKeyLoad> {
  const found = classify(der);
  if (found.kind === 'fail') {
    if (found.material === 'other') {
      const publicMaterial = await describePublicMaterial(der, options.alipayKeys ?? []);
      if (publicMaterial) return fail('public-key', publicMaterial.looksLike, publicMaterial.why, publicMaterial.advice);
    }
    return fail(found.material, found.looksLike, found.why);
  }
  const { rsa } = found;
  const form: PrivateKeyForm = `${rsa.structure}-${encoding}`;
  const formName = `${rsa.structure === 'pkcs8' ? 'PKCS#8' : 'PKCS#1'}, ${encoding === 'pem' ? 'PEM' : 'bare base64'}`;
  const modulus = unsignedInteger(rsa.modulus);
  const exponent = unsignedInteger(rsa.exponent);
  if (!modulus || !exponent) return fail('private-key', 'an RSA private key whose modulus cannot be read', 'damaged when pasting?');
  const bits = bitLength(modulus);
  const minBits = options.minBits ?? APP_KEY_MIN_BITS;
  if (bits < minBits) {
    return fail('private-key', `an RSA-${bits} private key (${formName}), too small`, `RSA2 keys from Alipay's key tool are 2048 bits; make a new key pair`);
  }
  if (bits > MAX_MODULUS_BITS) return fail('private-key', `an RSA-${bits} private key, too large`);
  const looksLike = `an RSA-${bits} private key (${formName})`;

  // The public half, from the key's own modulus and exponent (RSAPublicKey wrapped into SubjectPublicKeyInfo).
  const publicSpki = wrapPkcs1(encodeTlv(TAG.SEQUENCE, rsa.modulus.raw, rsa.exponent.raw));
  const hash = options.hash ?? 'SHA-256';
  let signingKey: CryptoKey;
  try {
    signingKey = await crypto.subtle.importKey('pkcs8', rsa.pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  } catch (e) {
    const name = e instanceof Error ? e.name : 'Error';
    return fail('private-key', `${looksLike} that WebCrypto refuses to import (${name})`, 'damaged or unusual encoding');
  }
  // A key whose numbers were changed in transit can still import; one signature proves it matches its public half.
  if (!(await signsForItsPublicHalf(signingKey, publicSpki, hash))) {
    return fail('private-key', `${looksLike} whose parts do not fit together`, 'it was damaged when copying');
  }
  const publicFingerprint = await sha256Hex(publicSpki);
  const alipayKey = (options.alipayKeys ?? []).find((k) => k.fingerprint === publicFingerprint);
  if (alipayKey) {
    return fail(
      'private-key',
      `${looksLike} whose public half (fingerprint ${publicFingerprint.slice(0, 16)}…) is the configured Alipay public key`,
      'the key that verifies Alipay cannot be the pair of the key that signs for your app. Either the configured Alipay public key is your app public key ' +
        '(应用公钥) instead of the Alipay public key (支付宝公钥), or this private key is the one that plays Alipay in local testing',
      { kind: 'check-public-key' },
    );
  }
  return { ok: true, material: 'private-key', looksLike, key: { form, modulusBits: bits, signingKey, hash, publicSpki, publicFingerprint } };
}

const SELF_CHECK = utf8Encode('alipay-notify-edge private key check');

async function signsForItsPublicHalf(signingKey: CryptoKey, spki: Uint8Array, hash: SigningHash): Promise<boolean> {
  try {
    const publicKey = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signingKey, SELF_CHECK);
    return await crypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, signature, SELF_CHECK);
  } catch {
    return false;
  }
}

/** Public keys and certificates pasted here: which one it is, as far as can be told. */
async function describePublicMaterial(
  der: Uint8Array,
  alipayKeys: readonly AlipayPublicKey[],
): Promise<{ looksLike: string; why: string; advice?: SetupAdvice } | null> {
  const found = identify(der);
  if (found.kind === 'not-usable') return null;
  const pub = 'a public key cannot sign; the private key is the other half of the pair, and it stays secret';
  if (found.kind === 'certificate') {
    const cert = found.cert;
    const cn = cert.subjectCommonName ?? cert.subject;
    const belongsIn = (place: SetupPlace): SetupAdvice => ({ kind: 'belongs-in', place });
    if (cert.isCa) return { looksLike: `a CA certificate (${cn}), as in alipayRootCert.crt`, why: pub, advice: belongsIn('root-cert') };
    if (APP_CERT_CN.test(cn)) return { looksLike: `your app certificate (${cn}, appCertPublicKey_<app_id>.crt)`, why: pub, advice: belongsIn('app-cert') };
    if (ALIPAY_CERT_CN.test(cn)) return { looksLike: `Alipay's public key certificate (${cn}, alipayCertPublicKey_RSA2.crt)`, why: pub, advice: belongsIn('alipay-public-key') };
    return { looksLike: `a certificate (${cn})`, why: pub };
  }
  const check = checkSpki(found.spki);
  const looksLike = check.ok ? `an RSA-${check.bits} public key` : check.looksLike;
  const fingerprint = await sha256Hex(found.spki);
  if (alipayKeys.some((k) => k.fingerprint === fingerprint)) {
    return { looksLike: `${looksLike}: the Alipay public key already configured`, why: `it verifies Alipay's answers; ${pub}` };
  }
  return { looksLike: `${looksLike} (fingerprint ${fingerprint.slice(0, 16)}…), perhaps your app public key (应用公钥)`, why: pub };
}

/** Base64 of the public half: the app public key (应用公钥) value the Alipay console takes. */
export function publicKeyBase64(key: LoadedPrivateKey): string {
  return base64Encode(key.publicSpki);
}
