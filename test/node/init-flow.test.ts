// `init` end to end without a Cloudflare account: a stand-in wrangler on PATH records the commands
// and the secrets' names (with a digest of what arrived, never the value), the example Node receiver
// is the receiving page, the "deployed" gateway's /health is the project's own healthResponse over
// what init wrote (read back by wrangler's own config reader) plus the secrets it put, and the
// answers are flags (--yes). The interactive terminal is tested in init-terminal.test.ts.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin } from '../../examples/node-origin/origin.mjs';
import type { OriginEvent, RunningOrigin } from '../../examples/node-origin/origin.d.mts';
import { parseDevVars } from '../../cli/dev-config';
import { newForwardSecret } from '../../cli/secret';
import { loadConfig } from '../../src/config/load';
import { healthResponse } from '../../src/http/health';
import { makeInitProject, MERCHANT_LINES, type InitProject, type KeyPairFiles } from '../support/init-project';

let readRawConfig: (args: { config: string }) => { rawConfig: Record<string, unknown> };
const forwardSecret = newForwardSecret();
const adminToken = 'admin-token-for-the-init-test-0123456789';
const originToken = 'origin-query-token-5f2a9c';
let origin: RunningOrigin;
let originUrl: string;
const received: OriginEvent[] = [];

/** The "deployed" gateway: /health computed from the project's wrangler.toml and the secrets put. */
let health: Server;
let healthUrl: string;
let deployed: { tomlPath: string; secrets: Record<string, string> } | null = null;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  ({ experimental_readRawConfig: readRawConfig } = (await import('wrangler')) as unknown as { experimental_readRawConfig: typeof readRawConfig });
  origin = await startOrigin({ port: 0, secret: forwardSecret, log: null, onEvent: (e) => void received.push(e) });
  originUrl = `${origin.url}pay/notify_origin?token=${originToken}`;
  health = createServer(async (req, res) => {
    if (req.url !== '/health' || deployed === null) return void res.writeHead(404).end('not found');
    const vars = readRawConfig({ config: deployed.tomlPath }).rawConfig['vars'] as Record<string, string>;
    const answer = healthResponse(await loadConfig({ ...vars, ...deployed.secrets }));
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await origin.close();
  await new Promise((resolve) => health.close(resolve));
});

/** No secret value may reach the stand-in's record, any file in the project, or non-terminal output. */
async function expectNoValueLeaked(project: InitProject, values: string[], output: string): Promise<void> {
  const record = await project.standin.recordText();
  const files = await project.files();
  expect(files.length).toBeGreaterThan(0);
  for (const value of values) {
    expect(record).not.toContain(value);
    expect(output).not.toContain(value);
    for (const file of files) expect(file.text.includes(value), `${value.slice(0, 12)}… in ${file.path}`).toBe(false);
  }
}

