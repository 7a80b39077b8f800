// Certificate mode on the request side: an app in certificate mode names its own certificate
// (`app_cert_sn`, from appCertPublicKey_<app_id>.crt) and Alipay's root bundle
// (`alipay_root_cert_sn`, from alipayRootCert.crt) in every OpenAPI request. These read the two
// files and say, in words, what was pasted instead when it is the wrong one (naming no setting:
// a file that belongs elsewhere carries `advice`, which the Worker words in its settings).

import { sha256Hex } from '../utils/hex';
import { ALIPAY_CERT_CN, alipayRootCertSn, certificateInfo, certSnOf, type CertInfo } from './cert';
import { unwrap } from './key-material';
import { scanPem } from './pem';
import type { SetupAdvice } from './types';

export interface AppCertificate {
  /** app_cert_sn. */
  readonly sn: string;
  readonly subject: string;
  /** Epoch ms. */
  readonly notAfter: number;
  /** SHA-256 of the certificate's SubjectPublicKeyInfo: must be the app private key's public half. */
  readonly publicFingerprint: string;
}

export type CertRead<T> = { ok: true; value: T } | { ok: false; problem: string; advice?: SetupAdvice };

const APP_CERT_WANT = 'Needed: your app certificate, appCertPublicKey_<app_id>.crt, downloaded from the Alipay console (certificate mode)';
const ROOT_CERT_WANT = 'Needed: Alipay\'s root certificate bundle, alipayRootCert.crt, downloaded from the Alipay console (certificate mode)';

/** The certificates of a file's text, undone as public key text is (unwrap: quotes, a BOM, literal \r\n escapes). */
function certificates(text: string): { certs: CertInfo[]; problem: string | null } {
  const scan = scanPem(unwrap(text));
  const certs: CertInfo[] = [];
  if (scan.blocks.length === 0) return { certs, problem: 'no PEM certificate found (the file starts with -----BEGIN CERTIFICATE-----)' };
  for (const [i, block] of scan.blocks.entries()) {
    if (/PRIVATE KEY/.test(block.label)) return { certs, problem: `PEM block ${i + 1} is a private key, never part of a certificate file` };
    if (block.label !== 'CERTIFICATE') return { certs, problem: `PEM block ${i + 1} is a "${block.label}" block, not a certificate` };
    if (block.der === null) return { certs, problem: `PEM block ${i + 1} is damaged (${block.problem === 'unterminated' ? 'no END line: cut off when copying' : 'not valid base64'})` };
    const info = certificateInfo(block.der);
    if (!info) return { certs, problem: `PEM block ${i + 1} cannot be read as an X.509 certificate` };
    certs.push(info);
  }
  return { certs, problem: null };
}

/** The app certificate: its SN, validity and key. The first certificate of the file is the app's. */
export async function readAppCertificate(text: string): Promise<CertRead<AppCertificate>> {
  const { certs, problem } = certificates(text);
  if (problem) return { ok: false, problem: `${problem}. ${APP_CERT_WANT}` };
  const cert = certs[0]!;
  const cn = cert.subjectCommonName ?? cert.subject;
  if (cert.isCa) {
    return { ok: false, problem: `a CA certificate (${cn}), as in alipayRootCert.crt. ${APP_CERT_WANT}`, advice: { kind: 'belongs-in', place: 'root-cert' } };
  }
  if (ALIPAY_CERT_CN.test(cn)) {
    return {
      ok: false,
      problem: `Alipay's own certificate (${cn}, alipayCertPublicKey_RSA2.crt). ${APP_CERT_WANT}`,
      advice: { kind: 'belongs-in', place: 'alipay-public-key' },
    };
  }
  return {
    ok: true,
    value: { sn: certSnOf(cert), subject: cert.subject, notAfter: cert.notAfter, publicFingerprint: await sha256Hex(cert.spki) },
  };
}

/** alipay_root_cert_sn from the root bundle; refuses a file that holds end-entity certificates instead. */
export function readRootCertificates(text: string): CertRead<{ sn: string }> {
  const { certs, problem } = certificates(text);
  if (problem) return { ok: false, problem: `${problem}. ${ROOT_CERT_WANT}` };
  const leaf = certs.find((c) => !c.isCa);
  if (leaf) {
    const cn = leaf.subjectCommonName ?? leaf.subject;
    return { ok: false, problem: `holds a certificate that is not a root (${cn}): a public key certificate, not the root bundle. ${ROOT_CERT_WANT}` };
  }
  const sn = alipayRootCertSn(unwrap(text));
  if (sn === '') return { ok: false, problem: `no RSA-signed root certificate in the bundle (Alipay's bundle has one). ${ROOT_CERT_WANT}` };
  return { ok: true, value: { sn } };
}
