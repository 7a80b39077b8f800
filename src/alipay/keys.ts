// Loading the Alipay public key(s) from whatever a merchant pasted, and making CryptoKeys from them.
//
// Pasting the wrong thing is the most common Alipay integration mistake (the app's own public key,
// a private key, the root certificate bundle, a value cut off by a terminal), so every piece of
// material that cannot be used gets a message saying what it LOOKS like, never an ASN.1 error,
// and never more than a short prefix of the material itself.

import type { AlipayPublicKey, KeyForm, KeyLoadResult } from './types';
import { base64Decode, base64Encode, sha256Hex } from './bytes';
import {
  TAG,
  bitLength,
  bitStringBytes,
  declaredSize,
  decodeOid,
  encodeTlv,
  integerValue,
  parseDer,
  sequence,
  unsignedInteger,
  type Tlv,
} from './der';
import { scanPem, type ScannedPemBlock } from './pem';
import { certificateInfo, certSnOf, type CertInfo } from './cert';

// ---- limits ----------------------------------------------------------------

/** A few certificates are ~5 KB; anything far larger is not key material. */
export const MAX_KEY_TEXT_LENGTH = 64 * 1024;
/** Rotation needs two or three keys; a long list is a mistake. */
export const MAX_KEYS = 10;
/** Alipay's legacy mapi key is RSA-1024 (verify-only, SHA-1), so 1024 is the floor, not 2048. */
export const MIN_MODULUS_BITS = 1024;
export const MAX_MODULUS_BITS = 16384;

// ---- public types ------------------------------------------------------------

export interface CertificateDescription {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly serialHex: string;
  /** Alipay cert SN (alipay_cert_sn). */
  readonly sn: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly signatureAlgorithmOid: string;
}

/** What one piece of the key text is (for the CLI `keys` command and diagnostics). */
export interface KeyDescription {
  /** Where it was found: `PEM block 2 (CERTIFICATE)` or `base64 value 1`. */
  readonly source: string;
  /** In words: "an RSA-2048 public key (SubjectPublicKeyInfo)", "a PKCS#8 private key", ... */
  readonly looksLike: string;
  /** Set when the piece gives a usable key. */
  readonly form: KeyForm | null;
  readonly bits: number | null;
  /** SHA-256 of the SPKI, lowercase hex; null unless usable. */
  readonly fingerprint: string | null;
  readonly certificate: CertificateDescription | null;
  /** Why it cannot be used; null when usable or ignored. */
  readonly problem: string | null;
  /** Usable, but probably not what was meant. */
  readonly warning: string | null;
  /** A chain certificate after the first certificate of a file: not a key, not an error. */
  readonly ignored: boolean;
  /** The bare base64 SPKI (what `wrangler secret put ALIPAY_PUBLIC_KEY` takes); null unless usable. */
  readonly normalized: string | null;
}

/** KeyLoadResult plus warnings about usable-but-suspicious material (e.g. an app certificate). */
export type KeyLoadReport = KeyLoadResult & { warnings: string[] };

// ---- object identifiers ------------------------------------------------------

const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  sm2: '1.2.156.10197.1.301',
  pkcs7Prefix: '1.2.840.113549.1.7.',
  pkcs5Prefix: '1.2.840.113549.1.5.',
  pkcs12PbePrefix: '1.2.840.113549.1.12.',
} as const;

const NON_RSA_ALGORITHMS: Record<string, string> = {
  '1.2.840.10045.2.1': 'an EC',
  '1.2.156.10197.1.301': 'an SM2 (国密)',
  '1.3.101.112': 'an Ed25519',
  '1.3.101.113': 'an Ed448',
  '1.3.101.110': 'an X25519',
  '1.2.840.10040.4.1': 'a DSA',
  '1.2.840.113549.1.1.10': 'an RSA-PSS-only',
};

// ---- advice shared by the messages ---------------------------------------------

const WANT =
  'ALIPAY_PUBLIC_KEY needs the Alipay public key (支付宝公钥) shown in the Alipay open platform console, ' +
  'or in certificate mode the file alipayCertPublicKey_RSA2.crt';
const PRIVATE =
  'Never put a private key here (it signs your requests to Alipay; it cannot verify Alipay\'s notifications, ' +
  'and it must stay secret). ' +
  WANT;
