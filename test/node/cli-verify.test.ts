// `alipay-notify-edge verify` as a user runs it: every vector through the real process
// (one process per vector, all started at once), plus the input forms and exit statuses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latin1 } from '../support/encoding';
import { signedVectors as vectors, vectorBody, type SignedVector } from '../support/vectors';
import { runCli, runInProcess, type CliRun } from '../support/cli-run';

const dir = mkdtempSync(join(tmpdir(), 'cli-verify-'));
const results = new Map<string, CliRun>();

function vectorArgs(v: SignedVector): string[] {
  const bodyFile = join(dir, `${v.id}.body`);
  writeFileSync(bodyFile, vectorBody(v));
  const args = ['verify', '--body', bodyFile];
  const key = v.alipay_public_key ?? v.alipay_public_cert_pem;
  if (key !== undefined) {
    const keyFile = join(dir, `${v.id}.key`);
    writeFileSync(keyFile, key);
    args.push('--key', keyFile);
  }
  if (v.md5_key !== undefined) args.push('--md5-key', v.md5_key);
  return args;
}

beforeAll(async () => {
  const runs = await Promise.all(vectors.map((v) => runCli(vectorArgs(v))));
  vectors.forEach((v, i) => results.set(v.id, runs[i]!));
}, 60_000); // one process per vector, all at once: on a small machine that is several seconds

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (run: CliRun) => JSON.parse(run.stdout) as Record<string, any>;

describe('every vector', () => {
  it('covers the vector set', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const run = results.get(v.id)!;
    // Only warnings (the Java SDK vectors verify with an app certificate, which the tool points out).
    for (const line of run.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^alipay-notify-edge: warning: /);
    expect(run.code).toBe(v.expected_valid ? 0 : 1);
    const out = json(run);
    expect(out.valid).toBe(v.expected_valid);
    if (v.expected_valid) {
      expect(out.reason).toBeNull();
      expect(['RSA2', 'RSA', 'MD5']).toContain(out.signType);
      if (v.expected_sign_content !== undefined) expect(out.signContent).toBe(v.expected_sign_content);
    } else {
      expect(typeof out.reason).toBe('string');
      expect(typeof out.hint).toBe('string');
      expect(out.event).toBeNull();
    }
  });

  it('prints the documented fields for a real notification', () => {
    const out = json(results.get('node_yuque_trade_notify_rsa2_v1')!);
    expect(Object.keys(out).slice(0, 9)).toEqual([
      'valid', 'reason', 'hint', 'signType', 'rule', 'charset', 'keyFingerprint', 'signContent', 'event',
    ]);
    expect(out).toMatchObject({ signType: 'RSA2', rule: 'v1', charset: 'utf-8' });
    expect(out.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(out.event).toEqual({
      kind: 'paid',
      key: 'paid',
      outTradeNo: '20190815155618536-564-57',
      tradeNo: '2019081522001468450512505578',
      tradeStatus: 'TRADE_SUCCESS',
      totalAmount: '0.10',
    });
  });

  it('decodes a GBK sign content for display and names the charset', () => {
    const out = json(results.get('synthetic_gbk_notify_rsa2_v1')!);
    expect(out.charset).toBe('gbk');
    expect(out.signContent).toContain('body=测试商品描述');
  });

  it('reports the v2 rule for an app-gateway message', () => {
    expect(json(results.get('node_servicemarket_order_notify_rsa2_v2')!).rule).toBe('v2');
  });
});