describe('a first deployment, scripted (--yes)', () => {
  let project: InitProject;
  let key: KeyPairFiles;
  let newKey: KeyPairFiles;
  let tomlAfterFirstRun = '';

  beforeAll(async () => {
    project = await makeInitProject({ noWorker: true, deployUrl: healthUrl });
    key = await project.keyPair('alipay');
    newKey = await project.keyPair('alipay-new');
  });
  afterAll(() => project.remove());

  it('checks, writes wrangler.toml, puts the secrets by name, dry-runs, deploys, checks, and says what to change at Alipay', async () => {
    const secretFile = await project.outside('forward-secret.txt', `${forwardSecret}\n`);
    const tokenFile = await project.outside('admin-token.txt', adminToken);
    const tomlBefore = await readFile(project.tomlPath, 'utf8');
    deployed = {
      tomlPath: project.tomlPath,
      secrets: { ALIPAY_PUBLIC_KEY: key.spkiBase64, ORIGIN_URL: originUrl, FORWARD_SECRET: forwardSecret, ADMIN_TOKEN: adminToken },
    };
    received.length = 0;

    const run = await project.run([
      '--yes',
      '--lang', 'en',
      '--alipay-public-key', key.publicPem,
      '--app-id', '2021000123456789',
      '--origin-url', originUrl,
      '--forward-secret-file', secretFile,
      '--receiver', 'classic-asp',
      '--notify-url', 'https://shop.example.com/pay/alipay_notify.asp',
      '--events', 'paid,refund',
      '--admin', '--admin-token-file', tokenFile,
      '--deploy',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);

    // The commands, in order; each secret by name, with a digest of exactly the value init meant.
    const records = await project.standin.records();
    expect(records.map((r) => r.argv.join(' '))).toEqual([
      'secret list --format json',
      'secret put ALIPAY_PUBLIC_KEY',
      'secret put ORIGIN_URL',
      'secret put FORWARD_SECRET',
      'secret put ADMIN_TOKEN',
      'deploy --dry-run',
      'deploy',
    ]);
    const digests = Object.fromEntries(records.filter((r) => r.stdin).map((r) => [r.argv[2], r.stdin!.sha256]));
    expect(digests).toEqual({
      ALIPAY_PUBLIC_KEY: sha256(key.spkiBase64),
      ORIGIN_URL: sha256(originUrl),
      FORWARD_SECRET: sha256(forwardSecret),
      ADMIN_TOKEN: sha256(adminToken),
    });
    await expectNoValueLeaked(project, [forwardSecret, adminToken, originToken, forwardSecret.slice(6)], run.stdout);

    // wrangler.toml as wrangler reads it: the vars, the route, workers.dev kept on; the merchant's lines kept.
    const toml = await readFile(project.tomlPath, 'utf8');
    const raw = readRawConfig({ config: project.tomlPath }).rawConfig;
    expect(raw['vars']).toMatchObject({ ALIPAY_APP_ID: '2021000123456789', NOTIFY_PATH: '/pay/alipay_notify.asp', FORWARD_EVENTS: 'paid,refund', ACK_MODE: 'durable' });
    expect(raw['routes']).toEqual([{ pattern: 'shop.example.com/pay/alipay_notify.asp', zone_name: 'example.com' }]);
    expect(raw['workers_dev']).toBe(true);
    expect(raw['logpush']).toBe(false);
    expect(raw['placement']).toEqual({ mode: 'smart' });
    for (const line of [MERCHANT_LINES.comment, MERCHANT_LINES.rootKey, ...tomlBefore.split('\n').filter((l) => l.startsWith('#'))]) {
      expect(toml.split('\n')).toContain(line);
    }

    // The receiving page got the probe (a "waiting" test event, verified by the reference library).
    expect(received.map((e) => e.kind)).toEqual(['waiting']);
    expect(received[0]!.fields!['out_trade_no']).toMatch(/^ANE-INIT-PROBE-/);

    // The snippet is shown without the secret (not a terminal); the deployed gateway is healthy.
    expect(run.stdout).toContain('Const WEBHOOK_SECRETS = "<FORWARD_SECRET>"');
    expect(run.stdout).toContain(`healthy: ${healthUrl}/health`);
    expect(run.stdout).toContain('Nothing to change: Alipay keeps posting to https://shop.example.com/pay/alipay_notify.asp');
    tomlAfterFirstRun = toml;
  }, 120_000);

  it('run again: shows what is set, and a key rotation puts only ALIPAY_PUBLIC_KEY (new and old side by side)', async () => {
    const before = (await project.standin.records()).length;
    deployed!.secrets['ALIPAY_PUBLIC_KEY'] = `${newKey.spkiBase64} ${key.spkiBase64}`;
    const run = await project.run(['--yes', '--lang', 'en', '--alipay-public-key', newKey.publicPem, '--alipay-public-key', key.publicPem, '--no-deploy']);
    expect(run.code, run.stdout).toBe(0);

    expect(run.stdout).toMatch(/Configured now:\n/);
    expect(run.stdout).toMatch(/ALIPAY_APP_ID\s+2021000123456789/);
    expect(run.stdout).toMatch(/FORWARD_SECRET\s+set \(secret\)/);
    expect(run.stdout).toMatch(/STATUS_SECRET\s+\(not set\)/);
    expect(run.stdout).toMatch(/route\s+shop\.example\.com\/pay\/alipay_notify\.asp/);

    const records = (await project.standin.records()).slice(before);
    expect(records.map((r) => r.argv.join(' '))).toEqual(['secret list --format json', 'secret put ALIPAY_PUBLIC_KEY', 'deploy --dry-run']);
    expect(records[1]!.stdin!.sha256).toBe(sha256(`${newKey.spkiBase64} ${key.spkiBase64}`));
    expect(await readFile(project.tomlPath, 'utf8')).toBe(tomlAfterFirstRun);
    expect(run.stdout).toContain('Nothing to change: Alipay keeps posting to your notify_url, and the route shop.example.com/pay/alipay_notify.asp');
  }, 120_000);

  it('answered line by line (piped): pick "Alipay", add a new key beside the current one, checked against the deployed /health', async () => {
    const third = await project.keyPair('alipay-third');
    const before = (await project.standin.records()).length;
    // The new key pasted as the console shows it (one bare base64 line), the current one as a file.
    const answers = ['1', '2', third.spkiBase64, newKey.publicPem, healthUrl, '', '', '', '', 'n'];
    const run = await project.run(['--lang', 'en'], { stdin: `${answers.join('\n')}\n` });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('What do you want to change?');
    expect(run.stdout).toContain('this is a key the gateway uses now');
    expect(run.stdout).toContain('ALIPAY_PUBLIC_KEY: 2 keys, the new one first');
    const records = (await project.standin.records()).slice(before);
    expect(records.map((r) => r.argv.join(' '))).toEqual(['secret list --format json', 'secret put ALIPAY_PUBLIC_KEY', 'deploy --dry-run']);
    expect(records[1]!.stdin!.sha256).toBe(sha256(`${third.spkiBase64} ${newKey.spkiBase64}`));
    expect(await readFile(project.tomlPath, 'utf8')).toBe(tomlAfterFirstRun);
  }, 120_000);
});

describe('a re-run with a new receiving page address, FORWARD_SECRET hidden on Cloudflare', () => {
  it('asks for the page\'s secret to test it; a paste that is not a whsec_ secret is named and asked again', async () => {
    const project = await makeInitProject({ secrets: ['ALIPAY_PUBLIC_KEY', 'ORIGIN_URL', 'FORWARD_SECRET'] });
    try {
      received.length = 0;
      // 2: the receiving page; its new address; keep FORWARD_SECRET; no receiver snippet; two bad
      // pastes, then the page's secret; test; then do not write.
      const answers = ['2', originUrl, '', '', 'not-a-secret', 'whsec_c2hvcnQ=', forwardSecret, '', 'n', 'n'];
      const run = await project.run(['--lang', 'en'], { stdin: `${answers.join('\n')}\n` });
      expect(run.stderr).toBe('');
      expect(run.code, run.stdout).toBe(2);
      expect(run.stdout).toContain('✗ FORWARD_SECRET: the value does not start with whsec_');
      expect(run.stdout).toMatch(/✗ FORWARD_SECRET: the value decodes to 5 bytes/);
      expect(run.stdout).toContain('it is ready');
      expect(received.map((e) => e.kind)).toEqual(['waiting']);
      expect(run.stdout).toContain('Nothing was written.');
      expect((await project.standin.records()).map((r) => r.argv.join(' '))).toEqual(['secret list --format json']);
    } finally {
      await project.remove();
    }
  }, 60_000);
});

describe('--url: the deployed gateway\'s address', () => {
  it('a bare host is taken (http:// for this machine, https:// otherwise): checked after the deploy, and the notify_url built on it', async () => {
    const project = await makeInitProject({ noWorker: true, deployUrl: 'https://alipay-notify-edge.example.workers.dev' });
    try {
      const key = await project.keyPair('alipay');
      const secretFile = await project.outside('forward-secret.txt', forwardSecret);
      deployed = { tomlPath: project.tomlPath, secrets: { ALIPAY_PUBLIC_KEY: key.spkiBase64, ORIGIN_URL: originUrl, FORWARD_SECRET: forwardSecret } };
      const bare = healthUrl.replace(/^http:\/\//, '');
      const run = await project.run([
        '--yes', '--lang', 'en', '--alipay-public-key', key.publicPem, '--app-id', '2021000123456789', '--origin-url', originUrl,
        '--forward-secret-file', secretFile, '--no-probe', '--no-route', '--deploy', '--url', bare,
      ]);
      expect(run.stderr).toBe('');
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain(`healthy: ${healthUrl}/health`);
      expect(run.stdout).toContain(`Set notify_url to ${healthUrl}/alipay/notify`);
    } finally {
      await project.remove();
    }
  }, 60_000);

  it('what is not a URL is refused before anything is asked, written or deployed', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const key = await project.keyPair('alipay');
      const secretFile = await project.outside('forward-secret.txt', forwardSecret);
      const tomlBefore = await readFile(project.tomlPath, 'utf8');
      for (const url of ['not a url', 'ftp://gateway.example.com']) {
        const run = await project.run([
          '--yes', '--lang', 'en', '--alipay-public-key', key.publicPem, '--app-id', '2021000123456789', '--origin-url', originUrl,
          '--forward-secret-file', secretFile, '--no-probe', '--no-route', '--deploy', '--url', url,
        ]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/^alipay-notify-edge: --url: .*(is not a URL|is not http or https)/);
        expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(run.stdout).toBe('');
      }
      expect(await project.standin.records()).toEqual([]);
      expect(await readFile(project.tomlPath, 'utf8')).toBe(tomlBefore);
    } finally {
      await project.remove();
    }
  }, 60_000);
});

