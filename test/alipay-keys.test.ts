/// <reference types="vite/client" />
// Loading Alipay public keys from every form merchants paste, and saying what unusable material looks like.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeKeyText, importVerifyKey, loadPublicKeys, type KeyLoadReport } from '../src/alipay/keys';
import { unquote } from '../src/utils/pasted-text';
import type { AlipayPublicKey } from '../src/alipay/types';
import { base64, der, pem, sha256Hex, utf8 } from './support/encoding';

const vectors = import.meta.glob('./fixtures/vectors/*.json', { eager: true, import: 'default' }) as Record<string, Record<string, unknown>>;
function vector(id: string): Record<string, unknown> {
  const v = vectors[`./fixtures/vectors/${id}.json`];
  if (!v) throw new Error(`missing vector ${id}`);
  return v;
}
const certVector = vector('certsn_node_antcertutil') as {
  app_cert_pem: string;
  alipay_public_cert_pem: string;
  alipay_root_cert_pem: string;
  expected: { alipay_cert_sn: string; alipay_public_key_base64: string };
};

// ---- material built for the tests ------------------------------------------------------

const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
let spkiA: Uint8Array;
let spkiB: Uint8Array;
let pkcs8A: Uint8Array;
let privateA: CryptoKey;
let ecSpki: Uint8Array;

async function generate(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
}

beforeAll(async () => {
  const [a, b] = await Promise.all([generate(), generate()]);
  spkiA = new Uint8Array((await crypto.subtle.exportKey('spki', a.publicKey)) as ArrayBuffer);
  spkiB = new Uint8Array((await crypto.subtle.exportKey('spki', b.publicKey)) as ArrayBuffer);
  pkcs8A = new Uint8Array((await crypto.subtle.exportKey('pkcs8', a.privateKey)) as ArrayBuffer);
  privateA = a.privateKey;
  const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  ecSpki = new Uint8Array((await crypto.subtle.exportKey('spki', ec.publicKey)) as ArrayBuffer);
});

/** RSAPublicKey (PKCS#1) of a 2048-bit SPKI: the BIT STRING contents after its 24-byte fixed header. */
function pkcs1Of(spki: Uint8Array): Uint8Array {
  expect(spki[23]).toBe(0); // unused-bits octet of the BIT STRING
  expect(spki[24]).toBe(0x30);
  return spki.slice(24);
}

/** RSAPrivateKey (PKCS#1) inside a 2048-bit PKCS#8: the OCTET STRING after version and algorithm. */
function pkcs1PrivateOf(pkcs8: Uint8Array): Uint8Array {
  expect(pkcs8[22]).toBe(0x04);
  return pkcs8.slice(26);
}

const b64 = base64;

function oid(...bytes: number[]): Uint8Array {
  return der(0x06, Uint8Array.from(bytes));
}

function name(cn: string): Uint8Array {
  const rdn = (type: Uint8Array, tag: number, value: string) => der(0x31, der(0x30, type, der(tag, utf8(value))));
  return der(0x30, rdn(oid(0x55, 4, 6), 0x13, 'CN'), rdn(oid(0x55, 4, 10), 0x0c, 'Test'), rdn(oid(0x55, 4, 3), 0x0c, cn));
}

const SHA256_WITH_RSA = der(0x30, oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11), der(0x05));

/** A structurally valid X.509 certificate (the signature is not real: the gateway never checks chains). */
function fakeCertificate(spki: Uint8Array, subjectCn: string, options: { issuerCn?: string; ca?: boolean } = {}): Uint8Array {
  const extensions = options.ca
    ? [der(0xa3, der(0x30, der(0x30, oid(0x55, 0x1d, 0x13), der(0x01, Uint8Array.of(0xff)), der(0x04, der(0x30, der(0x01, Uint8Array.of(0xff)))))))]
    : [];
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Uint8Array.of(2))),
    der(0x02, Uint8Array.of(0x01, 0x23)),
    SHA256_WITH_RSA,
    name(options.issuerCn ?? 'Ant Financial Certification Authority Class 2 R1'),
    der(0x30, der(0x17, utf8('200101000000Z')), der(0x17, utf8('300101000000Z'))),
    name(subjectCn),
    spki,
    ...extensions,
  );
  return der(0x30, tbs, SHA256_WITH_RSA, der(0x03, new Uint8Array(17)));
}