const NOT_RSA =
  'Alipay notifications are verified with RSA2 (SHA256withRSA): choose the RSA2 key type in the Alipay console. ' + WANT;

// ---- the pieces found in the text ----------------------------------------------------

type Origin = { kind: 'pem'; block: ScannedPemBlock; index: number } | { kind: 'base64'; index: number };

interface Piece {
  origin: Origin;
  /** Decoded DER, or null with the reason already known. */
  der: Uint8Array | null;
  problem: string | null;
  looksLike: string;
}

function sourceOf(origin: Origin): string {
  return origin.kind === 'pem' ? `PEM block ${origin.index} (${origin.block.label})` : `base64 value ${origin.index}`;
}

/** Up to 6 characters of long material, nothing of short material (which may be a secret). */
function preview(token: string): string {
  return token.length > 40 ? `"${token.slice(0, 6)}…" (${token.length} characters)` : `a ${token.length}-character value`;
}

const BASE64_TOKEN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Bytes of a token's first full base64 groups: enough for a DER header, without decoding it all. */
function headBytes(token: string): Uint8Array | null {
  const take = Math.min(token.replace(/=+$/, '').length, 12) & ~3;
  return take >= 4 ? base64Decode(token.slice(0, take)) : null;
}

/**
 * PKCS#8 and PKCS#1 private keys both open with SEQUENCE { INTEGER 0, ... }: recognisable from the
 * first bytes alone, so even a cut-off or damaged private key is named as what it is.
 */
function startsLikePrivateKey(bytes: Uint8Array): boolean {
  if (bytes[0] !== TAG.SEQUENCE || bytes.length < 5) return false;
  const at = 2 + (bytes[1]! & 0x80 ? bytes[1]! & 0x7f : 0);
  return bytes[at] === TAG.INTEGER && bytes[at + 1] === 1 && bytes[at + 2] === 0;
}

const PRIVATE_KEY_LOOKS_LIKE = 'a private key (PKCS#8 or PKCS#1, as "MIIE…" values from the Alipay key tool are)';

/** A token whose decoded start reads as a DER SEQUENCE holding a SEQUENCE or INTEGER: a new key/cert. */
function startsLikeDer(token: string): boolean {
  const head = headBytes(token);
  if (!head || head.length < 5 || head[0] !== TAG.SEQUENCE) return false;
  const lengthOctets = head[1]! & 0x80 ? head[1]! & 0x7f : 0;
  if (lengthOctets > 3) return false;
  const inner = head[2 + lengthOctets];
  return inner === TAG.SEQUENCE || inner === TAG.INTEGER;
}

interface Misplaced {
  looksLike: string;
  problem: string;
}

/** Secrets and ids pasted into the wrong setting. They are never echoed, not even a prefix. */
function misplacedValue(token: string): Misplaced | null {
  const found = (looksLike: string, where: string): Misplaced => ({ looksLike, problem: `${looksLike}, which ${where}. ${WANT}` });
  if (/^whsec_/.test(token)) return found('a Standard Webhooks secret (whsec_…)', 'belongs in FORWARD_SECRET');
  if (/^[0-9a-z]{32}$/.test(token)) return found('a legacy MD5 partner key (32 lowercase letters and digits)', 'belongs in ALIPAY_MD5_KEY');
  if (/^20\d{14}$/.test(token)) return found('an app_id or partner id (16 digits)', 'is not a key');
  return null;
}

/**
 * Bare base64 values are separated by whitespace or commas, but one value may also be wrapped over
 * several lines (a PEM body without its BEGIN/END lines). The DER header says how long each value is,
 * so consecutive tokens are joined until that length is reached.
 */
