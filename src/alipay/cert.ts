// X.509 certificates as Alipay's "certificate mode" uses them: the public key to verify with is the
// SubjectPublicKeyInfo of alipayCertPublicKey_RSA2.crt, and requests name certificates by an "SN":
// md5_hex(issuer DN + decimal serial), the DN written the way Java's X500Principal.getName() and the
// Node SDK write it (RDNs last-to-first, "CN=..,OU=..,O=..,C=..", no spaces, values unescaped).

import { hexEncode } from '../utils/hex';
import { utf8Encode, latin1Decode } from '../utils/bytes';
import { timingSafeEqual } from '../utils/constant-time';
import { md5 } from '../utils/md5';
import { TAG, bitStringBytes, children, decodeOid, integerValue, parseDer, sequence, type Tlv } from './der';
import { pemBlocks } from './pem';

export interface CertInfo {
  /** DER SubjectPublicKeyInfo: the public key, ready for importKey('spki', ...). */
  readonly spki: Uint8Array;
  /** Issuer DN in the Alipay SN order ("CN=..,OU=..,O=..,C=.."). */
  readonly issuer: string;
  /** Subject DN in the same order. */
  readonly subject: string;
  /** The subject's (last) common name, when it has one. */
  readonly subjectCommonName: string | null;
  /** Serial number in decimal, as the SN uses it. */
  readonly serialDecimal: string;
  /** Serial number in lowercase hex (as `openssl x509 -serial` shows it), for humans. */
  readonly serialHex: string;
  /** The certificate's signature algorithm OID (1.2.840.113549.1.1.* = RSA-signed). */
  readonly signatureAlgorithmOid: string;
  /** Validity, epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Issuer and subject are the same name: a root certificate. */
  readonly selfIssued: boolean;
  /** A certificate authority (basicConstraints cA, or allowed to sign certificates, or self-issued), never a merchant key. */
  readonly isCa: boolean;
}

const RSA_SIGNATURE_OID_PREFIX = '1.2.840.113549.1.1';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';

// RFC 2253 short names; anything else is written as its dotted OID, as RFC 2253 (and Java) do.
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

const utf8Decoder = new TextDecoder('utf-8');

