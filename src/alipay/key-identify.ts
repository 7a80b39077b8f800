// What one DER element is (SPKI, PKCS#1 public key, certificate, or a named thing that is not usable),
// and whether an SPKI is an RSA key of a size Alipay uses.

import { TAG, bitLength, bitStringBytes, decodeOid, encodeTlv, isSmallInteger, parseDer, sequence, unsignedInteger, type Tlv } from './der';
import { certificateInfo, type CertInfo } from './cert';
import { NOT_RSA, PRIVATE, WANT } from './key-advice';
import { PRIVATE_KEY_LOOKS_LIKE, startsLikePrivateKey } from './key-material';

/** Alipay's legacy mapi key is RSA-1024 (verify-only, SHA-1), so 1024 is the floor, not 2048. */
export const MIN_MODULUS_BITS = 1024;
export const MAX_MODULUS_BITS = 16384;

// ---- object identifiers ------------------------------------------------------

/** The object identifiers keys are told apart by (shared with private-key.ts). */
export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  sm2: '1.2.156.10197.1.301',
  pkcs7Prefix: '1.2.840.113549.1.7.',
  pkcs5Prefix: '1.2.840.113549.1.5.',
  pkcs12PbePrefix: '1.2.840.113549.1.12.',
} as const;

const NON_RSA_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.10045.2.1': 'an EC',
  '1.2.156.10197.1.301': 'an SM2 (国密)',
  '1.3.101.112': 'an Ed25519',
  '1.3.101.113': 'an Ed448',
  '1.3.101.110': 'an X25519',
  '1.2.840.10040.4.1': 'a DSA',
  '1.2.840.113549.1.1.10': 'an RSA-PSS-only',
};

/**
 * "an EC", "an SM2 (国密)", … for a key's AlgorithmIdentifier (SEQUENCE { oid, parameters }) that is
 * not rsaEncryption: an EC key on the SM2 curve is named SM2.
 */
export function nonRsaAlgorithmName(algorithm: readonly Tlv[] | null | undefined): string {
  const oid = decodeOid(algorithm?.[0]) ?? '';
  const curve = oid === OID.ecPublicKey ? decodeOid(algorithm?.[1]) : null;
  if (curve === OID.sm2) return NON_RSA_ALGORITHMS[OID.sm2]!;
  return NON_RSA_ALGORITHMS[oid] ?? `an OID ${oid || '(unreadable)'}`;
}

/** A password-based encryption scheme (PKCS#5 PBES2/PBES1, PKCS#12 PBE): an encrypted private key. */
export function isPasswordEncryption(oid: string): boolean {
  return oid.startsWith(OID.pkcs5Prefix) || oid.startsWith(OID.pkcs12PbePrefix);
}

// ---- what a DER element is --------------------------------------------------------------

export type Identified =
  | { kind: 'spki'; spki: Uint8Array }
  | { kind: 'pkcs1-public'; spki: Uint8Array }
  | { kind: 'certificate'; cert: CertInfo }
  | { kind: 'not-usable'; looksLike: string; problem: string };

function notUsable(looksLike: string, advice: string): Identified {
  return { kind: 'not-usable', looksLike, problem: `${looksLike}. ${advice}` };
}

export const RSA_ALGORITHM_IDENTIFIER = encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OID, Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)), encodeTlv(TAG.NULL));

/** PKCS#1 RSAPublicKey → SubjectPublicKeyInfo with rsaEncryption, so its fingerprint equals the SPKI form's. */
export function wrapPkcs1(rsaPublicKey: Uint8Array): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, RSA_ALGORITHM_IDENTIFIER, encodeTlv(TAG.BIT_STRING, Uint8Array.of(0), rsaPublicKey));
}

export function identify(der: Uint8Array): Identified {
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
    if (isPasswordEncryption(decodeOid(sequence(c[0])?.[0]) ?? '')) return notUsable('an encrypted private key (PKCS#8)', PRIVATE);
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
export function checkSpki(spki: Uint8Array): SpkiCheck {
  const parsed = parseDer(spki);
  const parts = parsed.ok ? sequence(parsed.tlv) : null;
  const algorithm = sequence(parts?.[0]);
  const oid = decodeOid(algorithm?.[0]);
  if (!parts || !oid) return { ok: false, looksLike: 'a public key whose algorithm cannot be read', advice: WANT };
  if (oid !== OID.rsaEncryption) return { ok: false, looksLike: `${nonRsaAlgorithmName(algorithm)} public key, not RSA`, advice: NOT_RSA };
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