function base64Pieces(tokens: string[], mixedWithPem: boolean): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    i++;
    // Next to PEM blocks, loose words are explanatory text ("Bag Attributes", "subject=..."); only DER-looking values count.
    if (mixedWithPem && !startsLikeDer(token)) continue;
    const origin: Origin = { kind: 'base64', index: pieces.length + 1 };
    const misplaced = misplacedValue(token);
    if (misplaced) {
      pieces.push({ origin, der: null, ...misplaced });
      continue;
    }
    if (!BASE64_TOKEN.test(token)) {
      const looksLike = 'text that is neither base64 nor PEM';
      pieces.push({ origin, der: null, looksLike, problem: `${preview(token)} is ${looksLike}. ${WANT}` });
      continue;
    }
    const head = headBytes(token);
    const size = head && head[0] === TAG.SEQUENCE ? declaredSize(head) : null;
    let text = token;
    if (size !== null) {
      const neededChars = Math.ceil((size * 4) / 3);
      while (
        text.replace(/=+$/, '').length < neededChars &&
        i < tokens.length &&
        BASE64_TOKEN.test(tokens[i]!) &&
        !startsLikeDer(tokens[i]!)
      ) {
        text += tokens[i]!;
        i++;
      }
    }
    const der = base64Decode(text);
    if (der === null && head && startsLikePrivateKey(head)) {
      pieces.push({ origin, der: null, looksLike: PRIVATE_KEY_LOOKS_LIKE, problem: `${PRIVATE_KEY_LOOKS_LIKE}, damaged as well. ${PRIVATE}` });
    } else if (der === null) {
      const looksLike = 'broken base64';
      pieces.push({ origin, der: null, looksLike, problem: `${preview(text)} is ${looksLike}: it was probably cut off or changed when pasting. ${WANT}` });
    } else {
      pieces.push({ origin, der, problem: null, looksLike: '' });
    }
  }
  return pieces;
}

const PEM_PRIVATE_LABELS: Record<string, string> = {
  'PRIVATE KEY': 'a PKCS#8 private key',
  'RSA PRIVATE KEY': 'a PKCS#1 RSA private key',
  'EC PRIVATE KEY': 'an EC private key',
  'DSA PRIVATE KEY': 'a DSA private key',
  'OPENSSH PRIVATE KEY': 'an OpenSSH private key',
  'ENCRYPTED PRIVATE KEY': 'an encrypted private key (PKCS#8)',
};
const PEM_KEY_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

function pemPiece(block: ScannedPemBlock, index: number): Piece {
  const origin: Origin = { kind: 'pem', block, index };
  const privateKind = PEM_PRIVATE_LABELS[block.label];
  if (block.encrypted || block.label === 'ENCRYPTED PRIVATE KEY') {
    return { origin, der: null, looksLike: 'an encrypted private key', problem: `an encrypted private key. ${PRIVATE}` };
  }
  if (privateKind) return { origin, der: null, looksLike: privateKind, problem: `${privateKind}. ${PRIVATE}` };
  if (block.problem === 'unterminated') {
    return {
      origin,
      der: null,
      looksLike: 'a truncated PEM block',
      problem: `the "-----BEGIN ${block.label}-----" block has no END line: the text was cut off. ${WANT}`,
    };
  }
  if (block.problem === 'label-mismatch') {
    return { origin, der: null, looksLike: 'a damaged PEM block', problem: `the BEGIN and END lines name different labels. ${WANT}` };
  }
  if (block.problem) {
    return {
      origin,
      der: null,
      looksLike: 'a damaged PEM block',
      problem: `the body of the PEM block is not valid base64: it was probably cut off or changed when pasting. ${WANT}`,
    };
  }
  if (/CERTIFICATE REQUEST/.test(block.label)) {
    return { origin, der: null, looksLike: 'a certificate signing request', problem: `a certificate signing request (CSR), not a key. ${WANT}` };
  }
  if (!PEM_KEY_LABELS.has(block.label) && !/^PKCS7$|^CMS$/.test(block.label)) {
    return { origin, der: null, looksLike: `a "${block.label}" PEM block`, problem: `a "${block.label}" PEM block is not a public key or certificate. ${WANT}` };
  }
  return { origin, der: block.der, problem: null, looksLike: '' };
}

/** Everything in the text, in order: PEM blocks first-class, bare base64 values between them. */
function splitMaterial(text: string): Piece[] {
  const scan = scanPem(text);
  const mixed = scan.blocks.length > 0;
  const pieces: Piece[] = scan.blocks.map((b, i) => pemPiece(b, i + 1));
  const tokens = scan.outside.flatMap((s) => s.split(/[\s,;]+/)).filter((t) => t !== '');
  return [...pieces, ...base64Pieces(tokens, mixed)];
}