const ALIPAY_CN = '支付宝(中国)网络技术有限公司-2088831204659217';

function keysOf(result: KeyLoadReport): AlipayPublicKey[] {
  if (!result.ok) throw new Error(`expected keys, got problems: ${result.problems.join(' | ')}`);
  return result.keys;
}

async function problemsOf(text: string): Promise<string[]> {
  const result = await loadPublicKeys(text);
  if (result.ok) throw new Error('expected a problem, but the text loaded');
  return result.problems;
}

/** The problem text must not carry the material beyond a short prefix. */
function expectNoEcho(problems: string[], material: string): void {
  const middle = material.replace(/\s/g, '').slice(20, 36);
  expect(middle.length).toBe(16);
  for (const p of problems) expect(p).not.toContain(middle);
}

// ---- key forms ---------------------------------------------------------------------------

describe('loadPublicKeys: every key form', () => {
  it('bare base64 SPKI', async () => {
    const [key] = keysOf(await loadPublicKeys(b64(spkiA)));
    expect(key!.form).toBe('base64-spki');
    expect(key!.modulusBits).toBe(2048);
    expect(key!.spki).toEqual(spkiA);
    expect(key!.fingerprint).toBe(await sha256Hex(spkiA));
    expect(key!.certSn).toBeUndefined();
  });

  it('PEM PUBLIC KEY', async () => {
    const [key] = keysOf(await loadPublicKeys(pem('PUBLIC KEY', spkiA)));
    expect(key!.form).toBe('pem-spki');
    expect(key!.fingerprint).toBe(await sha256Hex(spkiA));
  });

  it('PEM RSA PUBLIC KEY (PKCS#1) is wrapped into the same SPKI, so the fingerprint matches', async () => {
    const [key] = keysOf(await loadPublicKeys(pem('RSA PUBLIC KEY', pkcs1Of(spkiA))));
    expect(key!.form).toBe('pem-pkcs1');
    expect(key!.spki).toEqual(spkiA);
    expect(key!.fingerprint).toBe(await sha256Hex(spkiA));
  });

  it('bare base64 PKCS#1 is accepted and wrapped too', async () => {
    const [key] = keysOf(await loadPublicKeys(b64(pkcs1Of(spkiA))));
    expect(key!.spki).toEqual(spkiA);
  });

  it('SPKI mislabelled as RSA PUBLIC KEY is read by its structure', async () => {
    const [key] = keysOf(await loadPublicKeys(pem('RSA PUBLIC KEY', spkiA)));
    expect(key!.spki).toEqual(spkiA);
  });

  it('PEM CERTIFICATE: the SPKI of the certificate, with its SN and expiry', async () => {
    const [key] = keysOf(await loadPublicKeys(certVector.alipay_public_cert_pem));
    expect(key!.form).toBe('certificate');
    expect(b64(key!.spki)).toBe(certVector.expected.alipay_public_key_base64);
    expect(key!.certSn).toBe(certVector.expected.alipay_cert_sn);
    expect(key!.notAfter).toBe(Date.UTC(2022, 4, 14, 14, 42, 1));
  });

  it('bare base64 certificate (PEM body without its lines)', async () => {
    const body = certVector.alipay_public_cert_pem.replace(/-----[A-Z ]+-----/g, '');
    const [key] = keysOf(await loadPublicKeys(body));
    expect(key!.form).toBe('certificate');
    expect(b64(key!.spki)).toBe(certVector.expected.alipay_public_key_base64);
  });

  it('a bare base64 key wrapped over several lines is one key', async () => {
    const wrapped = pem('PUBLIC KEY', spkiA).split('\n').slice(1, -2).join('\n');
    expect(wrapped.split('\n').length).toBeGreaterThan(5);
    const keys = keysOf(await loadPublicKeys(wrapped));
    expect(keys).toHaveLength(1);
    expect(keys[0]!.spki).toEqual(spkiA);
  });

  it('a PEM pasted through JSON or an env var (literal \\n escapes, quotes) still loads', async () => {
    const escaped = JSON.stringify(pem('PUBLIC KEY', spkiA)); // "-----BEGIN ...\n..." with quotes
    const keys = keysOf(await loadPublicKeys(escaped));
    expect(keys[0]!.spki).toEqual(spkiA);
    const oneLine = pem('PUBLIC KEY', spkiA).replace(/\n/g, ' ');
    expect(keysOf(await loadPublicKeys(oneLine))[0]!.spki).toEqual(spkiA);
    const windows = pem('PUBLIC KEY', spkiA).replace(/\n/g, '\r\n');
    expect(keysOf(await loadPublicKeys(`\uFEFF${windows}`))[0]!.spki).toEqual(spkiA);
  });

  it('a key in curly quotes (a Chinese keyboard or a word processor), or with literal \\r\\n escapes, still loads', async () => {
    expect(keysOf(await loadPublicKeys(`“${base64(spkiA)}”`))[0]!.spki).toEqual(spkiA);
    expect(keysOf(await loadPublicKeys(`\u200B'${base64(spkiA)}'\r\n`))[0]!.spki).toEqual(spkiA);
    expect(keysOf(await loadPublicKeys(pem('PUBLIC KEY', spkiA).replace(/\n/g, '\\r\\n')))[0]!.spki).toEqual(spkiA);
  });

  it('the legacy mapi and lokielse RSA-1024 keys are accepted', async () => {
    for (const id of ['legacy_rsa_sha1_testkey_content', 'lokielse_aop_notify_rsa_sha1_testkey_v1']) {
      const [key] = keysOf(await loadPublicKeys(vector(id).alipay_public_key as string));
      expect(key!.modulusBits).toBe(1024);
      expect(key!.form).toBe('pem-spki');
    }
  });

  it('every vector key loads (bare base64, PEM and certificate forms)', async () => {
    let count = 0;
    for (const [path, v] of Object.entries(vectors)) {
      const text = (v.alipay_public_key ?? v.alipay_public_cert_pem) as string | undefined;
      if (!text) continue;
      const result = await loadPublicKeys(text);
      expect(result.ok, path).toBe(true);
      count++;
    }
    expect(count).toBeGreaterThanOrEqual(12);
    expect(keysOf(await loadPublicKeys(vector('node_yuque_trade_notify_rsa2_v1').alipay_public_key as string))[0]!.form).toBe('base64-spki');
    expect(keysOf(await loadPublicKeys(vector('neg_gopay_fake_notify').alipay_public_key as string))[0]!.form).toBe('base64-spki');
  });
});

