// `alipay-notify-edge keys FILE` as a user runs it: what each kind of file is said to hold,
// the normalized value and wrangler step for usable keys, and exit statuses.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { onWindows, runCli, runInProcess } from '../support/cli-run';

const certVector = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/vectors/certsn_node_antcertutil.json', import.meta.url)), 'utf8'),
) as { alipay_public_cert_pem: string; alipay_root_cert_pem: string; app_cert_pem: string; expected: { alipay_public_key_base64: string; alipay_cert_sn: string } };

const dir = mkdtempSync(join(tmpdir(), 'cli-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
const spkiBase64 = spkiDer.toString('base64');
const fingerprint = createHash('sha256').update(spkiDer).digest('hex');

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('keys', () => {
  it('describes a bare base64 key and prints the wrangler step (real process)', async () => {
    const run = await runCli(['keys', file('bare.txt', `${spkiBase64}\n`)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('RSA-2048');
    expect(run.stdout).toContain(fingerprint);
    expect(run.stdout).toContain(`echo '${spkiBase64}' | npx wrangler secret put ALIPAY_PUBLIC_KEY`);
  });

  it('normalizes a PKCS#1 PEM to the same SPKI and fingerprint', async () => {
    const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const run = await runInProcess(['keys', '--json', file('pkcs1.pem', pkcs1)]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.usable).toBe(true);
    expect(out.keys).toHaveLength(1);
    expect(out.keys[0]).toMatchObject({ form: 'pem-pkcs1', bits: 2048, fingerprint, problem: null });
    expect(out.value).toBe(spkiBase64);
    expect(out.wrangler).toEqual([`echo '${spkiBase64}' | npx wrangler secret put ALIPAY_PUBLIC_KEY`]);
  });

  it('extracts the key of an Alipay public key certificate and offers the file itself too', async () => {
    const crt = file('alipayCertPublicKey_RSA2.crt', certVector.alipay_public_cert_pem);
    const run = await runInProcess(['keys', '--json', crt]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.value).toBe(certVector.expected.alipay_public_key_base64);
    expect(out.keys[0].form).toBe('certificate');
    expect(out.keys[0].certificate.sn).toBe(certVector.expected.alipay_cert_sn);
    expect(out.wrangler[1]).toBe(`npx wrangler secret put ALIPAY_PUBLIC_KEY < ${crt}`);
  });

  it('on Windows: commands cmd.exe and PowerShell run as they are (no single quotes, no `<`)', async () => {
    const crt = file('Alipay cert (copy).crt', certVector.alipay_public_cert_pem);
    const value = certVector.expected.alipay_public_key_base64;
    const run = await onWindows(() => runInProcess(['keys', crt]));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  echo ${value} | npx wrangler secret put ALIPAY_PUBLIC_KEY\n`);
    expect(run.stdout).toContain(`  type "${crt}" | npx wrangler secret put ALIPAY_PUBLIC_KEY   (cmd)\n`);
    expect(run.stdout).toContain(`  Get-Content -Raw "${crt}" | npx wrangler secret put ALIPAY_PUBLIC_KEY   (PowerShell)\n`);
    expect(run.stdout).not.toContain("echo '");
  });

  it('joins several keys for rotation, read from stdin (real process)', async () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const run = await runCli(['keys', '--json', '-'], { stdin: `${pem}\n${certVector.expected.alipay_public_key_base64}\n` });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).value).toBe(`${spkiBase64} ${certVector.expected.alipay_public_key_base64}`);
  });

  it('warns about an app certificate', async () => {
    const run = await runInProcess(['keys', file('appCertPublicKey.crt', certVector.app_cert_pem)]);
    expect(run.stdout).toMatch(/warning: .*app certificate/);
    expect(run.stdout).toContain('Read the warning above before you store it.');
  });

  it('says a private key is a private key (the app private key, usable as ALIPAY_APP_PRIVATE_KEY), without printing it', async () => {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const run = await runInProcess(['keys', file('private.pem', pem)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/private key/);
    expect(run.stdout).toContain('Nothing here can be stored as ALIPAY_PUBLIC_KEY');
    expect(run.stdout).not.toContain(pem.split('\n')[2]);
    expect(run.stdout).not.toContain('wrangler secret put ALIPAY_PUBLIC_KEY <');
  });

  it('refuses the root certificate bundle with exit 1', async () => {
    const run = await runInProcess(['keys', '--json', file('alipayRootCert.crt', certVector.alipay_root_cert_pem)]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.usable).toBe(false);
    expect(out.value).toBeNull();
    expect(out.wrangler).toEqual([]);
    expect(out.keys[0].problem).toMatch(/root/i);
  });

  it('says in one line that a plain text file holds no key, and exits 1', async () => {
    const notes = file('notes.txt', 'Alipay keys for the shop\nask Li for the new one\nsee the console, then paste here\n');
    const run = await runCli(['keys', notes]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${notes}: no key here: plain text (17 words), with no PEM block (-----BEGIN …) and no base64 key value. ` +
        'The key to use is the Alipay public key (支付宝公钥) shown in the Alipay open platform console, or in certificate mode the file alipayCertPublicKey_RSA2.crt\n',
    );
    const json = await runInProcess(['keys', '--json', notes]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ usable: false, keys: [], value: null, wrangler: [], problem: expect.stringMatching(/^no key here: plain text/) });
  });

  it('says in one line that an empty file holds no key', async () => {
    const run = await runInProcess(['keys', file('empty.pem', '\n')]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([expect.stringMatching(/empty\.pem: no key here: the file is empty\. The key to use is the Alipay public key/)]);
  });

  it('still explains, piece by piece, what looks like a key gone wrong or a value pasted in the wrong place', async () => {
    const cut = await runInProcess(['keys', file('cut.txt', `${spkiBase64.slice(0, 80)}\n`)]);
    expect(cut.stdout).toMatch(/^.*cut\.txt holds 1 piece:\n\n1\. base64 value 1: a truncated value/);
    const secret = await runInProcess(['keys', file('secret.txt', 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0\n')]);
    expect(secret.stdout).toContain("the gateway's forward secret, not an Alipay key");
  });

  it.each([
    ['a missing file', ['keys', join(dir, 'nope.pem')], /nope\.pem: cannot read/],
    ['no file', ['keys'], /give exactly one FILE/],
    ['an unknown command', ['key', 'x'], /unknown command "key"/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const run = await runInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('prints help for the tool and the command', async () => {
    const top = await runInProcess(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/verify .*\n\s+keys /);
    const keys = await runInProcess(['keys', '--help']);
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/^Usage: npx alipay-notify-edge keys FILE/);
  });
});

describe('keys: a legacy MD5 partner key', () => {
  const md5Key = 'k3v8q0w1e2r3t4y5u6i7o8p9a0s1d2f3';

  it('is named for what it is, with the ALIPAY_MD5_KEY step, exit 0, and the key never shown', async () => {
    const path = file('md5-key.txt', `${md5Key}\n`);
    const run = await runInProcess(['keys', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('legacy MD5 partner key');
    expect(run.stdout).toContain(`npx wrangler secret put ALIPAY_MD5_KEY < ${path}`);
    expect(run.stdout).toMatch(/MD5 in ALIPAY_SIGN_TYPES/);
    expect(run.stdout).not.toContain('base64 value');
    expect(run.stdout).not.toContain('fix the problems above');
    expect(run.stdout).not.toContain('cannot be used');
    expect(run.stdout.split('32 lowercase letters and digits').length).toBeLessThanOrEqual(2);
    expect(run.stdout + run.stderr).not.toContain(md5Key);

    const json = await runInProcess(['keys', '--json', path]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ usable: true, secret: 'ALIPAY_MD5_KEY', value: null, problem: null });
    expect(json.stdout).not.toContain(md5Key);
  });
});

