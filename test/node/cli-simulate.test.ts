// `alipay-notify-edge simulate` plays Alipay: every body it sends is checked here by a small
// receiver with the project's own core (parseForm + verifyForm + decodeParams), as the gateway
// would, with the public key from the generated development configuration (and, for MD5, the
// partner key in its .dev.vars). MD5 signs are also recomputed here from the raw body with
// node:crypto, independently of the project's parser and content builder.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeGbk } from '../../cli/gbk';
import { SIMULATED_SUBJECT } from '../../cli/notification-builder';
import { DEV_APP_PUBLIC_KEY_FILE, DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_KEY_FILE, ensureDevVars } from '../../cli/dev-config';
import { startAlipayStandIn, type AlipayStandIn } from '../../cli/alipay-standin';
import {
  classify,
  decodeParams,
  formatBeijingTime,
  getParam,
  importVerifyKey,
  loadPublicKeys,
  parseBeijingTime,
  parseForm,
  toNotification,
  verifyForm,
  type AlipayPublicKey,
  type FormPair,
  type VerifyOptions,
} from '../../src/alipay/index';
import { plainSignContent } from '../support/alipay-sign';
import { runCli, runInProcess } from '../support/cli-run';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  verified: boolean;
  signType: string | null;
  pairs: FormPair[];
  params: Record<string, string>;
  charset: string | null;
}

const dir = mkdtempSync(join(tmpdir(), 'cli-simulate-'));
const CUSTOM_APP_ID = '2021000000009999';
const ADMIN_TOKEN = 'test-only-simulate-admin-token-0123';
/** ALIPAY_MD5_KEY in the test's .dev.vars (32 letters and digits, like Alipay's partner keys). */
const MD5_KEY = 'TestOnlySimulateMd5Key0123456789';
/** Another partner key, in a file of its own: the receiver's key is the .dev.vars one. */
const OTHER_MD5_KEY = 'OtherTestOnlyMd5Key0123456789abc';
const SELLER_ID = '2088000000000000';
let md5KeyFile: string;
let otherMd5KeyFile: string;
let privateKeyFile: string;
let publicKey: AlipayPublicKey;
let verifyOptions: VerifyOptions;

let server: Server;
/** The local Alipay stand-in that .dev.vars's ALIPAY_GATEWAY_URL names. */
let standIn: AlipayStandIn;
/** A project directory whose .dev.vars predates MD5 in the local trial, and names a stand-in that is not running. */
let oldDir: string;
let url: string;
let base: string;
/** What GET /health answers (null: 404, as if the receiver were not a gateway). */
let healthAnswer: Record<string, unknown> | null = null;
let received: Received[] = [];
/** What the receiver answers to a verified body (unverified ones always get `fail`). */
let answer = 'success';
/** When set, hold replies until this many requests are in flight (proves they were sent at once). */
let barrier: number | null = null;
let held: ((text?: string) => void)[] = [];

async function inspect(body: Buffer, headers: IncomingHttpHeaders): Promise<Received> {
  const bytes = new Uint8Array(body);
  const parsed = parseForm(bytes);
  const pairs = parsed.ok ? parsed.pairs : [];
  const verified = await verifyForm(bytes, verifyOptions);
  const decoded = decodeParams(pairs);
  return {
    headers,
    body,
    verified: verified.ok,
    signType: verified.ok ? verified.signType : null,
    pairs,
    params: decoded.ok ? decoded.params : {},
    charset: decoded.ok ? decoded.charset : null,
  };
}