describe('loadPublicKeys: several keys at once (rotation)', () => {
  it.each([
    ['commas', ','],
    ['spaces', ' '],
    ['newlines', '\n'],
    ['comma and space', ', '],
    ['a full-width comma (a Chinese keyboard)', '，'],
    ['an ideographic comma', '、'],
  ])('bare base64 separated by %s', async (_label, separator) => {
    const keys = keysOf(await loadPublicKeys(b64(spkiA) + separator + b64(spkiB)));
    expect(keys.map((k) => k.spki)).toEqual([spkiA, spkiB]);
  });

  it('PEM blocks and a bare value mixed', async () => {
    const text = `${pem('PUBLIC KEY', spkiA)}\n${b64(spkiB)}\n`;
    const keys = keysOf(await loadPublicKeys(text));
    expect(keys.map((k) => k.spki)).toEqual([spkiA, spkiB]);
  });

  it('PKCS#1 and SPKI of different keys give two distinct fingerprints', async () => {
    const keys = keysOf(await loadPublicKeys(pem('RSA PUBLIC KEY', pkcs1Of(spkiA)) + pem('PUBLIC KEY', spkiB)));
    expect(keys).toHaveLength(2);
    expect(keys[0]!.fingerprint).not.toBe(keys[1]!.fingerprint);
  });

  it('the same key twice is used once, with a warning', async () => {
    const result = await loadPublicKeys(`${b64(spkiA)}\n${pem('RSA PUBLIC KEY', pkcs1Of(spkiA))}`);
    expect(keysOf(result)).toHaveLength(1);
    expect(result.warnings.join()).toContain('more than once');
  });

  it('two certificate files pasted together give two keys, each file\'s chain ignored', async () => {
    const chain = fakeCertificate(spkiB, 'Ant Financial Certification Authority Class 2 R1', { issuerCn: 'Ant Financial Certification Authority R1', ca: true });
    const text = [
      pem('CERTIFICATE', fakeCertificate(spkiA, ALIPAY_CN)),
      pem('CERTIFICATE', chain),
      pem('CERTIFICATE', fakeCertificate(spkiB, ALIPAY_CN)),
      pem('CERTIFICATE', chain),
    ].join('');
    const keys = keysOf(await loadPublicKeys(text));
    expect(keys.map((k) => k.spki)).toEqual([spkiA, spkiB]);
  });
});