/** Undo what shells, JSON and .env files do to a pasted value. */
function unwrap(text: string): string {
  let t = text.replace(/^\uFEFF/, '').trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) t = t.slice(1, -1);
  // A PEM pasted through JSON or a one-line env var often arrives with literal "\n" escapes.
  return t.replace(/\\r/g, '').replace(/\\n/g, '\n');
}

// ---- what a DER element is --------------------------------------------------------------

type Identified =
  | { kind: 'spki'; spki: Uint8Array }
  | { kind: 'pkcs1-public'; spki: Uint8Array }
  | { kind: 'certificate'; cert: CertInfo }
  | { kind: 'not-usable'; looksLike: string; problem: string };

function notUsable(looksLike: string, advice: string): Identified {
  return { kind: 'not-usable', looksLike, problem: `${looksLike}. ${advice}` };
}

const RSA_ALGORITHM_IDENTIFIER = encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OID, Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)), encodeTlv(TAG.NULL));

/** PKCS#1 RSAPublicKey → SubjectPublicKeyInfo with rsaEncryption, so its fingerprint equals the SPKI form's. */
export function wrapPkcs1(rsaPublicKey: Uint8Array): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, RSA_ALGORITHM_IDENTIFIER, encodeTlv(TAG.BIT_STRING, Uint8Array.of(0), rsaPublicKey));
}

function isSmallInteger(tlv: Tlv | undefined, value: bigint): boolean {
  return !!tlv && tlv.tag === TAG.INTEGER && tlv.value.length <= 2 && integerValue(tlv) === value;
}

function identify(der: Uint8Array): Identified {
  // Keys and certificates are always a SEQUENCE; sizes only mean something when it starts as one.
  if (der[0] !== TAG.SEQUENCE) return notUsable(`base64 that decodes to ${der.length} bytes which are not a key or certificate`, WANT);
  const parsed = parseDer(der);
  if (!parsed.ok && startsLikePrivateKey(der)) return notUsable(PRIVATE_KEY_LOOKS_LIKE, PRIVATE);
  if (!parsed.ok) {
    if (parsed.reason === 'truncated') {
      return notUsable(
        `a truncated value: its header says ${parsed.declared} bytes but only ${parsed.available} are there`,
        `It was cut off when copying. ${WANT}`,
      );
    }
    if (parsed.reason === 'trailing') {
      return notUsable(
        `a value with ${parsed.available - parsed.declared} extra bytes after its end (${parsed.declared} bytes)`,
        `Two keys pasted together without a space or comma between them? ${WANT}`,
      );
    }
    return notUsable(`base64 that decodes to ${der.length} bytes which are not a key or certificate`, WANT);
  }
  const c = sequence(parsed.tlv);
  if (!c) return notUsable(`base64 that decodes to ${der.length} bytes which are not a key or certificate`, WANT);

  // Certificate or CSR: SEQUENCE { info SEQUENCE, algorithm SEQUENCE, signature BIT STRING }.
  if (c.length === 3 && c[0]!.tag === TAG.SEQUENCE && c[1]!.tag === TAG.SEQUENCE && c[2]!.tag === TAG.BIT_STRING) {
    const info = sequence(c[0]);
    if (info && info.length <= 4 && isSmallInteger(info[0], 0n)) {
      return notUsable('a certificate signing request (CSR)', `A CSR is what you upload to Alipay, not a key. ${WANT}`);
    }
    const cert = certificateInfo(der);
    if (cert) return { kind: 'certificate', cert };
    return notUsable('something shaped like a certificate that cannot be read', WANT);
  }
  // SubjectPublicKeyInfo: SEQUENCE { algorithm SEQUENCE, key BIT STRING }.
  if (c.length === 2 && c[0]!.tag === TAG.SEQUENCE && c[1]!.tag === TAG.BIT_STRING) return { kind: 'spki', spki: der };
  // PKCS#1 RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
  if (c.length === 2 && c[0]!.tag === TAG.INTEGER && c[1]!.tag === TAG.INTEGER) return { kind: 'pkcs1-public', spki: wrapPkcs1(der) };
  // EncryptedPrivateKeyInfo: SEQUENCE { PBES2/PBE algorithm, encrypted OCTET STRING }.
  if (c.length === 2 && c[1]!.tag === TAG.OCTET_STRING) {
    const oid = decodeOid(sequence(c[0])?.[0]) ?? '';
    if (oid.startsWith(OID.pkcs5Prefix) || oid.startsWith(OID.pkcs12PbePrefix)) return notUsable('an encrypted private key (PKCS#8)', PRIVATE);
  }
  if (c.length >= 3 && isSmallInteger(c[0], 0n) && c[1]!.tag === TAG.SEQUENCE && c[2]!.tag === TAG.OCTET_STRING) {
    return notUsable('a private key (PKCS#8, as "MIIE…" values from the Alipay key tool are)', PRIVATE);
  }
  if (c.length >= 9 && isSmallInteger(c[0], 0n) && c.every((t) => t.tag === TAG.INTEGER)) {
    return notUsable('an RSA private key (PKCS#1)', PRIVATE);
  }
  if (c.length >= 2 && isSmallInteger(c[0], 1n) && c[1]!.tag === TAG.OCTET_STRING) return notUsable('an EC private key', PRIVATE);
  if (c.length >= 2 && isSmallInteger(c[0], 3n) && c[1]!.tag === TAG.SEQUENCE) {
    return notUsable('a PKCS#12 keystore (.p12/.pfx), which holds a private key', PRIVATE);
  }
  if ((decodeOid(c[0]) ?? '').startsWith(OID.pkcs7Prefix)) {
    return notUsable('a PKCS#7 bundle (.p7b)', `Export the Alipay public key certificate from it as PEM. ${WANT}`);
  }
  return notUsable(`a DER structure of ${der.length} bytes that is not a key or certificate`, WANT);
}