function directoryString(tlv: Tlv): string {
  switch (tlv.tag) {
    case TAG.UTF8_STRING:
      return utf8Decoder.decode(tlv.value);
    case TAG.BMP_STRING: {
      let s = '';
      for (let i = 0; i + 1 < tlv.value.length; i += 2) s += String.fromCharCode((tlv.value[i]! << 8) | tlv.value[i + 1]!);
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      let s = '';
      const v = tlv.value;
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default:
      // PrintableString, IA5String, TeletexString: single-byte text.
      return latin1Decode(tlv.value);
  }
}

interface Attribute {
  name: string;
  value: string;
}

/** A Name's attributes in DER order (RDN by RDN), or null when malformed. */
function nameAttributes(name: Tlv | undefined): Attribute[] | null {
  const rdns = sequence(name);
  if (!rdns) return null;
  const out: Attribute[] = [];
  for (const rdn of rdns) {
    if (rdn.tag !== TAG.SET) return null;
    const atvs = children(rdn);
    if (!atvs) return null;
    for (const atv of atvs) {
      const parts = sequence(atv);
      const oid = decodeOid(parts?.[0]);
      if (!parts || parts.length !== 2 || !oid) return null;
      out.push({ name: ATTRIBUTE_NAMES[oid] ?? oid, value: directoryString(parts[1]!) });
    }
  }
  return out;
}

/** "CN=..,OU=..,O=..,C=..": the attributes last-to-first, as the SN is computed. */
function snOrderDn(attributes: Attribute[]): string {
  return attributes
    .slice()
    .reverse()
    .map((a) => `${a.name}=${a.value}`)
    .join(',');
}

function parseTime(tlv: Tlv | undefined): number | null {
  if (!tlv) return null;
  const s = latin1Decode(tlv.value);
  const m =
    tlv.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : tlv.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
        : null;
  if (!m) return null;
  let year = Number(m[1]);
  // RFC 5280: two-digit years 50-99 are 19xx, 00-49 are 20xx.
  if (tlv.tag === TAG.UTC_TIME) year += year >= 50 ? 1900 : 2000;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Reads basicConstraints and keyUsage: enough to tell a CA certificate from an end-entity one. */
function extensionsSayCa(extensionsField: Tlv | undefined): boolean {
  if (!extensionsField) return false;
  const wrapped = children(extensionsField);
  const list = sequence(wrapped?.[0]);
  if (!list) return false;
  for (const ext of list) {
    const parts = sequence(ext);
    const oid = decodeOid(parts?.[0]);
    const octets = parts?.[parts.length - 1];
    if (!parts || !oid || !octets || octets.tag !== TAG.OCTET_STRING) continue;
    const inner = parseDer(octets.value);
    if (!inner.ok) continue;
    if (oid === OID_BASIC_CONSTRAINTS) {
      const fields = sequence(inner.tlv);
      const ca = fields?.[0];
      if (ca && ca.tag === TAG.BOOLEAN && ca.value[0] !== 0) return true;
    } else if (oid === OID_KEY_USAGE && inner.tlv.tag === TAG.BIT_STRING && inner.tlv.value.length >= 2) {
      // Bit 5 (keyCertSign) is 0x04 in the first content octet.
      if (inner.tlv.value[1]! & 0x04) return true;
    }
  }
  return false;
}

// Whose certificate it is, by its subject CN: Alipay's own has "支付宝(中国)网络技术有限公司-<partner id>",
// the merchant's app certificate (appCertPublicKey_<app_id>.crt) "<partner id>-<app_id>".
export const APP_CERT_CN = /^\d{16}-\d{16}$/;
export const ALIPAY_CERT_CN = /支付宝|Alipay/i;

/** Everything the gateway needs from one DER certificate; null when it is not a readable X.509 certificate. */
export function certificateInfo(der: Uint8Array): CertInfo | null {
  const parsed = parseDer(der);
  if (!parsed.ok) return null;
  const cert = sequence(parsed.tlv);
  if (!cert || cert.length !== 3 || !bitStringBytes(cert[2])) return null;
  const tbs = sequence(cert[0]);
  const signatureAlgorithmOid = decodeOid(sequence(cert[1])?.[0]);
  if (!tbs || !signatureAlgorithmOid) return null;
  // `version` is an explicit [0] tag and is absent in v1 certificates.
  const fields = tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs;
  const [serialField, , issuerField, validityField, subjectField, spkiField, ...rest] = fields;
  const serial = integerValue(serialField);
  const issuerAttributes = nameAttributes(issuerField);
  const subjectAttributes = nameAttributes(subjectField);
  const validity = sequence(validityField);
  const notBefore = parseTime(validity?.[0]);
  const notAfter = parseTime(validity?.[1]);
  if (serial === null || !issuerAttributes || !subjectAttributes || notBefore === null || notAfter === null) return null;
  if (!spkiField || !sequence(spkiField)) return null;
  const selfIssued = timingSafeEqual(issuerField!.raw, subjectField!.raw);
  const commonNames = subjectAttributes.filter((a) => a.name === 'CN');
  const magnitude = serial < 0n ? -serial : serial;
  return {
    spki: spkiField.raw.slice(),
    issuer: snOrderDn(issuerAttributes),
    subject: snOrderDn(subjectAttributes),
    subjectCommonName: commonNames.length > 0 ? commonNames[commonNames.length - 1]!.value : null,
    serialDecimal: serial.toString(10),
    serialHex: (serial < 0n ? '-' : '') + magnitude.toString(16),
    signatureAlgorithmOid,
    notBefore,
    notAfter,
    selfIssued,
    isCa: selfIssued || extensionsSayCa(rest.find((t) => t.tag === 0xa3)),
  };
}

/** The Alipay SN of an already-read certificate. */
export function certSnOf(info: CertInfo): string {
  return hexEncode(md5(utf8Encode(info.issuer + info.serialDecimal)));
}

/** The Alipay SN (app_cert_sn / alipay_cert_sn) of one DER certificate; null when it is not a certificate. */
export function alipayCertSn(der: Uint8Array): string | null {
  const info = certificateInfo(der);
  return info ? certSnOf(info) : null;
}

/**
 * alipay_root_cert_sn: the SNs of the RSA-signed certificates of alipayRootCert.crt joined with '_'.
 * The bundle also holds SM2 and ECC roots; Alipay leaves those out. Unreadable blocks are skipped.
 */
export function alipayRootCertSn(pemBundle: string): string {
  const sns: string[] = [];
  for (const block of pemBlocks(pemBundle)) {
    const info = certificateInfo(block.der);
    if (info && info.signatureAlgorithmOid.startsWith(RSA_SIGNATURE_OID_PREFIX)) sns.push(certSnOf(info));
  }
  return sns.join('_');
}