beforeAll(async () => {
  const generated = await ensureDevVars(dir);
  const started = await startAlipayStandIn({
    appPublicKey: readFileSync(join(dir, DEV_APP_PUBLIC_KEY_FILE), 'utf8'),
    alipayPrivateKey: readFileSync(join(dir, DEV_PRIVATE_KEY_FILE), 'utf8'),
  });
  if (!started.ok) throw new Error(started.message);
  standIn = started.standIn;
  // Prove simulate reads the app id from .dev.vars (not just the built-in default).
  writeFileSync(
    generated.path,
    `${'#'} test copy\nALIPAY_APP_ID="${CUSTOM_APP_ID}"\nALIPAY_SELLER_ID="${generated.vars.ALIPAY_SELLER_ID}"\nADMIN_TOKEN="${ADMIN_TOKEN}"\n` +
      `ALIPAY_SIGN_TYPES="RSA2,MD5"\nALIPAY_MD5_KEY="${MD5_KEY}"\nALIPAY_GATEWAY_URL="${standIn.gatewayUrl}"\n`,
  );
  oldDir = mkdtempSync(join(tmpdir(), 'cli-simulate-old-'));
  writeFileSync(
    join(oldDir, '.dev.vars'),
    `ALIPAY_APP_ID="${CUSTOM_APP_ID}"\nALIPAY_SELLER_ID="${SELLER_ID}"\nALIPAY_GATEWAY_URL="http://127.0.0.1:9/gateway.do"\n`,
  );
  md5KeyFile = join(dir, 'md5-key.txt');
  writeFileSync(md5KeyFile, `${MD5_KEY}\n`);
  otherMd5KeyFile = join(dir, 'other-md5-key.txt');
  writeFileSync(otherMd5KeyFile, `${OTHER_MD5_KEY}\n`);
  privateKeyFile = join(dir, DEV_PRIVATE_KEY_FILE);
  const loaded = await loadPublicKeys(generated.vars.ALIPAY_PUBLIC_KEY!);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  publicKey = loaded.keys[0]!;
  verifyOptions = { keys: [publicKey], signTypes: ['RSA2', 'RSA', 'MD5'], md5Key: new TextEncoder().encode(MD5_KEY) };

  server = createServer((req, res) => {
    if (req.url === '/health') {
      if (healthAnswer === null) return void res.writeHead(404).end('not found');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(healthAnswer));
    }
    if (req.url !== '/alipay/notify') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const got = await inspect(Buffer.concat(chunks), req.headers);
      received.push(got);
      const send = (text = got.verified ? answer : 'fail') => res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
      if (barrier === null) return send();
      held.push(send);
      // Copies sent one after another would never fill the barrier: answer them "not at once"
      // after a while instead of leaving the test to hang.
      if (held.length === 1) {
        const waiting = held;
        setTimeout(() => waiting === held && held.splice(0).forEach((f) => f('not sent at once')), 5_000);
      }
      if (held.length >= barrier) {
        const release = held;
        held = [];
        release.forEach((f) => f());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `${base}/alipay/notify`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(oldDir, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
  healthAnswer = null;
  answer = 'success';
  barrier = null;
  held = [];
});

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The body's pairs as raw bytes, split by hand: "&" and the first "=", "+" a space, %XX one byte. */
function rawPairs(body: Buffer): [string, Buffer][] {
  const bytes = (s: string) => Buffer.from(s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return body
    .toString('latin1')
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return [bytes(part.slice(0, eq)).toString('latin1'), bytes(part.slice(eq + 1))];
    });
}

/**
 * The mapi MD5 sign, computed here: leave out sign, sign_type and empty values, sort by name,
 * join name=value with "&" over the value bytes as sent, append the key, lowercase hex md5.
 */
function md5SignOf(pairs: [string, Buffer][], key: string): string {
  const kept = pairs.filter(([name, value]) => name !== 'sign' && name !== 'sign_type' && value.length > 0);
  kept.sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
  const content = Buffer.concat(kept.flatMap(([name, value], i) => [Buffer.from(`${i === 0 ? '' : '&'}${name}=`, 'latin1'), value]));
  return createHash('md5').update(content).update(key, 'latin1').digest('hex');
}

const sentSign = (got: Received) => rawPairs(got.body).find(([name]) => name === 'sign')![1].toString('latin1');

/** Neither output stream shows a partner key. */
function expectNoKeyShown(run: { stdout: string; stderr: string }) {
  for (const key of [MD5_KEY, OTHER_MD5_KEY]) expect(run.stdout + run.stderr).not.toContain(key);
}

/** Runs simulate in-process with the generated dev key. */
function simulate(...args: string[]) {
  return runInProcess(['simulate', '--to', url, '--private-key', privateKeyFile, ...args]);
}

describe('simulate', () => {
  it('by default signs with the generated dev key and ids from .dev.vars, and sends a realistic TRADE_SUCCESS (real process)', async () => {
    const run = await runCli(['simulate', '--to', url], { cwd: dir });
    expect(run.code).toBe(0);
    const [line, ...more] = lines(run.stdout);
    expect(more).toHaveLength(0);
    expect(line).toMatchObject({ send: 1, copy: 1, status: 200, body: 'success' });
    expect(typeof line!.ms).toBe('number');

    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.verified).toBe(true);
    expect(got.signType).toBe('RSA2');
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const p = got.params;
    expect(p).toMatchObject({
      notify_type: 'trade_status_sync',
      app_id: CUSTOM_APP_ID,
      auth_app_id: CUSTOM_APP_ID,
      seller_id: '2088000000000000',
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_status: 'TRADE_SUCCESS',
      total_amount: '1.00',
      receipt_amount: '1.00',
      invoice_amount: '1.00',
      buyer_pay_amount: '1.00',
      point_amount: '0.00',
      subject: SIMULATED_SUBJECT,
    });
    expect(p.notify_id).toMatch(/^\d{34}$/);
    expect(p.trade_no).toMatch(/^\d{28}$/);
    expect(p.out_trade_no).toMatch(/^SIM-/);
    expect(p.buyer_id).toMatch(/^2088\d{12}$/);
    expect(p.buyer_logon_id).toContain('***');
    expect(p.body).toContain('&');
    expect(JSON.parse(p.fund_bill_list!)).toEqual([{ amount: '1.00', fundChannel: 'ALIPAYACCOUNT' }]);
    expect(line).toMatchObject({ notify_id: p.notify_id, notify_time: p.notify_time, out_trade_no: p.out_trade_no });
    expect(line!.hint).toBeUndefined();
    // A local gateway took it: the admin command for the order, with the token from .dev.vars, ready to paste.
    expect(run.stderr).toContain(`  curl -H "Authorization: Bearer ${ADMIN_TOKEN}" ${base}/admin/orders/${CUSTOM_APP_ID}/${p.out_trade_no}\n`);

    // Beijing time: notify_time is now (within the test's run), and the trade happened before it.
    const notifyMs = parseBeijingTime(p.notify_time!)!;
    expect(Math.abs(notifyMs - Date.now())).toBeLessThan(120_000);
    expect(parseBeijingTime(p.gmt_create!)!).toBeLessThanOrEqual(parseBeijingTime(p.gmt_payment!)!);
    expect(parseBeijingTime(p.gmt_payment!)!).toBeLessThanOrEqual(notifyMs);
    expect(classify(toNotification(p))).toEqual({ kind: 'paid', key: 'paid' });
  });

  it('with --charset gbk sends GBK bytes, percent-encoded, signed over those bytes', async () => {
    const run = await simulate('--charset', 'gbk', '--order', 'GBK-ORDER-1');
    expect(run.code).toBe(0);
    const got = received[0]!;
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=gbk');
    // The wire body is ASCII; the subject's bytes are GBK: 测 B2E2, 试 CAD4, 商 C9CC, 品 C6B7.
    expect(got.body.every((b) => b < 0x80)).toBe(true);
    expect(got.body.toString('latin1')).toContain('subject=%B2%E2%CA%D4%C9%CC%C6%B7+1%2B1');
    const subject = getParam(got.pairs, 'subject')!;
    expect(Buffer.from(subject).toString('hex')).toBe('b2e2cad4c9ccc6b7' + Buffer.from(' 1+1').toString('hex'));
    expect(() => new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(subject)).toThrow();

    expect(got.verified).toBe(true);
    expect(got.charset).toBe('gbk');
    expect(got.params.subject).toBe(SIMULATED_SUBJECT);
    expect(got.params.out_trade_no).toBe('GBK-ORDER-1');

    // The signature covers the GBK bytes (checked over the independent content builder, not the
    // one the simulator shares with the gateway): over a UTF-8 re-encoding of the same text it fails.
    const sign = Buffer.from(new TextDecoder().decode(getParam(got.pairs, 'sign')!), 'base64');
    const key = await importVerifyKey(publicKey, 'SHA-256');
    const verifyOver = (pairs: FormPair[]) => crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, sign, plainSignContent(pairs, 'v1'));
    expect(await verifyOver(got.pairs)).toBe(true);
    const utf8Pairs = got.pairs.map((pair) => ({ key: pair.key, value: new TextEncoder().encode(got.params[pair.key] ?? '') }));
    expect(await verifyOver(utf8Pairs)).toBe(false);
  });

  it('--repeat keeps notify_id and changes notify_time and sign on every re-send', async () => {
    const run = await simulate('--repeat', '3');
    expect(run.code).toBe(0);
    expect(lines(run.stdout).map((l) => l.send)).toEqual([1, 2, 3]);
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(new Set(received.map((r) => r.params.notify_id)).size).toBe(1);
    const times = received.map((r) => parseBeijingTime(r.params.notify_time!)!);
    expect(times[0]! < times[1]! && times[1]! < times[2]!).toBe(true);
    expect(new Set(received.map((r) => r.params.sign)).size).toBe(3);
    // Everything else is the same notification.
    const strip = (r: Received) => ({ ...r.params, notify_time: '', sign: '' });
    expect(strip(received[1]!)).toEqual(strip(received[0]!));
    expect(strip(received[2]!)).toEqual(strip(received[0]!));
  });

  it('--concurrency sends identical copies at once, on every send', async () => {
    barrier = 4; // the receiver answers only once 4 requests are in flight together
    const run = await simulate('--concurrency', '4', '--repeat', '2');
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out.map((l) => [l.send, l.copy])).toEqual([
      [1, 1], [1, 2], [1, 3], [1, 4],
      [2, 1], [2, 2], [2, 3], [2, 4],
    ]);
    expect(received).toHaveLength(8);
    expect(received.every((r) => r.verified)).toBe(true);
    const bodies = received.map((r) => r.body.toString('latin1'));
    expect(new Set(bodies).size).toBe(2); // 4 identical copies per send, and the two sends differ
  });

  it('--refund makes a partial refund (TRADE_SUCCESS) or, for the whole amount, a full one (TRADE_CLOSED)', async () => {
    expect((await simulate('--amount', '10', '--refund', '2.5')).code).toBe(0);
    expect((await simulate('--amount', '10', '--refund', '10.00')).code).toBe(0);
    const [partial, full] = received.map((r) => r.params);
    expect(partial).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_amount: '10.00', refund_fee: '2.50' });
    expect(partial!.gmt_refund).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(partial!.out_biz_no).toMatch(/^RF\d+$/);
    expect(classify(toNotification(partial!))).toEqual({ kind: 'refund', key: `refund:${partial!.out_biz_no}` });
    expect(full).toMatchObject({ trade_status: 'TRADE_CLOSED', refund_fee: '10.00' });
    expect(full!.gmt_close).toBeDefined();
    expect(classify(toNotification(full!)).kind).toBe('refund');
  });

  it('--status shapes the notification: unpaid statuses carry no payment fields', async () => {
    expect((await simulate('--status', 'TRADE_CLOSED')).code).toBe(0);
    expect((await simulate('--status', 'WAIT_BUYER_PAY')).code).toBe(0);
    expect((await simulate('--status', 'TRADE_FINISHED')).code).toBe(0);
    const [closed, waiting, finished] = received.map((r) => r.params);
    for (const unpaid of [closed!, waiting!]) {
      for (const field of ['gmt_payment', 'receipt_amount', 'buyer_pay_amount', 'fund_bill_list', 'refund_fee']) {
        expect(unpaid[field]).toBeUndefined();
      }
    }
    expect(classify(toNotification(closed!))).toEqual({ kind: 'closed', key: 'closed' });
    expect(classify(toNotification(waiting!))).toEqual({ kind: 'waiting', key: 'waiting' });
    expect(finished).toMatchObject({ trade_status: 'TRADE_FINISHED', receipt_amount: '1.00' });
    expect(classify(toNotification(finished!))).toEqual({ kind: 'paid', key: 'paid' });
  });

  it('--sign-type RSA signs with SHA1withRSA and says so', async () => {
    const run = await simulate('--sign-type', 'RSA', '--app-id', '2021000000000042');
    expect(run.code).toBe(0);
    expect(received[0]).toMatchObject({ verified: true, signType: 'RSA' });
    expect(received[0]!.params).toMatchObject({ sign_type: 'RSA', app_id: '2021000000000042' });
  });

  it('keeps trade_no and buyer_id for every notification about the same --order, across runs', async () => {
    expect((await simulate('--order', 'SAME-ORDER-1')).code).toBe(0);
    expect((await simulate('--order', 'SAME-ORDER-1', '--repeat', '2')).code).toBe(0);
    expect((await simulate('--order', 'SAME-ORDER-1', '--refund', '0.50')).code).toBe(0);
    expect((await simulate('--order', 'SAME-ORDER-2')).code).toBe(0);
    const [first, again1, again2, refund, other] = received.map((r) => r.params);
    for (const same of [again1!, again2!, refund!]) {
      expect(same.trade_no).toBe(first!.trade_no);
      expect(same.buyer_id).toBe(first!.buyer_id);
    }
    // A new notification each run (its own notify_id); the re-sends within a run share theirs.
    expect(new Set([first!.notify_id, again1!.notify_id, refund!.notify_id]).size).toBe(3);
    expect(again2!.notify_id).toBe(again1!.notify_id);
    expect(other!.trade_no).not.toBe(first!.trade_no);
    expect(other!.buyer_id).not.toBe(first!.buyer_id);
    expect(first!.trade_no).toMatch(/^20[2-9]\d(0[1-9]|1[0-2])(0[1-9]|[12]\d)22001\d{15}$/);
    expect(first!.buyer_id).toMatch(/^2088\d{12}$/);
  });

  it('--out saves the body it sends, and `verify` with the dev public key accepts that file', async () => {
    const out = join(dir, 'sent-body.txt');
    const run = await runCli(['simulate', '--to', url, '--out', out, '--repeat', '2'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(received).toHaveLength(2);
    expect(Buffer.compare(readFileSync(out), received[1]!.body)).toBe(0); // the last one sent
    const command = `npx alipay-notify-edge verify --key ${join(dir, DEV_PUBLIC_KEY_FILE)} --body ${out}`;
    expect(run.stderr).toContain(`check it with: ${command}`);

    const verified = await runInProcess(['verify', '--key', join(dir, DEV_PUBLIC_KEY_FILE), '--body', out]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, signType: 'RSA2' });
  });

  it('exits 2, sending nothing, when --out cannot be written', async () => {
    const run = await simulate('--out', join(dir, 'no-such-dir', 'body.txt'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot write (ENOENT)');
    expect(received).toHaveLength(0);
  });

  it("a 404 names the gateway's NOTIFY_PATH, from its /health, with the URL to use", async () => {
    healthAnswer = { ok: true, notifyPath: '/alipay/notify' };
    const run = await runInProcess(['simulate', '--to', `${base}/notify.asp`, '--private-key', privateKeyFile]);
    expect(run.code).toBe(1);
    const hint = `the gateway has no notify endpoint at /notify.asp: its NOTIFY_PATH is /alipay/notify, so use --to ${url}`;
    expect(lines(run.stdout)[0]).toMatchObject({ status: 404, body: 'not found', hint });
    expect(run.stderr).toContain(`simulate: ${hint}\n`);
    expect(run.stderr).not.toContain('curl');
  });

  it('a 404 without a gateway health check still points at NOTIFY_PATH', async () => {
    const run = await runInProcess(['simulate', '--to', `${base}/notify.asp`, '--private-key', privateKeyFile]);
    expect(lines(run.stdout)[0]!.hint).toBe(`nothing answers notifications at /notify.asp: check NOTIFY_PATH (npx alipay-notify-edge check ${base} shows the gateway's notify path)`);
  });

  it.each([
    ['fail: signature-mismatch', /^the gateway's ALIPAY_PUBLIC_KEY is not the public half of the key simulate signed with \(.*alipay-dev-private\.pem\)/],
    ['fail: app-id-mismatch', /^app_id 2021000000009999 is not in the gateway's ALIPAY_APP_ID: pass --app-id/],
    ['fail: sign-type-not-accepted', /^the gateway does not accept RSA2 \(ALIPAY_SIGN_TYPES\)/],
    ['fail: gateway misconfigured', /^the gateway's settings have problems.*npx alipay-notify-edge check http:\/\/127\.0\.0\.1:\d+$/],
    ['fail: not-delivered', /^ACK_MODE=after-delivery: /],
    ['Bad Gateway', /^answered 200 but not exactly "success"/],
  ])('the answer %j comes with advice, on the JSON line and once on stderr', async (reply, advice) => {
    answer = reply;
    const run = await runInProcess(['simulate', '--to', url, '--private-key', join(dir, DEV_PRIVATE_KEY_FILE), '--app-id', CUSTOM_APP_ID, '--repeat', '2']);
    expect(run.code).toBe(1);
    const [first, second] = lines(run.stdout);
    expect(first).toMatchObject({ body: reply, hint: expect.stringMatching(advice) });
    expect(second!.hint).toBe(first!.hint);
    expect(run.stderr.split(String(first!.hint)).length - 1).toBe(1);
  });

  it('exits 1 when a reply is not exactly "success"', async () => {
    answer = 'fail';
    const failed = await simulate();
    expect(failed.code).toBe(1);
    expect(lines(failed.stdout)[0]).toMatchObject({ status: 200, body: 'fail' });

    answer = 'success\n';
    expect((await simulate()).code).toBe(1);
  });

  it('exits 1, with the reason on the line, when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runInProcess(['simulate', '--to', `http://127.0.0.1:${port}/alipay/notify`, '--private-key', privateKeyFile]);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)[0]).toMatchObject({ status: null, body: null });
    expect(String(lines(run.stdout)[0]!.error)).toContain('connection refused');
  });

  it.each([
    [[], 'give --to URL'],
    [['--to', 'not a url'], 'is not a URL'],
    [['--status', 'PAID'], '--status must be one of'],
    [['--charset', 'latin1'], '--charset must be utf-8 or gbk'],
    [['--repeat', '0'], '--repeat must be a whole number'],
    [['--concurrency', '101'], '--concurrency must be a whole number'],
    [['--amount', '1.001'], '--amount'],
    [['--refund', '2.00'], 'more than the order amount'],
    [['--refund', '0.50', '--status', 'WAIT_BUYER_PAY'], 'does not go with WAIT_BUYER_PAY'],
    [['--app-id', 'abc'], 'digits only'],
    [['--sign-type', 'SM2'], '--sign-type must be RSA2, RSA or MD5'],
    [['--mapi', '--app-id', CUSTOM_APP_ID], 'a legacy mapi notification has no app_id'],
    [['--mapi', '--sign-type', 'RSA2'], 'mapi notifications are signed MD5 or RSA'],
    [['--sign-type', 'MD5', '--app-id', CUSTOM_APP_ID], 'a legacy mapi notification has no app_id'],
    [['--mapi', '--lost'], '--lost'],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const withTo = args[0] === '--to' || args.length === 0 ? args : ['--to', url, ...args];
    const run = await runInProcess(['simulate', '--private-key', privateKeyFile, ...withTo]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(received).toHaveLength(0);
  });

  it('exits 2 when the key file holds a public key', async () => {
    const run = await runInProcess(['simulate', '--to', url, '--private-key', join(dir, DEV_PUBLIC_KEY_FILE)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs the private key');
    expect(received).toHaveLength(0);
  });
});

describe('simulate, legacy mapi and MD5', () => {
  /**
   * In-process, without --private-key: an MD5 sign needs none (and refuses one). The seller id is
   * given, so a .dev.vars in the directory the tests run from changes nothing.
   */
  const simulateNoRsaKey = (...args: string[]) => runInProcess(['simulate', '--to', url, '--seller-id', SELLER_ID, ...args]);

  it('--sign-type MD5 sends a mapi notification signed with ALIPAY_MD5_KEY from .dev.vars, for a gateway on this machine (real process)', async () => {
    const run = await runCli(['simulate', '--to', url, '--sign-type', 'MD5'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(lines(run.stdout)[0]).toMatchObject({ status: 200, body: 'success' });
    const got = received[0]!;
    expect(got).toMatchObject({ verified: true, signType: 'MD5' });
    expect(got.params.sign_type).toBe('MD5');
    const sign = sentSign(got);
    expect(sign).toMatch(/^[0-9a-f]{32}$/);
    expect(sign).toBe(md5SignOf(rawPairs(got.body), MD5_KEY));
    expect(got.params.app_id).toBeUndefined();
    expect(got.params.seller_id).toBe(SELLER_ID);
    // The gateway keys a mapi order by seller id: the admin command names it that way.
    expect(run.stderr).toContain(`  curl -H "Authorization: Bearer ${ADMIN_TOKEN}" ${base}/admin/orders/${SELLER_ID}/${got.params.out_trade_no}\n`);
    expectNoKeyShown(run);
  });

  it('--mapi sends the mapi fields, in GBK by default, with no charset field, MD5-signed over the GBK bytes', async () => {
    const run = await simulateNoRsaKey('--mapi', '--md5-key-file', md5KeyFile, '--amount', '12.5', '--order', 'MAPI-ORDER-1');
    expect(run.code).toBe(0);
    const got = received[0]!;
    expect(got).toMatchObject({ verified: true, signType: 'MD5', charset: 'gbk' });
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=gbk');
    const p = got.params;
    expect(p).toMatchObject({
      notify_type: 'trade_status_sync',
      sign_type: 'MD5',
      out_trade_no: 'MAPI-ORDER-1',
      payment_type: '1',
      seller_id: SELLER_ID,
      trade_status: 'TRADE_SUCCESS',
      total_fee: '12.50',
      price: '12.50',
      quantity: '1',
      is_total_fee_adjust: 'N',
      subject: SIMULATED_SUBJECT,
    });
    for (const field of ['app_id', 'auth_app_id', 'charset', 'version', 'total_amount', 'receipt_amount', 'buyer_pay_amount', 'fund_bill_list']) {
      expect(p[field], field).toBeUndefined();
    }
    expect(p.notify_id).toMatch(/^[0-9a-z]{34}$/);
    expect(p.trade_no).toMatch(/^\d{28}$/);
    expect(p.buyer_id).toMatch(/^2088\d{12}$/);
    expect(p.buyer_email).toContain('***');
    expect(p.seller_email).toMatch(/@/);
    expect(p.extra_common_param).toBeTruthy();
    expect(p.gmt_payment).toBeDefined();
    expect(classify(toNotification(p))).toEqual({ kind: 'paid', key: 'paid' });

    // GBK on the wire, and the sign covers those bytes: over a UTF-8 re-encoding it does not match.
    expect(got.body.toString('latin1')).toContain('subject=%B2%E2%CA%D4%C9%CC%C6%B7+1%2B1');
    const pairs = rawPairs(got.body);
    expect(sentSign(got)).toBe(md5SignOf(pairs, MD5_KEY));
    const asUtf8 = pairs.map(([name, value]): [string, Buffer] => [name, Buffer.from(new TextDecoder('gbk').decode(value), 'utf8')]);
    expect(md5SignOf(asUtf8, MD5_KEY)).not.toBe(sentSign(got));
    expectNoKeyShown(run);
  });

  it('--mapi --charset utf-8 sends UTF-8 bytes, still without a charset field', async () => {
    expect((await simulateNoRsaKey('--mapi', '--charset', 'utf-8', '--md5-key', MD5_KEY)).code).toBe(0);
    const got = received[0]!;
    expect(got).toMatchObject({ verified: true, charset: 'utf-8' });
    expect(got.params.charset).toBeUndefined();
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(got.body.toString('latin1')).toContain(`subject=${encodeURIComponent('测试商品')}`);
    expect(sentSign(got)).toBe(md5SignOf(rawPairs(got.body), MD5_KEY));
  });

  it('--md5-key-file signs with that key, not the one in .dev.vars', async () => {
    const run = await simulateNoRsaKey('--sign-type', 'MD5', '--md5-key-file', otherMd5KeyFile);
    expect(run.code).toBe(1); // the receiver holds the .dev.vars key
    const got = received[0]!;
    expect(got.verified).toBe(false);
    expect(sentSign(got)).toBe(md5SignOf(rawPairs(got.body), OTHER_MD5_KEY));
    expectNoKeyShown(run);
  });

  it('--mapi --refund: refund_status and gmt_refund, as a mapi trade notification carries a refund', async () => {
    expect((await simulateNoRsaKey('--mapi', '--md5-key-file', md5KeyFile, '--amount', '10', '--refund', '10')).code).toBe(0);
    const p = received[0]!.params;
    expect(p).toMatchObject({ trade_status: 'TRADE_CLOSED', refund_status: 'REFUND_SUCCESS', total_fee: '10.00' });
    expect(p.gmt_refund).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(p.out_biz_no).toBeUndefined();
    expect(classify(toNotification(p)).kind).toBe('refund');
  });

  it('--mapi --sign-type RSA signs the mapi notification with SHA1withRSA and the private key', async () => {
    const run = await simulate('--mapi', '--sign-type', 'RSA', '--seller-id', SELLER_ID);
    expect(run.code).toBe(0);
    expect(received[0]).toMatchObject({ verified: true, signType: 'RSA', charset: 'gbk' });
    expect(received[0]!.params).toMatchObject({ sign_type: 'RSA', total_fee: '1.00' });
    expect(received[0]!.params.app_id).toBeUndefined();
  });

  it('--out saves the MD5 body, and `verify` with the partner key (the gateway\'s own checks) accepts it', async () => {
    const out = join(dir, 'sent-mapi-body.txt');
    const run = await simulateNoRsaKey('--mapi', '--md5-key-file', md5KeyFile, '--out', out);
    expect(run.code).toBe(0);
    expect(Buffer.compare(readFileSync(out), received[0]!.body)).toBe(0);
    expect(run.stderr).toContain(`check it with: npx alipay-notify-edge verify --md5-key-file ${md5KeyFile} --body ${out}`);
    expectNoKeyShown(run);

    const verified = await runInProcess(['verify', '--md5-key-file', md5KeyFile, '--sign-types', 'MD5', '--seller-id', SELLER_ID, '--body', out]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, signType: 'MD5', charset: 'gbk', event: { kind: 'paid' } });
    const otherKey = await runInProcess(['verify', '--md5-key-file', otherMd5KeyFile, '--body', out]);
    expect(JSON.parse(otherKey.stdout)).toMatchObject({ valid: false, reason: 'signature-mismatch' });
  });

  it('with the key from .dev.vars, the verify command it suggests names a key file, never the key (real process)', async () => {
    const out = join(dir, 'sent-md5-body.txt');
    const run = await runCli(['simulate', '--to', url, '--mapi', '--out', out], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`verify --md5-key-file <a file holding ALIPAY_MD5_KEY from .dev.vars> --body ${out}`);
    expectNoKeyShown(run);
  });

  it.each([
    ['fail: signature-mismatch', /^the gateway's ALIPAY_MD5_KEY is not the key simulate signed with \(--md5-key-file .*md5-key\.txt\)/],
    ['fail: sign-type-not-accepted', /^the gateway does not accept MD5 \(ALIPAY_SIGN_TYPES\): .*ALIPAY_MD5_KEY/],
    ['fail: no-usable-key', /^the gateway has no MD5 key: ALIPAY_MD5_KEY/],
    ['fail: app-id-mismatch', /^a legacy mapi notification has no app_id: the gateway takes one only when its ALIPAY_SELLER_ID lists the seller_id 2088000000000000/],
  ])('the answer %j to an MD5 mapi notification comes with MD5 advice', async (reply, advice) => {
    answer = reply;
    const run = await simulateNoRsaKey('--mapi', '--md5-key-file', md5KeyFile);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)[0]).toMatchObject({ body: reply, hint: expect.stringMatching(advice) });
    expectNoKeyShown(run);
  });

  it.each([
    [['--sign-type', 'MD5'], 'MD5 signs with the partner key: give --md5-key-file FILE'],
    [['--sign-type', 'MD5', '--md5-key', 'short-key'], '--md5-key: must be 32 ASCII letters and digits'],
    [['--sign-type', 'MD5', '--md5-key', MD5_KEY, '--md5-key-file', 'x'], 'not both'],
    [['--md5-key', MD5_KEY], '--md5-key goes with --sign-type MD5'],
    [['--mapi', '--sign-type', 'RSA', '--md5-key', MD5_KEY], '--md5-key goes with --sign-type MD5'],
    [['--sign-type', 'MD5', '--md5-key', MD5_KEY, '--private-key', 'x.pem'], '--private-key signs RSA'],
  ])('exits 2 on an MD5 usage error, never showing the key: %j', async (args, message) => {
    // Not on this machine: .dev.vars's ALIPAY_MD5_KEY is not for a remote gateway.
    const run = await runInProcess(['simulate', '--to', 'https://gateway.example/alipay/notify', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expectNoKeyShown(run);
    expect(received).toHaveLength(0);
  });
});

describe('simulate and the trade date', () => {
  it('trade_no begins with the date of the trade (its gmt_create, Beijing time), today', async () => {
    expect((await simulate('--order', 'DATED-1')).code).toBe(0);
    expect((await simulate('--order', 'DATED-1', '--refund', '0.50')).code).toBe(0);
    const [paid, refund] = received.map((r) => r.params);
    const today = formatBeijingTime(Date.now()).slice(0, 10).replaceAll('-', '');
    expect(paid!.trade_no!.slice(0, 8)).toBe(today);
    expect(paid!.trade_no!.slice(0, 8)).toBe(paid!.gmt_create!.slice(0, 10).replaceAll('-', ''));
    expect(refund!.gmt_create!.slice(0, 10).replaceAll('-', '')).toBe(today);
    expect(refund!.trade_no).toBe(paid!.trade_no);
  });
});

describe('simulate tells the local Alipay stand-in about the trade it sends', () => {
  const askingStandIn = () => ({ ok: true, reconcile: { enabled: true, gateway: standIn.gatewayUrl } });

  it('paid, then fully refunded (closed), with the trade_no sent, when the local gateway asks that stand-in (real process)', async () => {
    healthAnswer = askingStandIn();
    const paid = await runCli(['simulate', '--to', url, '--order', 'TOLD-1', '--amount', '2.00'], { cwd: dir });
    expect(paid.code).toBe(0);
    expect(standIn.trades.get('TOLD-1')).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_amount: '2.00', trade_no: received[0]!.params.trade_no });
    const refunded = await runCli(['simulate', '--to', url, '--order', 'TOLD-1', '--amount', '2.00', '--refund', '2.00'], { cwd: dir });
    expect(refunded.code).toBe(0);
    expect(standIn.trades.get('TOLD-1')).toMatchObject({ trade_status: 'TRADE_CLOSED', trade_no: received[0]!.params.trade_no });
  });

  it('not when the gateway asks another Alipay, or says nothing of it', async () => {
    healthAnswer = { ok: true, reconcile: { enabled: true, gateway: 'https://openapi.alipay.com/gateway.do' } };
    expect((await runCli(['simulate', '--to', url, '--order', 'TOLD-2'], { cwd: dir })).code).toBe(0);
    healthAnswer = null;
    expect((await runCli(['simulate', '--to', url, '--order', 'TOLD-3'], { cwd: dir })).code).toBe(0);
    expect(standIn.trades.has('TOLD-2')).toBe(false);
    expect(standIn.trades.has('TOLD-3')).toBe(false);
  });

  it('a stand-in that is not running changes nothing and alarms no one', async () => {
    healthAnswer = { ok: true, reconcile: { enabled: true, gateway: 'http://127.0.0.1:9/gateway.do' } };
    const run = await runCli(['simulate', '--to', url, '--order', 'TOLD-4', '--private-key', privateKeyFile], { cwd: oldDir });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/stand-in|warning|error|could not/i);
  });
});

describe('simulate says what reaches the origin', () => {
  it('a refund the gateway does not forward (FORWARD_EVENTS from its /health): recorded, not forwarded, and how to change it', async () => {
    healthAnswer = { ok: true, forward: { events: ['paid'] } };
    const run = await simulate('--refund', '0.50');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('the gateway recorded this refund but does not forward refund events (FORWARD_EVENTS: paid)');
    expect(run.stderr).toContain('FORWARD_EVENTS="paid,refund"');
    expect(run.stderr).not.toContain('how the delivery to the origin went');
  });

  it('without a health report, a local gateway\'s FORWARD_EVENTS is read from .dev.vars (default paid), and the fix names .dev.vars (real process)', async () => {
    const run = await runCli(['simulate', '--to', url, '--status', 'TRADE_CLOSED'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('does not forward closed events (FORWARD_EVENTS: paid)');
    expect(run.stderr).toContain('.dev.vars');
    expect(run.stderr).toContain('restart `npm start`');
  });

  it('a payment that is forwarded: no such note', async () => {
    healthAnswer = { ok: true, forward: { events: ['paid'] } };
    const run = await simulate();
    expect(run.stderr).toContain('how the delivery to the origin went');
    expect(run.stderr).not.toContain('does not forward');
  });

  it('deliveries held: nothing reaches the origin until they are resumed', async () => {
    healthAnswer = { ok: true, forward: { events: ['paid'] }, deliveries: { held: true, heldSince: '2030-01-01T00:00:00.000Z', waitingOrders: 1, drainingUntil: null } };
    const run = await simulate();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('deliveries are held');
    expect(run.stderr).toContain('nothing reaches the origin until they are resumed');
  });
});

describe('simulate --mapi against the local gateway: advice names the local fix', () => {
  it('a .dev.vars without ALIPAY_MD5_KEY: how to add one, or to start over, and to restart npm start (real process)', async () => {
    const run = await runCli(['simulate', '--to', url, '--mapi'], { cwd: oldDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ALIPAY_MD5_KEY');
    expect(run.stderr).toContain('ALIPAY_SIGN_TYPES="RSA2,MD5"');
    expect(run.stderr).toContain('delete .dev.vars and dev-keys/');
    expect(run.stderr).toContain('restart `npm start`');
    expect(received).toHaveLength(0);
  });

  it.each(['fail: sign-type-not-accepted', 'fail: no-usable-key'])('%j from a gateway on this machine names .dev.vars and the restart', async (reply) => {
    answer = reply;
    const run = await runInProcess(['simulate', '--to', url, '--seller-id', SELLER_ID, '--mapi', '--md5-key-file', md5KeyFile]);
    const hint = String(lines(run.stdout)[0]!.hint);
    expect(hint).toContain('.dev.vars');
    expect(hint).toContain('restart `npm start`');
    expectNoKeyShown(run);
  });

  it('a deployed gateway that refuses MD5 gets the deployment fix only', async () => {
    answer = 'fail: sign-type-not-accepted';
    const hint = (await import('../../cli/simulate-advice')).replyAdvice(200, answer, {
      gatewayBase: 'https://gw.example',
      signedWith: '--md5-key-file k',
      signType: 'MD5',
      appId: null,
      sellerId: SELLER_ID,
      local: false,
    })!;
    expect(hint).not.toContain('.dev.vars');
    expect(hint).toContain('ALIPAY_SIGN_TYPES');
  });

  it('--mapi --sign-type RSA refused: the advice does not send the user back to --mapi', async () => {
    answer = 'fail: sign-type-not-accepted';
    const run = await simulate('--mapi', '--sign-type', 'RSA', '--seller-id', SELLER_ID);
    const hint = String(lines(run.stdout)[0]!.hint);
    expect(hint).toMatch(/^the gateway does not accept RSA \(ALIPAY_SIGN_TYPES\)/);
    expect(hint).not.toMatch(/--mapi for|--sign-type RSA\b(?! )/);
    expect(hint).toContain('MD5');
    expect(hint).toContain('add RSA to ALIPAY_SIGN_TYPES');
  });

  it('RSA refused for an OpenAPI notification suggests the other RSA sign type, not the one used', async () => {
    answer = 'fail: sign-type-not-accepted';
    const run = await simulate('--sign-type', 'RSA');
    const hint = String(lines(run.stdout)[0]!.hint);
    expect(hint).toContain('--sign-type RSA2');
    expect(hint).not.toMatch(/--sign-type RSA[^2]/);
  });
});

describe('the GBK encoder', () => {
  it('is the exact inverse of TextDecoder("gbk") over the whole 2-byte range', () => {
    const decoder = new TextDecoder('gbk');
    let checked = 0;
    const mismatches: string[] = [];
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const text = decoder.decode(Uint8Array.of(lead, trail));
        if (text.length !== 1 || text === '\uFFFD') continue;
        const encoded = encodeGbk(text);
        if (!encoded.ok || decoder.decode(encoded.bytes) !== text) mismatches.push(text);
        checked++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(21_000); // GBK has about 21,886 two-byte characters
  });

  it('reports the first character GBK cannot hold', () => {
    expect(encodeGbk('ok 😀')).toEqual({ ok: false, character: '😀' });
    expect(encodeGbk('€')).toEqual({ ok: true, bytes: Uint8Array.of(0x80) });
  });
});