type SpkiCheck = { ok: true; bits: number } | { ok: false; looksLike: string; advice: string };

/** Is this SPKI an RSA key of a usable size? Says which algorithm it is when not. */
function checkSpki(spki: Uint8Array): SpkiCheck {
  const parsed = parseDer(spki);
  const parts = parsed.ok ? sequence(parsed.tlv) : null;
  const algorithm = sequence(parts?.[0]);
  const oid = decodeOid(algorithm?.[0]);
  if (!parts || !oid) return { ok: false, looksLike: 'a public key whose algorithm cannot be read', advice: WANT };
  if (oid !== OID.rsaEncryption) {
    const curve = oid === OID.ecPublicKey ? decodeOid(algorithm?.[1]) : null;
    const name = curve === OID.sm2 ? NON_RSA_ALGORITHMS[OID.sm2] : (NON_RSA_ALGORITHMS[oid] ?? `an OID ${oid}`);
    return { ok: false, looksLike: `${name} public key, not RSA`, advice: NOT_RSA };
  }
  const keyBytes = bitStringBytes(parts[1]);
  const keyDer = keyBytes ? parseDer(keyBytes) : null;
  const rsa = keyDer?.ok ? sequence(keyDer.tlv) : null;
  const modulus = rsa && rsa.length === 2 ? unsignedInteger(rsa[0]) : null;
  const exponent = rsa && rsa.length === 2 ? unsignedInteger(rsa[1]) : null;
  if (!modulus || !exponent) {
    return { ok: false, looksLike: 'an RSA public key whose modulus cannot be read', advice: `Damaged when pasting? ${WANT}` };
  }
  const bits = bitLength(modulus);
  if (bits < MIN_MODULUS_BITS) {
    return { ok: false, looksLike: `an RSA-${bits} public key, too small`, advice: `Alipay keys are 2048 bits; the legacy mapi key is 1024. ${WANT}` };
  }
  if (bits > MAX_MODULUS_BITS) {
    return { ok: false, looksLike: `an RSA-${bits} public key, too large`, advice: `Alipay keys are 2048 bits. ${WANT}` };
  }
  return { ok: true, bits };
}

// Alipay's own certificate has CN "支付宝(中国)网络技术有限公司-<partner id>"; the merchant's app
// certificate (appCertPublicKey_<app_id>.crt) has CN "<partner id>-<app_id>".
const APP_CERT_CN = /^\d{16}-\d{16}$/;

function describeCert(cert: CertInfo): CertificateDescription {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialDecimal,
    serialHex: cert.serialHex,
    sn: certSnOf(cert),
    notBefore: new Date(cert.notBefore).toISOString(),
    notAfter: new Date(cert.notAfter).toISOString(),
    signatureAlgorithmOid: cert.signatureAlgorithmOid,
  };
}

