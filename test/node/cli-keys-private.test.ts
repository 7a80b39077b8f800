// `keys FILE` with the app private key: it says what the key is, prints the app public key
// (应用公钥) that goes with it and its fingerprint, and the ALIPAY_APP_PRIVATE_KEY step,
// never any part of the private key itself.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secretFromFileCommands } from '../../cli/keys-private';
import { onWindows, runCli, runInProcess } from '../support/cli-run';

const dir = mkdtempSync(join(tmpdir(), 'cli-keys-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const spki = publicKey.export({ type: 'spki', format: 'der' });
const appPublicKey = spki.toString('base64');
const fingerprint = createHash('sha256').update(spki).digest('hex');
const pkcs8Base64 = (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64');

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function expectNoKeyMaterial(out: string): void {
  for (let i = 40; i + 16 < pkcs8Base64.length; i += 64) expect(out).not.toContain(pkcs8Base64.slice(i, i + 16));
}

describe('keys with a private key', () => {
  it('prints the app public key and its fingerprint, and how to store the private key (real process)', async () => {
    const path = file('应用私钥RSA2048.txt', `${pkcs8Base64}\n`);
    const run = await runCli(['keys', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('an RSA-2048 private key (PKCS#8, bare base64)');
    expect(run.stdout).toContain(`SHA-256 fingerprint ${fingerprint}`);
    expect(run.stdout).toContain(appPublicKey);
    expect(run.stdout).toContain(`npx wrangler secret put ALIPAY_APP_PRIVATE_KEY < '${path}'`);
    expectNoKeyMaterial(run.stdout + run.stderr);
  });

  it('--json: the same facts as data', async () => {
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const run = await runInProcess(['keys', '--json', file('app.pem', pkcs1)]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ usable: true, keys: [], value: null, privateKey: { form: 'pkcs1-pem', bits: 2048, problem: null, appPublicKey, appPublicKeyFingerprint: fingerprint } });
    expect(out.wrangler).toEqual([`npx wrangler secret put ALIPAY_APP_PRIVATE_KEY < ${join(dir, 'app.pem')}`]);
    expectNoKeyMaterial(run.stdout);
  });

  it('on Windows: the cmd.exe and PowerShell forms, with double quotes (`< \'file\'` is sh only)', async () => {
    const path = file('John Smith app key.txt', `${pkcs8Base64}\n`);
    const run = await onWindows(() => runInProcess(['keys', path]));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  type "${path}" | npx wrangler secret put ALIPAY_APP_PRIVATE_KEY   (cmd)\n`);
    expect(run.stdout).toContain(`  Get-Content -Raw "${path}" | npx wrangler secret put ALIPAY_APP_PRIVATE_KEY   (PowerShell)\n`);
    expect(run.stdout).not.toContain(' < ');
    const json = await onWindows(() => runInProcess(['keys', '--json', path]));
    expect(JSON.parse(json.stdout).wrangler).toEqual([
      `type "${path}" | npx wrangler secret put ALIPAY_APP_PRIVATE_KEY`,
      `Get-Content -Raw "${path}" | npx wrangler secret put ALIPAY_APP_PRIVATE_KEY`,
    ]);
    // PowerShell would expand $name inside double quotes.
    expect(secretFromFileCommands('ALIPAY_APP_PRIVATE_KEY', 'C:\\keys\\$app`1.txt', 'win32')[1]).toBe(
      'Get-Content -Raw "C:\\keys\\`$app``1.txt" | npx wrangler secret put ALIPAY_APP_PRIVATE_KEY',
    );
  });

  it('an unusable private key (EC) exits 1 with the reason', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const run = await runInProcess(['keys', file('ec.pem', ec)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/It cannot be used: an EC private key \(PKCS#8\), not RSA/);
    expect(run.stdout).not.toContain('wrangler secret put');
  });

  it('a public key still takes the public-key path', async () => {
    const run = await runInProcess(['keys', '--json', file('pub.txt', appPublicKey)]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ usable: true, value: appPublicKey });
    expect(JSON.parse(run.stdout).privateKey).toBeUndefined();
  });
});