describe('stopping before anything is written', () => {
  it('a receiving page that does not have the secret: exit 1, nothing put, wrangler.toml unchanged', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const key = await project.keyPair('alipay');
      const otherSecret = await project.outside('other.txt', newForwardSecret());
      const tomlBefore = await readFile(project.tomlPath, 'utf8');
      const run = await project.run(['--yes', '--lang', 'en', '--alipay-public-key', key.publicPem, '--app-id', '2021000123456789', '--origin-url', originUrl, '--forward-secret-file', otherSecret]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('the page refused the signature (401 signature-mismatch)');
      expect(run.stdout).toContain('Nothing was written');
      expect((await project.standin.records()).map((r) => r.argv.join(' '))).toEqual(['secret list --format json']);
      expect(await readFile(project.tomlPath, 'utf8')).toBe(tomlBefore);
    } finally {
      await project.remove();
    }
  });

  it('a private key given as the Alipay public key: the gateway\'s diagnosis, exit 2', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const key = await project.keyPair('alipay');
      const run = await project.run(['--yes', '--lang', 'en', '--alipay-public-key', key.privatePem, '--app-id', '2021000123456789']);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('a PKCS#8 private key. Never put a private key here');
      expect(run.stdout).toContain('--alipay-public-key: the value cannot be used as ALIPAY_PUBLIC_KEY');
      expect((await project.standin.records()).length).toBe(1);
    } finally {
      await project.remove();
    }
  });

  it('a missing answer under --yes names its flag (in Chinese with --lang zh)', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const key = await project.keyPair('alipay');
      const run = await project.run(['--yes', '--lang', 'zh', '--alipay-public-key', key.publicPem, '--app-id', '2021000123456789', '--no-probe']);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('需要 ORIGIN_URL：请传入 --origin-url');
    } finally {
      await project.remove();
    }
  });

  it('not logged in to Cloudflare: says how, before asking anything', async () => {
    const project = await makeInitProject({ loggedOut: true });
    try {
      const run = await project.run(['--yes', '--lang', 'en']);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('npx wrangler login');
      expect(run.stdout).not.toContain('== Alipay ==');
    } finally {
      await project.remove();
    }
  });
});