describe('loadPublicKeys: certificate files use their FIRST certificate', () => {
  it('the Alipay certificate followed by CA certificates yields only the Alipay key', async () => {
    const text = certVector.alipay_public_cert_pem + certVector.alipay_root_cert_pem;
    const keys = keysOf(await loadPublicKeys(text));
    expect(keys).toHaveLength(1);
    expect(b64(keys[0]!.spki)).toBe(certVector.expected.alipay_public_key_base64);
  });

  it('describeKeyText lists the chain certificates as ignored, not as problems', async () => {
    const d = await describeKeyText(certVector.alipay_public_cert_pem + certVector.alipay_root_cert_pem);
    expect(d).toHaveLength(5);
    expect(d[0]!.ignored).toBe(false);
    expect(d.slice(1).every((x) => x.ignored && x.problem === null && x.normalized === null)).toBe(true);
  });
});

// ---- diagnostics -----------------------------------------------------------------------------

describe('loadPublicKeys: says what unusable material looks like', () => {
  it('PEM PRIVATE KEY (PKCS#8)', async () => {
    const problems = await problemsOf(pem('PRIVATE KEY', pkcs8A));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/PKCS#8 private key/);
    expect(problems[0]).toMatch(/Never put a private key here/);
    expectNoEcho(problems, b64(pkcs8A));
  });

  it('PEM RSA PRIVATE KEY (PKCS#1)', async () => {
    const problems = await problemsOf(pem('RSA PRIVATE KEY', pkcs1PrivateOf(pkcs8A)));
    expect(problems[0]).toMatch(/PKCS#1 RSA private key/);
  });

  it('bare base64 PKCS#8 private key ("MIIE…")', async () => {
    const text = b64(pkcs8A);
    expect(text.startsWith('MIIE')).toBe(true);
    const problems = await problemsOf(text);
    expect(problems[0]).toMatch(/a private key \(PKCS#8/);
    expectNoEcho(problems, text);
  });

  it('bare base64 PKCS#1 private key', async () => {
    const text = b64(pkcs1PrivateOf(pkcs8A));
    const problems = await problemsOf(text);
    expect(problems[0]).toMatch(/RSA private key \(PKCS#1\)/);
    expectNoEcho(problems, text);
  });

  it('a private key that was also cut off is still named a private key', async () => {
    for (const cut of [b64(pkcs8A).slice(0, 400), b64(pkcs8A).slice(0, 401), b64(pkcs1PrivateOf(pkcs8A)).slice(0, 400)]) {
      const problems = await problemsOf(cut);
      expect(problems[0]).toMatch(/a private key \(PKCS#8 or PKCS#1/);
      expect(problems[0]).not.toContain(cut.slice(0, 12));
    }
  });

  it('encrypted private keys: PEM ENCRYPTED PRIVATE KEY, Proc-Type: ENCRYPTED, and bare PKCS#8 EncryptedPrivateKeyInfo', async () => {
    const pbes2 = der(0x30, der(0x30, oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 5, 13), der(0x30)), der(0x04, new Uint8Array(1200).fill(7)));
    expect((await problemsOf(pem('ENCRYPTED PRIVATE KEY', pbes2)))[0]).toMatch(/encrypted private key/);
    const traditional = pem('RSA PRIVATE KEY', new Uint8Array(600).fill(9)).replace(
      '-----\n',
      '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n',
    );
    expect((await problemsOf(traditional))[0]).toMatch(/encrypted private key/);
    expect((await problemsOf(b64(pbes2)))[0]).toMatch(/encrypted private key \(PKCS#8\)/);
  });

  it('truncated bare base64: the DER header says more bytes than are there', async () => {
    const cut = b64(spkiA).slice(0, 300);
    const problems = await problemsOf(cut);
    expect(problems[0]).toMatch(/truncated value: its header says 294 bytes but only 225 are there/);
    expectNoEcho(problems, cut);
  });

  it('truncated base64 that is not even valid base64 any more', async () => {
    const cut = b64(spkiA).slice(0, 301);
    const problems = await problemsOf(cut);
    expect(problems[0]).toMatch(/broken base64.*cut off/);
    expect(problems[0]).toContain('a 301-character value');
    expect(problems[0]).not.toContain('MIIBIj'); // not even the start: the piece may be a secret in the wrong setting
    expectNoEcho(problems, cut);
  });

  it('truncated PEM: a BEGIN line without an END line, or a body cut short', async () => {
    const text = pem('PUBLIC KEY', spkiA);
    expect((await problemsOf(text.slice(0, 200)))[0]).toMatch(/no END line: the text was cut off/);
    const lines = text.split('\n');
    const shortBody = [...lines.slice(0, 3), ...lines.slice(-2)].join('\n');
    expect((await problemsOf(shortBody))[0]).toMatch(/truncated value/);
  });

  it('two keys run together without a separator', async () => {
    const problems = await problemsOf(b64(spkiA) + b64(spkiB));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/294 extra bytes after its end.*Two keys pasted together/);
  });

  it('a truncated key followed by a good one reports the first and does not swallow the second', async () => {
    const description = await describeKeyText(`${b64(spkiA).slice(0, 300)}\n${b64(spkiB)}`);
    expect(description.map((d) => d.problem === null)).toEqual([false, true]);
    expect(description[1]!.normalized).toBe(b64(spkiB));
  });

  it('not RSA: an EC (P-256) public key', async () => {
    const problems = await problemsOf(b64(ecSpki));
    expect(problems[0]).toMatch(/an EC public key, not RSA/);
    expect(problems[0]).toMatch(/RSA2/);
  });

  it('not RSA: an SM2 public key, bare or in a certificate', async () => {
    const sm2Spki = der(
      0x30,
      der(0x30, oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 2, 1), oid(0x2a, 0x81, 0x1c, 0xcf, 0x55, 1, 0x82, 0x2d)),
      der(0x03, Uint8Array.of(0, 4, ...new Uint8Array(64).fill(1))),
    );
    expect((await problemsOf(b64(sm2Spki)))[0]).toMatch(/SM2 \(国密\) public key, not RSA/);
    const cert = pem('CERTIFICATE', fakeCertificate(sm2Spki, ALIPAY_CN));
    expect((await problemsOf(cert))[0]).toMatch(/a certificate holding an SM2 \(国密\) public key, not RSA/);
  });

  it('too small: an RSA-512 key', async () => {
    const modulus = Uint8Array.of(0, 0xc3, ...new Uint8Array(63).fill(0x5b));
    const pkcs1 = der(0x30, der(0x02, modulus), der(0x02, Uint8Array.of(1, 0, 1)));
    const problems = await problemsOf(pem('RSA PUBLIC KEY', pkcs1));
    expect(problems[0]).toMatch(/RSA-512 public key, too small/);
  });

  it('random base64 that is not a key', async () => {
    const random = Uint8Array.from({ length: 120 }, (_, i) => (i * 151 + 7) & 0xff);
    const problems = await problemsOf(b64(random));
    expect(problems[0]).toMatch(/decodes to 120 bytes which are not a key or certificate/);
    expectNoEcho(problems, b64(random));
  });

  it('text that is neither base64 nor PEM', async () => {
    const problems = await problemsOf(`支付宝公钥：${b64(spkiA)}`);
    expect(problems[0]).toMatch(/neither base64 nor PEM/);
    expectNoEcho(problems, b64(spkiA));
  });

  it('secrets and ids pasted into the wrong setting are named and never echoed', async () => {
    const md5Key = 'ab3c5e7d9f1a2b4c6d8e0f1a3b5c7d9e';
    const md5Problems = await problemsOf(md5Key);
    expect(md5Problems[0]).toMatch(/legacy MD5 partner key.*the MD5 key of legacy notifications, not a public key/);
    expect(md5Problems[0]).not.toContain(md5Key.slice(0, 4));
    expect((await problemsOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'))[0]).toMatch(/Standard Webhooks secret.*forward secret, not an Alipay key/);
    expect((await problemsOf('2021001161683774'))[0]).toMatch(/app_id or partner id/);
  });

  it('the root certificate bundle (alipayRootCert.crt)', async () => {
    const problems = await problemsOf(certVector.alipay_root_cert_pem);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/root CA certificate.*alipayRootCert\.crt/);
    expect(problems[0]).toMatch(/alipayCertPublicKey_RSA2\.crt/);
  });

  it('an intermediate CA certificate on its own', async () => {
    const ca = fakeCertificate(spkiA, 'Ant Financial Certification Authority Class 2 R1', { issuerCn: 'Ant Financial Certification Authority R1', ca: true });
    expect((await problemsOf(pem('CERTIFICATE', ca)))[0]).toMatch(/a CA certificate \(Ant Financial Certification Authority Class 2 R1\), not the Alipay public key certificate/);
  });

  it('the app certificate (subject "<pid>-<app_id>", not Alipay\'s) loads with a warning saying so', async () => {
    const result = await loadPublicKeys(certVector.app_cert_pem);
    expect(keysOf(result)).toHaveLength(1);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/shaped like your app certificate \(appCertPublicKey_<app_id>\.crt/);
    const alipay = await loadPublicKeys(certVector.alipay_public_cert_pem);
    expect(alipay.warnings).toEqual([]);
  });

  it('a certificate signing request', async () => {
    const csr = der(
      0x30,
      der(0x30, der(0x02, Uint8Array.of(0)), name('2088831204659217-2021001161683774'), spkiA, der(0xa0)),
      SHA256_WITH_RSA,
      der(0x03, new Uint8Array(17)),
    );
    expect((await problemsOf(pem('CERTIFICATE REQUEST', csr)))[0]).toMatch(/certificate signing request/);
    expect((await problemsOf(b64(csr)))[0]).toMatch(/certificate signing request/);
  });

  it('an unrelated PEM block', async () => {
    expect((await problemsOf(pem('X509 CRL', spkiA)))[0]).toMatch(/"X509 CRL" PEM block is not a public key or certificate/);
  });

  it('nothing, or far too much', async () => {
    expect((await problemsOf('  \n '))[0]).toMatch(/no key found/);
    expect((await problemsOf('A'.repeat(70_000)))[0]).toMatch(/70000 characters/);
  });

  it('one bad piece fails the whole load and is named by position', async () => {
    const problems = await problemsOf(`${b64(spkiA)},${b64(ecSpki)}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^base64 value 2: an EC public key/);
  });
});

// ---- describeKeyText ---------------------------------------------------------------------------

describe('describeKeyText', () => {
  it('a PKCS#1 key is described with its bits, fingerprint and the normalized bare SPKI', async () => {
    const [d] = await describeKeyText(pem('RSA PUBLIC KEY', pkcs1Of(spkiA)));
    expect(d).toMatchObject({ source: 'PEM block 1 (RSA PUBLIC KEY)', form: 'pem-pkcs1', bits: 2048, problem: null, ignored: false });
    expect(d!.fingerprint).toBe(await sha256Hex(spkiA));
    expect(d!.normalized).toBe(b64(spkiA));
    expect(d!.looksLike).toMatch(/RSA-2048 public key \(PKCS#1/);
  });

  it('a certificate is described with subject, issuer, serial, SN and validity', async () => {
    const [d] = await describeKeyText(certVector.alipay_public_cert_pem);
    expect(d!.certificate).toMatchObject({
      subject: `CN=${ALIPAY_CN},OU=Alipay,O=杭州焕旭信息技术有限公司,C=CN`,
      issuer: 'CN=Ant Financial Certification Authority Class 2 R1,OU=Certification Authority,O=Ant Financial,C=CN',
      serialNumber: '42701552432456004857627230056898180491',
      sn: certVector.expected.alipay_cert_sn,
      notAfter: '2022-05-14T14:42:01.000Z',
    });
    expect(d!.normalized).toBe(certVector.expected.alipay_public_key_base64);
  });

  it('a problem piece has no fingerprint and no normalized value', async () => {
    const [d] = await describeKeyText(pem('PRIVATE KEY', pkcs8A));
    expect(d).toMatchObject({ form: null, fingerprint: null, normalized: null, looksLike: 'a PKCS#8 private key' });
    expect(d!.problem).toMatch(/private key/);
  });
});

// ---- CryptoKeys -------------------------------------------------------------------------------------

describe('importVerifyKey', () => {
  it('makes a key that verifies RSA2 and RSA signatures', async () => {
    const [key] = keysOf(await loadPublicKeys(b64(spkiA)));
    const data = utf8('notify_id=1&trade_status=TRADE_SUCCESS');
    const rsa2 = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateA, data);
    expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', await importVerifyKey(key!, 'SHA-256'), rsa2, data)).toBe(true);
    const sha1Private = await crypto.subtle.importKey('pkcs8', pkcs8A, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, ['sign']);
    const rsa = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', sha1Private, data);
    const sha1Key = await importVerifyKey(key!, 'SHA-1');
    expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', sha1Key, rsa, data)).toBe(true);
    expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', sha1Key, rsa2, data)).toBe(false);
  });

  it('imports once per isolate: the same CryptoKey for the same key and hash, even from another load', async () => {
    const [first] = keysOf(await loadPublicKeys(b64(spkiB)));
    const [again] = keysOf(await loadPublicKeys(pem('PUBLIC KEY', spkiB)));
    const a = await importVerifyKey(first!, 'SHA-256');
    expect(await importVerifyKey(first!, 'SHA-256')).toBe(a);
    expect(await importVerifyKey(again!, 'SHA-256')).toBe(a);
    const sha1 = await importVerifyKey(first!, 'SHA-1');
    expect(sha1).not.toBe(a);
    expect(await importVerifyKey(again!, 'SHA-1')).toBe(sha1);
    expect((a.algorithm as CryptoKeyRsaKeyAlgorithm).hash?.name).toBe('SHA-256');
    expect((sha1.algorithm as CryptoKeyRsaKeyAlgorithm).hash?.name).toBe('SHA-1');
    expect(a.extractable).toBe(false);
    expect(a.usages).toEqual(['verify']);
  });
});

describe('unquote: one pair of quotes around any pasted setting', () => {
  it.each([
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['“abc”', 'abc'],
    ['‘abc’', 'abc'],
    ['\uFEFF "abc" \r\n', 'abc'],
    ['\u200B\u3000abc\u00A0', 'abc'],
    ['" abc "', 'abc'],
    ['""abc""', '"abc"'],
    ['"abc\'', '"abc\''],
    ['”abc“', '”abc“'],
    ['"', '"'],
    ['""', ''],
    ['a"b"', 'a"b"'],
  ])('%j -> %j', (text, expected) => {
    expect(unquote(text)).toBe(expected);
  });

  it('is linear on long whitespace (no regex backtracking)', () => {
    const text = `x${' '.repeat(60_000)}y`;
    expect(unquote(text)).toBe(text);
  });
});