describe('input forms and exit statuses', () => {
  const yuque = vectors.find((v) => v.id === 'node_yuque_trade_notify_rsa2_v1')!;
  const query = latin1(vectorBody(yuque));
  const keyFile = () => join(dir, `${yuque.id}.key`);
  const bodyFile = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, 'latin1');
    return path;
  };
  const verify = (body: string, ...more: string[]) =>
    runInProcess(['verify', '--key', keyFile(), '--body', bodyFile(`${more.join('_').replace(/\W/g, '')}.txt`, body), ...more]);

  it('reads the body from stdin in the real process', async () => {
    const run = await runCli(['verify', '--key', keyFile()], { stdin: query });
    expect(run.code).toBe(0);
    expect(json(run).valid).toBe(true);
  });

  it.each([
    ['a leading "?" and a trailing newline', `?${query}\r\n`],
    ['a whole return URL', `https://shop.example.com/alipay/return.asp?${query}#top`],
  ])('accepts %s', async (_name, input) => {
    const run = await verify(input);
    expect(run.code).toBe(0);
    expect(json(run).valid).toBe(true);
  });

  it('refuses a body that starts with a UTF-8 BOM, as the gateway does, and says the BOM is there', async () => {
    const run = await verify(`\xef\xbb\xbf${query}`);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ valid: false, reason: 'malformed-body', stage: 'verify' });
    expect(json(run).hint).toMatch(/byte-order mark \(EF BB BF\).*The gateway refuses such a body too/);
  });

  it('says not valid (exit 1) for a changed amount', async () => {
    const run = await verify(query.replace('total_amount=0.10', 'total_amount=100.10'));
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ valid: false, reason: 'signature-mismatch', stage: 'verify', event: null });
    expect(json(run).signContent).toContain('total_amount=100.10');
  });

  it('refuses sign types that are not accepted, with advice in terms of its own flags', async () => {
    const run = await verify(query, '--sign-types', 'RSA');
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ valid: false, reason: 'sign-type-not-accepted', claimedSignType: 'RSA2' });
    expect(json(run).hint).toMatch(/--sign-types is RSA: if your Alipay app really signs with RSA2, check it with --sign-types RSA,RSA2/);
    expect(json(run).hint).not.toMatch(/ALIPAY_|MAX_NOTIFY_AGE/);
  });

  it('words the other advice in flags too: --key for a key that does not verify, --max-age, --app-id', async () => {
    const otherKey = join(dir, 'other.key');
    writeFileSync(otherKey, vectors.find((v) => v.id === 'synthetic_gbk_notify_rsa2_v1')!.alipay_public_key!);
    const wrongKey = await runInProcess(['verify', '--key', otherKey, '--body', bodyFile('wrong-key.txt', query)]);
    expect(json(wrongKey)).toMatchObject({ reason: 'signature-mismatch' });
    expect(json(wrongKey).hint).toMatch(/Check that --key is the Alipay public key/);
    const old = json(await verify(query, '--app-id', '2019073166072302'));
    expect(old.hint).toMatch(/--max-age sets the accepted age/);
    const otherApp = json(await verify(query, '--app-id', '2021000000000000', '--max-age', '100000d'));
    expect(otherApp.hint).toMatch(/--app-id does not list it/);
    for (const hint of [json(wrongKey).hint, old.hint, otherApp.hint]) expect(hint).not.toMatch(/ALIPAY_|MAX_NOTIFY_AGE/);
  });

  it('checks app_id and notify_time only when asked', async () => {
    const old = await verify(query, '--app-id', '2019073166072302');
    expect(old.code).toBe(1);
    expect(json(old)).toMatchObject({ valid: false, stage: 'business', reason: 'notify-too-old', signType: 'RSA2' });
    const fresh = await verify(query, '--app-id', '2019073166072302', '--max-age', '100000d');
    expect(json(fresh)).toMatchObject({ valid: true, stage: null });
    const other = await verify(query, '--app-id', '2021000000000000', '--max-age', '100000d');
    expect(json(other)).toMatchObject({ valid: false, reason: 'app-id-mismatch' });
  });

  it('exits 2 with a message on stderr in the real process', async () => {
    const run = await runCli(['verify', '--key', keyFile(), '--body', join(dir, 'no-such-file')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/no-such-file: cannot read \(ENOENT\)/);
  });

  it.each([
    ['no key', ['verify'], /--key FILE/],
    ['a missing body file', ['verify', '--md5-key', 'k', '--body', 'no-such-file'], /no-such-file: cannot read/],
    ['an unknown option', ['verify', '--md5-key', 'k', '--bodyy', 'x'], /unknown option --bodyy\n/],
    ['an unknown sign type', ['verify', '--md5-key', 'k', '--sign-types', 'SHA256'], /unknown sign type "SHA256"/],
    ['MD5 without its key', ['verify', '--key', 'k.pem', '--sign-types', 'MD5'], /give --md5-key/],
    ['--max-age alone', ['verify', '--md5-key', 'k', '--max-age', '1h'], /--max-age needs --app-id/],
    ['a positional argument', ['verify', '--md5-key', 'k', 'body.txt'], /unexpected argument "body.txt"/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const run = await runInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when a key file holds no usable key, saying what it looks like', async () => {
    const privateKey = join(dir, 'private.pem');
    writeFileSync(privateKey, '-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEA\n-----END PRIVATE KEY-----\n');
    const run = await runInProcess(['verify', '--key', privateKey, '--body', bodyFile('any.txt', query)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/private key/i);
  });

  it('exits 2 for an empty body', async () => {
    const run = await runInProcess(['verify', '--key', keyFile(), '--body', bodyFile('empty.txt', ' \n')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the body is empty/);
  });

  it('prints help', async () => {
    const run = await runInProcess(['verify', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npx alipay-notify-edge verify/);
  });
});

// The partner key in a file keeps it out of `ps` and the shell history.
describe('--md5-key-file', () => {
  const md5 = vectors.find((v) => v.id === 'legacy_md5_notify_test')!;
  const body = () => {
    const path = join(dir, 'md5-file.body');
    writeFileSync(path, vectorBody(md5));
    return path;
  };
  const keyFile = (content: string) => {
    const path = join(dir, 'md5-partner.key');
    writeFileSync(path, content);
    return path;
  };

  it('verifies an MD5 notification with the key read from the file (trailing newline trimmed)', async () => {
    const run = await runInProcess(['verify', '--md5-key-file', keyFile(`${md5.md5_key}\n`), '--body', body()]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ valid: true, signType: 'MD5', signContent: md5.expected_sign_content });
  });

  it('says not valid (exit 1) with another key in the file', async () => {
    const run = await runInProcess(['verify', '--md5-key-file', keyFile('20000000000000000000000000000000\n'), '--body', body()]);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ valid: false, reason: 'signature-mismatch' });
  });

  it.each([
    ['both --md5-key and --md5-key-file', () => ['--md5-key', md5.md5_key!, '--md5-key-file', keyFile(md5.md5_key!)], /not both/],
    ['an empty key file', () => ['--md5-key-file', keyFile('\n')], /md5-partner\.key: empty/],
    ['a missing key file', () => ['--md5-key-file', join(dir, 'no-such.key')], /no-such\.key: cannot read/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const run = await runInProcess(['verify', ...args(), '--body', body()]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
