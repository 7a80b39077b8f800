// The development configuration `npm start` generates on a fresh clone: a config the gateway
// accepts, a private key only its owner can read that matches ALIPAY_PUBLIC_KEY, and an
// existing .dev.vars never touched.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  md5TrialAdvice,
  parseDevVars,
} from '../../cli/dev-config';
import { notificationParams, planNotification, signNotification, tradeIdsFor } from '../../cli/notification-builder';
import { processNotification } from '../../src/alipay/process';
import { mergeDevVars, writeDevVars } from '../../cli/init-devvars';
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

  it('also accepts legacy MD5: a generated partner key the gateway takes, and the partner id a mapi notification carries', async () => {
    const dir = tempDir();
    const { vars } = await ensureDevVars(dir);
    expect(vars.ALIPAY_MD5_KEY).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await ensureDevVars(tempDir())).vars.ALIPAY_MD5_KEY).not.toBe(vars.ALIPAY_MD5_KEY);
    const result = await loadConfig(parseDevVars(readFileSync(join(dir, DEV_VARS_FILE), 'utf8')));
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    expect(result.config.alipay.signTypes).toEqual(expect.arrayContaining(['RSA2', 'MD5']));
    expect(result.config.summary.warnings).toEqual([]);

    // What `simulate --mapi` sends (no app_id, the partner id as seller_id, MD5, GBK) passes the gateway's own checks.
    const now = Date.now();
    const planned = planNotification(
      { outTradeNo: 'MAPI-1', amount: '1.00', appId: null, sellerId: DEV_SELLER_ID, charset: 'gbk', signType: 'MD5', tradeIds: await tradeIdsFor(DEV_SELLER_ID, 'MAPI-1', now) },
      now,
    );
    if (!planned.ok) throw new Error(planned.message);
    const key = new TextEncoder().encode(vars.ALIPAY_MD5_KEY);
    const signed = await signNotification(notificationParams(planned.plan, now), 'gbk', async (content) =>
      createHash('md5').update(content).update(key).digest('hex'),
    );
    if (!signed.ok) throw new Error(signed.message);
    const processed = await processNotification(signed.body, result.config.alipay, now);
    expect(processed).toMatchObject({ ok: true });
  });

  it('says how to turn MD5 on for a .dev.vars written before the local trial accepted it, and nothing for a current one', async () => {
    const fresh = await ensureDevVars(tempDir());
    expect(md5TrialAdvice(fresh.vars)).toBeNull();
    const old = { ...fresh.vars };
    delete old.ALIPAY_MD5_KEY;
    delete old.ALIPAY_SIGN_TYPES;
    const advice = md5TrialAdvice(old)!;
    expect(advice).toContain('simulate --mapi');
    expect(advice).toContain('ALIPAY_SIGN_TYPES="RSA2,MD5"');
    expect(advice).toContain('ALIPAY_MD5_KEY');
    expect(advice).toContain('delete .dev.vars and dev-keys/');
    expect(advice).toContain('restart `npm start`');
    // MD5 named but no key: the same advice; a key but MD5 not accepted: too.
    expect(md5TrialAdvice({ ...old, ALIPAY_SIGN_TYPES: 'RSA2,MD5' })).not.toBeNull();
    expect(md5TrialAdvice({ ...old, ALIPAY_MD5_KEY: fresh.vars.ALIPAY_MD5_KEY! })).not.toBeNull();
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

describe('parseDevVars reads .dev.vars as wrangler does (dotenv)', () => {
  const pem = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7', '-----END PRIVATE KEY-----'].join('\n');

  it('a comment may follow a closing quote', () => {
    const text = ['ALIPAY_APP_ID="2021000000000777" # sandbox', "ALIPAY_SELLER_ID='2088000000000777'   # ours", 'X=`tick` #c'].join('\n');
    expect(parseDevVars(text)).toEqual({ ALIPAY_APP_ID: '2021000000000777', ALIPAY_SELLER_ID: '2088000000000777', X: 'tick' });
  });

  it('a double-quoted value may span lines (a PEM), and the lines after it are read as their own', () => {
    const text = `A=1\nALIPAY_APP_PRIVATE_KEY="${pem}"\n# after\nB="two"\r\n`;
    expect(parseDevVars(text)).toEqual({ A: '1', ALIPAY_APP_PRIVATE_KEY: pem, B: 'two' });
  });

  it('\\n and \\r escapes count inside double quotes only; single quotes and backticks are literal', () => {
    const text = ['D="line1\\nline2\\r"', "S='line1\\nline2'", 'T=`a\\nb`'].join('\n');
    expect(parseDevVars(text)).toEqual({ D: 'line1\nline2\r', S: 'line1\\nline2', T: 'a\\nb' });
  });

  it('a later line for the same name wins', () => {
    expect(parseDevVars('A=1\nA=2\n')).toEqual({ A: '2' });
  });
});

describe('mergeDevVars (init --dev-vars)', () => {
  const header = '# header';
  const merged = (text: string | null, changes: Record<string, string>) => {
    const result = mergeDevVars(text, changes, header);
    if (!result.ok) throw new Error(result.message);
    return result.text;
  };

  it('replaces a multi-line value whole (no stray lines) and keeps an inline comment and every other line', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----';
    const text = `# mine\nALIPAY_APP_ID="2021000000000777" # sandbox\nALIPAY_APP_PRIVATE_KEY="${pem}"\nOTHER=kept\n`;
    const out = merged(text, { ALIPAY_APP_ID: '2021000000000888', ALIPAY_APP_PRIVATE_KEY: 'MIIBnew' });
    expect(out).toBe('# mine\nALIPAY_APP_ID="2021000000000888" # sandbox\nALIPAY_APP_PRIVATE_KEY="MIIBnew"\nOTHER=kept\n');
    expect(parseDevVars(out)).toEqual({ ALIPAY_APP_ID: '2021000000000888', ALIPAY_APP_PRIVATE_KEY: 'MIIBnew', OTHER: 'kept' });
  });

  it('writes every value so that it reads back as given: quotes, backslashes, line breaks', () => {
    const values: Record<string, string> = {
      PLAIN: 'whsec_abc+/==',
      PEM: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
      DOUBLE_QUOTE: 'say "hi"',
      BACKSLASH: 'C:\\new\\report',
      BOTH: 'it\'s "quoted"',
      QUOTE_AND_LINES: 'a "b"\nc',
      SPACES: '  padded  ',
    };
    const out = merged('A=1\n', values);
    expect(parseDevVars(out)).toEqual({ A: '1', ...values });
    expect(out).toContain('DOUBLE_QUOTE=\'say "hi"\'');
    expect(out).toContain('BOTH=`it\'s "quoted"`');
  });

  it('a value wrangler could not read back is refused with one line, not an exception', () => {
    const result = mergeDevVars(null, { ORIGIN_URL: 'a"b\'c`d' }, header);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^ORIGIN_URL: this value cannot be written to \.dev\.vars/) });
  });

  it('a new file starts with the header', () => {
    expect(merged(null, { A: 'x' })).toBe('# header\nA="x"\n');
  });
});

describe('writeDevVars', () => {
  it('leaves .dev.vars with mode 600 even when it was readable by others, and no temporary file behind', async () => {
    const dir = tempDir();
    const path = join(dir, DEV_VARS_FILE);
    writeFileSync(path, 'OLD=1\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    await writeDevVars(dir, 'SECRET="x"\n');
    expect(readFileSync(path, 'utf8')).toBe('SECRET="x"\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([DEV_VARS_FILE]);
  });
});
