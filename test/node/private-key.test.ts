// The app private key in every form Alipay's key tool (and OpenSSL) writes, made here by node:crypto,
// and every mistake named for what it is: a public key, Alipay's pair, another algorithm, an
// encrypted or cut-off key. The signing key is checked with node:crypto too, never by the loader itself.
import { createHash, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/alipay/private-key';
import { loadPublicKeys } from '../../src/alipay/keys';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiDer = rsa.publicKey.export({ type: 'spki', format: 'der' });
const fingerprint = createHash('sha256').update(spkiDer).digest('hex');
const pkcs8Der = rsa.privateKey.export({ type: 'pkcs8', format: 'der' });
const pkcs1Der = rsa.privateKey.export({ type: 'pkcs1', format: 'der' });
const pemOf = (k: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1', extra: object = {}) => k.export({ type, format: 'pem', ...extra }) as string;

async function problemOf(text: string, options = {}): Promise<string> {
  const loaded = await loadPrivateKey(text, options);
  if (loaded.ok) throw new Error('expected a problem');
  // No problem message ever carries a piece of the key.
  const secret = pkcs8Der.toString('base64');
  for (let i = 40; i + 16 < secret.length; i += 97) expect(loaded.problem).not.toContain(secret.slice(i, i + 16));
  return loaded.problem;
}

describe('usable forms', () => {
  it.each([
    ['PKCS#8 PEM', pemOf(rsa.privateKey, 'pkcs8'), 'pkcs8-pem'],
    ['PKCS#8 bare base64 (Alipay key tool)', pkcs8Der.toString('base64'), 'pkcs8-base64'],
    ['PKCS#1 PEM (RSA PRIVATE KEY)', pemOf(rsa.privateKey, 'pkcs1'), 'pkcs1-pem'],
    ['PKCS#1 bare base64 (key tool, non-Java)', pkcs1Der.toString('base64'), 'pkcs1-base64'],
    ['PKCS#8 base64 wrapped at 64 columns, with CRLF', pkcs8Der.toString('base64').replace(/(.{64})/g, '$1\r\n'), 'pkcs8-base64'],
    ['PEM pasted through JSON (literal \\n)', JSON.stringify(pemOf(rsa.privateKey, 'pkcs1')), 'pkcs1-pem'],
  ])('%s: signs, and its public half is the key pair\'s public key', async (_name, text, form) => {
    const loaded = await loadPrivateKey(text);
    if (!loaded.ok) throw new Error(loaded.problem);
    expect(loaded.key.form).toBe(form);
    expect(loaded.key.modulusBits).toBe(2048);
    expect(Buffer.from(loaded.key.publicSpki).equals(spkiDer)).toBe(true);
    expect(loaded.key.publicFingerprint).toBe(fingerprint);
    const content = Buffer.from('app_id=2021000000000000&biz_content={"out_trade_no":"T1"}&method=alipay.trade.query&sign_type=RSA2');
    const signature = Buffer.from(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', loaded.key.signingKey, content));
    expect(createVerify('RSA-SHA256').update(content).verify(rsa.publicKey, signature)).toBe(true);
  });

  it('signs SHA-1 when asked (simulate playing legacy RSA), with a 1024-bit key when allowed', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const loaded = await loadPrivateKey(pemOf(small.privateKey, 'pkcs8'), { hash: 'SHA-1', minBits: 1024 });
    if (!loaded.ok) throw new Error(loaded.problem);
    const signature = Buffer.from(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', loaded.key.signingKey, Buffer.from('x')));
    expect(createVerify('RSA-SHA1').update('x').verify(small.publicKey, signature)).toBe(true);
  });
});

describe('mistakes, named', () => {
  it('a public key, a PKCS#1 public key, a certificate-less SPKI: "a public key cannot sign"', async () => {
    expect(await problemOf(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string)).toMatch(/^an RSA-2048 public key \(fingerprint [0-9a-f]{16}…\), perhaps your app public key \(应用公钥\): a public key cannot sign/);
    expect(await problemOf(rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string)).toMatch(/public key cannot sign/);
    expect((await loadPrivateKey(spkiDer.toString('base64'))).material).toBe('public-key');
  });

  it('the Alipay public key (as configured) pasted here', async () => {
    const configured = await loadPublicKeys(spkiDer.toString('base64'));
    if (!configured.ok) throw new Error('did not load');
    expect(await problemOf(spkiDer.toString('base64'), { alipayKeys: configured.keys })).toMatch(/the Alipay public key already configured/);
    // The private half of that same key: Alipay's pair (or the local key that plays Alipay), never the app's.
    expect(await problemOf(pemOf(rsa.privateKey, 'pkcs8'), { alipayKeys: configured.keys })).toMatch(
      new RegExp(`whose public half \\(fingerprint ${fingerprint.slice(0, 16)}…\\) is the configured Alipay public key`),
    );
  });

  it.each([
    ['EC (PKCS#8)', () => pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'pkcs8'), /^an EC private key \(PKCS#8\), not RSA: .*RSA2/],
    ['EC (SEC1 PEM)', () => pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'sec1'), /^an EC private key: Alipay signs requests with RSA2/],
    ['EC (SEC1 DER, base64)', () => (generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'der' }) as Buffer).toString('base64'), /^an EC private key, not RSA/],
    ['Ed25519', () => pemOf(generateKeyPairSync('ed25519').privateKey, 'pkcs8'), /^an Ed25519 private key \(PKCS#8\), not RSA/],
    ['DSA', () => pemOf(generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey, 'pkcs8'), /^a DSA private key \(PKCS#8\), not RSA/],
  ])('another algorithm: %s', async (_name, make, message) => {
    const loaded = await loadPrivateKey(make());
    expect(loaded).toMatchObject({ ok: false, material: 'private-key' });
    expect(loaded.ok ? '' : loaded.problem).toMatch(message);
  });

  it('an RSA-1024 key is too small for RSA2', async () => {
    expect(await problemOf(pemOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'pkcs8'))).toMatch(/^an RSA-1024 private key \(PKCS#8, PEM\), too small: RSA2 keys/);
  });

  it('encrypted keys (PKCS#8 and OpenSSL\'s traditional PKCS#1 encryption)', async () => {
    const enc8 = pemOf(rsa.privateKey, 'pkcs8', { cipher: 'aes-256-cbc', passphrase: 'pw' });
    expect(enc8).toContain('ENCRYPTED PRIVATE KEY');
    expect(await problemOf(enc8)).toMatch(/^an encrypted private key: decrypt it first/);
    const enc1 = pemOf(rsa.privateKey, 'pkcs1', { cipher: 'aes-256-cbc', passphrase: 'pw' });
    expect(enc1).toContain('Proc-Type: 4,ENCRYPTED');
    expect(await problemOf(enc1)).toMatch(/^an encrypted private key/);
    const encDer = (rsa.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'pw' }) as Buffer).toString('base64');
    expect(await problemOf(encDer)).toMatch(/^an encrypted private key \(PKCS#8\)/);
  });

  it('cut off when copying: bare base64 or a PEM without its END line', async () => {
    const b64 = pkcs8Der.toString('base64');
    const cut = b64.slice(0, Math.floor((b64.length * 0.6) / 4) * 4);
    expect(await problemOf(cut)).toMatch(/^a private key cut off when copying: its header says \d+ bytes but only \d+ are there/);
    const pemText = pemOf(rsa.privateKey, 'pkcs8');
    expect(await problemOf(pemText.slice(0, pemText.indexOf('-----END')))).toMatch(/^a "PRIVATE KEY" PEM block with no END line: the text was cut off/);
    expect((await loadPrivateKey(cut)).material).toBe('private-key');
  });

  it('damaged: one changed byte in the modulus', async () => {
    const damaged = Buffer.from(pkcs8Der);
    damaged[100] = damaged[100]! ^ 0x01;
    expect(await problemOf(damaged.toString('base64'))).toMatch(/damaged|do not fit together/);
  });

  it('two keys in one value', async () => {
    const two = pemOf(rsa.privateKey, 'pkcs8') + pemOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'pkcs8');
    expect(await problemOf(two)).toMatch(/^2 PEM blocks \(PRIVATE KEY, PRIVATE KEY\): the setting takes exactly one private key/);
  });

  it.each([
    ['whsec_abcdefghijklmnopqrstuvwxyz012345', /Standard Webhooks secret/, 'forward-secret'],
    ['SEC0123456789abcdef0123456789abcdef0123456789abcdef', /DingTalk robot secret/, 'alert-secret'],
    ['0123456789abcdefghijklmnopqrstuv', /MD5 partner key/, 'md5-key'],
    ['2021000000000000', /app_id or partner id/, null],
    ['not a key at all!', /neither PEM nor base64/, null],
    ['', /^empty text/, null],
  ])('something else: %j, and where it belongs as data', async (text, message, place) => {
    expect(await problemOf(text)).toMatch(message);
    const loaded = await loadPrivateKey(text);
    expect(loaded.ok ? null : (loaded.advice ?? null)).toEqual(place === null ? null : { kind: 'belongs-in', place });
  });

  it('certificates pasted here say where they belong, as data', async () => {
    const two = pemOf(rsa.privateKey, 'pkcs8') + '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const loaded = await loadPrivateKey(two);
    expect(loaded).toMatchObject({ ok: false, advice: { kind: 'belongs-in', place: 'app-or-root-cert' } });
  });

  it('the advice names what the caller needs', async () => {
    expect(await problemOf(spkiDer.toString('base64'))).toMatch(/Needed: your app private key \(应用私钥\)/);
    expect(await problemOf(spkiDer.toString('base64'), { want: 'signing as Alipay needs the private key' })).toMatch(/signing as Alipay needs the private key$/);
  });
});
