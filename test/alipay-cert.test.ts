/// <reference types="vite/client" />
// Certificate mode: Alipay cert SNs and the key extracted from alipayCertPublicKey_RSA2.crt must equal
// the values the official Node SDK computes (vector certsn_node_antcertutil.json).
import { describe, expect, it } from 'vitest';
import { alipayCertSn, alipayRootCertSn, certificateInfo, certSnOf } from '../src/alipay/cert';
import { pemBlocks } from '../src/alipay/pem';
import { loadPublicKeys } from '../src/alipay/keys';
import { base64, utf8 } from './support/encoding';

interface CertSnVector {
  app_cert_pem: string;
  alipay_public_cert_pem: string;
  alipay_root_cert_pem: string;
  sn_input_example: string;
  expected: { app_cert_sn: string; alipay_cert_sn: string; alipay_root_cert_sn: string; alipay_public_key_base64: string };
}

const vectors = import.meta.glob('./fixtures/vectors/certsn_node_antcertutil.json', { eager: true, import: 'default' });
const vector = Object.values(vectors)[0] as CertSnVector;

function firstDer(pem: string): Uint8Array {
  const blocks = pemBlocks(pem);
  expect(blocks[0]?.label).toBe('CERTIFICATE');
  return blocks[0]!.der;
}

describe('Alipay certificate SN (certsn_node_antcertutil vector)', () => {
  it('app_cert_sn', () => {
    expect(alipayCertSn(firstDer(vector.app_cert_pem))).toBe(vector.expected.app_cert_sn);
  });

  it('alipay_cert_sn', () => {
    expect(alipayCertSn(firstDer(vector.alipay_public_cert_pem))).toBe(vector.expected.alipay_cert_sn);
  });

  it('alipay_root_cert_sn joins only the RSA-signed roots (the SM2 and ECC roots are skipped)', () => {
    expect(pemBlocks(vector.alipay_root_cert_pem)).toHaveLength(4);
    expect(alipayRootCertSn(vector.alipay_root_cert_pem)).toBe(vector.expected.alipay_root_cert_sn);
  });

  it('hashes the issuer DN in reversed RDN order without spaces, followed by the decimal serial', () => {
    const info = certificateInfo(firstDer(vector.alipay_public_cert_pem))!;
    expect(info.issuer + info.serialDecimal).toBe(vector.sn_input_example);
    expect(info.issuer).toBe('CN=Ant Financial Certification Authority Class 2 R1,OU=Certification Authority,O=Ant Financial,C=CN');
    expect(info.serialDecimal).toBe(BigInt('0x20200514e63c2fe04d538716fe21358b').toString());
    expect(certSnOf(info)).toBe(vector.expected.alipay_cert_sn);
  });

  it('extracts the SubjectPublicKeyInfo of the Alipay certificate', () => {
    const info = certificateInfo(firstDer(vector.alipay_public_cert_pem))!;
    expect(base64(info.spki)).toBe(vector.expected.alipay_public_key_base64);
  });

  it('reads subject, validity and signature algorithm', () => {
    const info = certificateInfo(firstDer(vector.alipay_public_cert_pem))!;
    expect(info.subjectCommonName).toBe('支付宝(中国)网络技术有限公司-2088831204659217');
    expect(info.subject).toBe('CN=支付宝(中国)网络技术有限公司-2088831204659217,OU=Alipay,O=杭州焕旭信息技术有限公司,C=CN');
    expect(new Date(info.notBefore).toISOString()).toBe('2020-05-14T14:42:01.000Z');
    expect(new Date(info.notAfter).toISOString()).toBe('2022-05-14T14:42:01.000Z');
    expect(info.signatureAlgorithmOid).toBe('1.2.840.113549.1.1.11');
    expect(info.isCa).toBe(false);
  });

  it('marks every root of the bundle as a self-issued CA', () => {
    const infos = pemBlocks(vector.alipay_root_cert_pem).map((b) => certificateInfo(b.der)!);
    expect(infos.map((i) => i.selfIssued && i.isCa)).toEqual([true, true, true, true]);
    expect(infos[0]!.signatureAlgorithmOid).toBe('1.2.156.10197.1.501'); // SM2 root, left out of the root SN
  });

  it('loadPublicKeys on the certificate yields the same key and SN', async () => {
    const result = await loadPublicKeys(vector.alipay_public_cert_pem);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.keys).toHaveLength(1);
    expect(base64(result.keys[0]!.spki)).toBe(vector.expected.alipay_public_key_base64);
    expect(result.keys[0]!.certSn).toBe(vector.expected.alipay_cert_sn);
    expect(result.keys[0]!.notAfter).toBe(Date.UTC(2022, 4, 14, 14, 42, 1));
  });

  it('returns null instead of throwing for material that is not a certificate', () => {
    expect(certificateInfo(new Uint8Array(0))).toBeNull();
    expect(certificateInfo(utf8('not a certificate'))).toBeNull();
    const der = firstDer(vector.alipay_public_cert_pem);
    expect(certificateInfo(der.subarray(0, der.length - 10))).toBeNull();
    expect(alipayCertSn(der.subarray(0, 100))).toBeNull();
    expect(alipayRootCertSn('no certificates here')).toBe('');
  });
});