// ---- inspecting the whole text -----------------------------------------------------------

interface Inspected {
  description: KeyDescription;
  /** Present exactly when the piece is a usable key. */
  key: AlipayPublicKey | null;
}

function failed(source: string, looksLike: string, problem: string, certificate: CertificateDescription | null = null): Inspected {
  return {
    description: { source, looksLike, form: null, bits: null, fingerprint: null, certificate, problem, warning: null, ignored: false, normalized: null },
    key: null,
  };
}

function ignoredChainCertificate(source: string, looksLike: string, certificate: CertificateDescription): Inspected {
  return {
    description: { source, looksLike, form: null, bits: null, fingerprint: null, certificate, problem: null, warning: null, ignored: true, normalized: null },
    key: null,
  };
}

async function importForVerify(spki: Uint8Array, hash: VerifyHash): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
}

async function inspect(rawText: string): Promise<Inspected[]> {
  if (rawText.length > MAX_KEY_TEXT_LENGTH) {
    return [failed('key text', 'far too much text for a key', `the key text is ${rawText.length} characters; key material is never more than ${MAX_KEY_TEXT_LENGTH}. ${WANT}`)];
  }
  const pieces = splitMaterial(unwrap(rawText));
  const out: Inspected[] = [];
  // True while inside a certificate file: after its first certificate, CA certificates are its chain.
  let inCertificateFile = false;
  for (const piece of pieces) {
    const source = sourceOf(piece.origin);
    if (!piece.der) {
      inCertificateFile = false;
      out.push(failed(source, piece.looksLike, piece.problem ?? WANT));
      continue;
    }
    const found = identify(piece.der);
    if (found.kind === 'not-usable') {
      inCertificateFile = false;
      out.push(failed(source, found.looksLike, found.problem));
      continue;
    }
    let form: KeyForm;
    let spki: Uint8Array;
    let warning: string | null = null;
    let certificate: CertificateDescription | null = null;
    let cert: CertInfo | null = null;
    if (found.kind === 'certificate') {
      cert = found.cert;
      certificate = describeCert(cert);
      const cn = cert.subjectCommonName ?? cert.subject;
      if (cert.isCa && inCertificateFile) {
        // The intermediate/root that alipayCertPublicKey_RSA2.crt carries after Alipay's own certificate.
        out.push(ignoredChainCertificate(source, `a CA certificate (${cn}) in the chain, ignored`, certificate));
        continue;
      }
      inCertificateFile = true;
      if (cert.isCa) {
        const looksLike = cert.selfIssued
          ? `a root CA certificate (${cn}), as in the Alipay root certificate bundle alipayRootCert.crt`
          : `a CA certificate (${cn}), not the Alipay public key certificate`;
        out.push(failed(source, looksLike, `${looksLike}. Root certificates only identify Alipay's CA; the key is the first certificate of alipayCertPublicKey_RSA2.crt. ${WANT}`, certificate));
        continue;
      }
      if (APP_CERT_CN.test(cn)) {
        warning =
          `the certificate's subject CN "${cn}" is shaped like your app certificate (appCertPublicKey_<app_id>.crt, "<partner id>-<app_id>"), ` +
          'not Alipay\'s (alipayCertPublicKey_RSA2.crt, "支付宝(中国)网络技术有限公司-<partner id>"); notifications will not verify with your own key';
      }
      form = 'certificate';
      spki = cert.spki;
    } else {
      inCertificateFile = false;
      spki = found.spki;
      form = found.kind === 'pkcs1-public' ? 'pem-pkcs1' : piece.origin.kind === 'pem' ? 'pem-spki' : 'base64-spki';
    }
    const check = checkSpki(spki);
    if (!check.ok) {
      const looksLike = cert ? `a certificate holding ${check.looksLike}` : check.looksLike;
      out.push(failed(source, looksLike, `${looksLike}. ${check.advice}`, certificate));
      continue;
    }
    const fingerprint = await sha256Hex(spki);
    const looksLike =
      form === 'certificate'
        ? `a certificate holding an RSA-${check.bits} public key`
        : `an RSA-${check.bits} public key (${form === 'pem-pkcs1' ? 'PKCS#1, wrapped into SubjectPublicKeyInfo' : 'SubjectPublicKeyInfo'})`;
    try {
      const cryptoKey = await importForVerify(spki, 'SHA-256');
      rememberKey(fingerprint, 'SHA-256', Promise.resolve(cryptoKey));
    } catch (e) {
      const name = e instanceof Error ? e.name : 'Error';
      out.push(failed(source, looksLike, `${looksLike} that WebCrypto refuses to import (${name}): damaged or unusual encoding. ${WANT}`, certificate));
      continue;
    }
    const key: AlipayPublicKey = {
      form,
      spki,
      modulusBits: check.bits,
      fingerprint,
      ...(cert ? { certSn: certSnOf(cert), notAfter: cert.notAfter } : {}),
    };
    out.push({
      description: { source, looksLike, form, bits: check.bits, fingerprint, certificate, problem: null, warning, ignored: false, normalized: base64Encode(spki) },
      key,
    });
  }
  return out;
}

