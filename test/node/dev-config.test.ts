// The development configuration `npm start` generates on a fresh clone: a config the gateway
// accepts, a private key only its owner can read that matches ALIPAY_PUBLIC_KEY, and an
// existing .dev.vars never touched.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/alipay/private-key';
import {
  DEV_APP_ID,
  DEV_KEYS_DIR,
  DEV_PRIVATE_KEY_FILE,
  DEV_PUBLIC_KEY_FILE,
  DEV_SELLER_ID,
  DEV_VARS_FILE,
  ensureDevVars,
  parseDevVars,
} from '../../cli/dev-config';
import { importVerifyKey, loadPublicKeys } from '../../src/alipay/index';
import { loadConfig } from '../../src/config/load';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-vars-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('ensureDevVars', () => {
  it('writes a .dev.vars that the gateway configuration accepts, pointing at the demo origin', async () => {
    const dir = tempDir();
    const outcome = await ensureDevVars(dir, { originPort: 9911 });
    expect(outcome.created).toBe(true);
    expect(outcome.path).toBe(join(dir, DEV_VARS_FILE));

    // What wrangler will read is the file, so parse the file rather than trust `outcome.vars`.
    const vars = parseDevVars(readFileSync(outcome.path, 'utf8'));
    expect(vars).toEqual(outcome.vars);
    const result = await loadConfig(vars);
    if (!result.ok) throw new Error(result.problems.map((p) => `${p.setting}: ${p.message}`).join('\n'));
    const config = result.config;
    expect(config.alipay.appIds).toEqual([DEV_APP_ID]);
    expect(config.alipay.sellerIds).toEqual([DEV_SELLER_ID]);
    expect(config.alipay.keys).toHaveLength(1);
    expect(config.alipay.keys[0]!.modulusBits).toBe(2048);
    expect(config.forward.originUrl).toBe('http://127.0.0.1:9911/alipay/notify');
    expect(config.forward.secrets.map((s) => s.length)).toEqual([32]);
    expect(config.forward.retryScheduleMs).toEqual([5_000, 30_000, 120_000]);
    expect(config.adminToken).not.toBeNull();
    expect(config.visibility.statusSecret?.length).toBeGreaterThanOrEqual(32);
    expect(config.visibility.statusAllowedOrigins).toEqual(['http://127.0.0.1:9911', 'http://localhost:9911']);
    expect(config.summary.warnings).toEqual([]);
  });

  it('keeps the private key (and .dev.vars) readable by the owner only, and the key pair matches', async () => {
    const dir = tempDir();
    const { vars } = await ensureDevVars(dir);
    const privatePath = join(dir, DEV_PRIVATE_KEY_FILE);
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, DEV_VARS_FILE)).mode & 0o777).toBe(0o600);

    // What simulate signs with verifies with ALIPAY_PUBLIC_KEY and with the public PEM beside it.
    const signing = await loadPrivateKey(readFileSync(privatePath, 'utf8'));
    if (!signing.ok) throw new Error(signing.problem);
    const content = new TextEncoder().encode('app_id=2021000000000000&trade_status=TRADE_SUCCESS');
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signing.key.signingKey, content);
    const fromVars = await loadPublicKeys(vars.ALIPAY_PUBLIC_KEY!);
    const fromPem = await loadPublicKeys(readFileSync(join(dir, DEV_PUBLIC_KEY_FILE), 'utf8'));
    if (!fromVars.ok || !fromPem.ok) throw new Error('dev public key did not load');
    expect(fromPem.keys[0]!.fingerprint).toBe(fromVars.keys[0]!.fingerprint);
    const verifyKey = await importVerifyKey(fromVars.keys[0]!, 'SHA-256');
    expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', verifyKey, signature, content)).toBe(true);
  });

  it('makes fresh throwaway values for every directory', async () => {
    const [a, b] = [await ensureDevVars(tempDir()), await ensureDevVars(tempDir())];
    expect(a.vars.ALIPAY_PUBLIC_KEY).not.toBe(b.vars.ALIPAY_PUBLIC_KEY);
    expect(a.vars.FORWARD_SECRET).not.toBe(b.vars.FORWARD_SECRET);
    expect(a.vars.ADMIN_TOKEN).not.toBe(b.vars.ADMIN_TOKEN);
  });

  it('leaves an existing .dev.vars exactly as it is, and makes no keys', async () => {
    const dir = tempDir();
    const mine = '# my own settings\nALIPAY_APP_ID=2021009999999999\nORIGIN_URL="https://shop.example.com/notify.asp"\n';
    writeFileSync(join(dir, DEV_VARS_FILE), mine);
    const before = statSync(join(dir, DEV_VARS_FILE)).mtimeMs;

    const outcome = await ensureDevVars(dir);
    expect(outcome.created).toBe(false);
    expect(readFileSync(join(dir, DEV_VARS_FILE), 'utf8')).toBe(mine);
    expect(statSync(join(dir, DEV_VARS_FILE)).mtimeMs).toBe(before);
    expect(existsSync(join(dir, DEV_KEYS_DIR))).toBe(false);
    expect(outcome.vars).toEqual({ ALIPAY_APP_ID: '2021009999999999', ORIGIN_URL: 'https://shop.example.com/notify.asp' });
  });
});

describe('parseDevVars', () => {
  it('reads dotenv lines: quotes, comments, export, and "=" inside values', () => {
    const text = [
      '# comment',
      '',
      'A=plain',
      'B="double quoted = with equals"',
      "C='single'",
      'export D=exported',
      'E=value # inline comment',
      'F="whsec_abc+/=="',
      'not a setting line',
    ].join('\n');
    expect(parseDevVars(text)).toEqual({
      A: 'plain',
      B: 'double quoted = with equals',
      C: 'single',
      D: 'exported',
      E: 'value',
      F: 'whsec_abc+/==',
    });
  });
});
