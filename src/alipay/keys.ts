// Loading the Alipay public key(s) from whatever a merchant pasted, and making CryptoKeys from them.
//
// Pasting the wrong thing is the most common Alipay integration mistake (the app's own public key,
// a private key, the root certificate bundle, a value cut off by a terminal), so every piece of
// material that cannot be used gets a message saying what it LOOKS like, never an ASN.1 error,
// and never more than a short prefix of the material itself.

// The pieces of that work live beside this file: key-material.ts splits the text into pieces,
// key-identify.ts names what each DER piece is, key-cache.ts holds the imported CryptoKeys.

import type { AlipayPublicKey, KeyForm, KeyLoadResult } from './types';
import { base64Encode } from '../utils/base64';
import { sha256Hex } from '../utils/hex';
import { APP_CERT_CN, certSnOf, type CertInfo } from './cert';
import { WANT } from './key-advice';
import { sourceOf, splitMaterial, unwrap } from './key-material';
import { checkSpki, identify } from './key-identify';
import { importForVerify, rememberKey } from './key-cache';

export { importVerifyKey, type VerifyHash } from './key-cache';

// ---- limits ----------------------------------------------------------------

/** A few certificates are ~5 KB; anything far larger is not key material. */
export const MAX_KEY_TEXT_LENGTH = 64 * 1024;
/** Rotation needs two or three keys; a long list is a mistake. */
export const MAX_KEYS = 10;

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
  /** The bare base64 SPKI (the form the Alipay console shows, and the shortest to store); null unless usable. */
  readonly normalized: string | null;
}

/** KeyLoadResult plus warnings about usable-but-suspicious material (e.g. an app certificate). */
export type KeyLoadReport = KeyLoadResult & { warnings: string[] };

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
      ...(cert && certificate ? { certSn: certificate.sn, notAfter: cert.notAfter } : {}),
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