/** What the text holds, piece by piece (the CLI `keys` command). Never throws. */
export async function describeKeyText(text: string): Promise<KeyDescription[]> {
  return (await inspect(text)).map((i) => i.description);
}

/**
 * Every Alipay public key in `text` (bare base64 SPKI separated by whitespace or commas, PEM
 * PUBLIC KEY, PEM RSA PUBLIC KEY, PEM CERTIFICATE: first certificate of each file), each proven
 * importable. Any unusable piece fails the whole load: a half-read key list hides mistakes.
 */
export async function loadPublicKeys(text: string): Promise<KeyLoadReport> {
  const inspected = await inspect(text);
  const problems: string[] = [];
  const warnings: string[] = [];
  const keys: AlipayPublicKey[] = [];
  const seen = new Set<string>();
  for (const { description: d, key } of inspected) {
    if (d.problem) problems.push(`${d.source}: ${d.problem}`);
    if (d.warning) warnings.push(`${d.source}: ${d.warning}`);
    if (!key) continue;
    if (seen.has(key.fingerprint)) {
      warnings.push(`${d.source}: the same key appears more than once (fingerprint ${key.fingerprint.slice(0, 16)}…); it is used once`);
      continue;
    }
    seen.add(key.fingerprint);
    keys.push(key);
  }
  if (inspected.length === 0) problems.push(`no key found. ${WANT}`);
  if (keys.length > MAX_KEYS) problems.push(`${keys.length} keys; at most ${MAX_KEYS} are accepted (rotation needs two or three)`);
  return problems.length > 0 ? { ok: false, problems, warnings } : { ok: true, keys, warnings };
}

// ---- CryptoKeys, made once per isolate --------------------------------------------------------

export type VerifyHash = 'SHA-256' | 'SHA-1';

// Importing a key costs far more than verifying with it, so each (key, hash) is imported once per
// isolate and shared by every request. Promises are cached so concurrent first requests share one import.
const MAX_CACHED_KEYS = 64;
const cryptoKeys = new Map<string, Promise<CryptoKey>>();

function rememberKey(fingerprint: string, hash: VerifyHash, key: Promise<CryptoKey>): void {
  const id = `${fingerprint}:${hash}`;
  cryptoKeys.delete(id);
  cryptoKeys.set(id, key);
  // Bounded because config reloads and tests can bring new keys; the oldest entry goes first.
  if (cryptoKeys.size > MAX_CACHED_KEYS) cryptoKeys.delete(cryptoKeys.keys().next().value!);
}

/** The verify-only CryptoKey for `key` and `hash`, imported on first use and cached per isolate. */
export function importVerifyKey(key: AlipayPublicKey, hash: VerifyHash): Promise<CryptoKey> {
  const id = `${key.fingerprint}:${hash}`;
  const cached = cryptoKeys.get(id);
  if (cached) return cached;
  const made = importForVerify(key.spki, hash);
  rememberKey(key.fingerprint, hash, made);
  // A failed import is not cached: the next call tries again instead of failing forever.
  made.catch(() => {
    if (cryptoKeys.get(id) === made) cryptoKeys.delete(id);
  });
  return made;
}

/** How many CryptoKeys this isolate holds (for tests that prove keys are imported once). */
export function cachedKeyCount(): number {
  return cryptoKeys.size;
}