describe('--dev-vars: a local trial', () => {
  it('writes .dev.vars (mode 600) that makes a healthy config with wrangler.toml; no wrangler call, wrangler.toml untouched', async () => {
    const project = await makeInitProject();
    try {
      const key = await project.keyPair('alipay');
      const secretFile = await project.outside('forward-secret.txt', forwardSecret);
      const tomlBefore = await readFile(project.tomlPath, 'utf8');
      const run = await project.run([
        '--yes', '--dev-vars', '--lang', 'en',
        '--alipay-public-key', key.publicPem,
        '--app-id', '2021000123456789',
        '--origin-url', originUrl,
        '--forward-secret-file', secretFile,
        '--status', '--show-secret',
      ]);
      expect(run.code, run.stdout).toBe(0);
      expect(await project.standin.records()).toEqual([]);
      expect(await readFile(project.tomlPath, 'utf8')).toBe(tomlBefore);

      const path = join(project.dir, '.dev.vars');
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const values = parseDevVars(await readFile(path, 'utf8'));
      expect(values).toMatchObject({ ALIPAY_PUBLIC_KEY: key.spkiBase64, ALIPAY_APP_ID: '2021000123456789', ORIGIN_URL: originUrl, FORWARD_SECRET: forwardSecret });
      expect(values['STATUS_SECRET']!.length).toBeGreaterThanOrEqual(32);
      // --show-secret: the generated status secret is shown once.
      expect(run.stdout).toContain(`STATUS_SECRET = ${values['STATUS_SECRET']}`);
      const vars = readRawConfig({ config: project.tomlPath }).rawConfig['vars'] as Record<string, string>;
      expect((await loadConfig({ ...vars, ...values })).ok).toBe(true);
    } finally {
      await project.remove();
    }
  });

  it('a legacy mapi partner: no app id, so the partner id is required; MD5 only when asked for, with a warning', async () => {
    const project = await makeInitProject();
    try {
      const key = await project.keyPair('alipay');
      const secretFile = await project.outside('forward-secret.txt', forwardSecret);
      const md5File = await project.outside('md5.txt', 'abcdefghijklmnopqrstuvwxyz012345');
      const common = ['--yes', '--dev-vars', '--lang', 'en', '--alipay-public-key', key.publicPem, '--origin-url', originUrl, '--forward-secret-file', secretFile, '--no-probe'];
      const missing = await project.run([...common, '--sign-types', 'RSA2,MD5', '--md5-key-file', md5File]);
      expect(missing.code).toBe(2);
      expect(missing.stdout).toContain('ALIPAY_SELLER_ID is needed: pass --seller-id');

      const run = await project.run([...common, '--seller-id', '2088123456789012', '--sign-types', 'RSA2,MD5', '--md5-key-file', md5File]);
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain('! MD5 is the legacy mapi signature');
      const values = parseDevVars(await readFile(join(project.dir, '.dev.vars'), 'utf8'));
      expect(values).toMatchObject({ ALIPAY_SELLER_ID: '2088123456789012', ALIPAY_SIGN_TYPES: 'RSA2,MD5', ALIPAY_MD5_KEY: 'abcdefghijklmnopqrstuvwxyz012345' });
      expect(values['ALIPAY_APP_ID']).toBeUndefined();
    } finally {
      await project.remove();
    }
  });

  it('refuses to write .dev.vars where git would not ignore it', async () => {
    const project = await makeInitProject();
    try {
      spawnSync('git', ['init', '-q'], { cwd: project.dir });
      const key = await project.keyPair('alipay');
      const secretFile = await project.outside('forward-secret.txt', forwardSecret);
      const run = await project.run(['--yes', '--dev-vars', '--lang', 'en', '--alipay-public-key', key.publicPem, '--app-id', '2021000123456789', '--origin-url', originUrl, '--forward-secret-file', secretFile, '--no-probe']);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('.dev.vars is not ignored by git');
      await expect(stat(join(project.dir, '.dev.vars'))).rejects.toThrow();
    } finally {
      await project.remove();
    }
  });
});
