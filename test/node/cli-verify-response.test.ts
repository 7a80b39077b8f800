// `verify --response`: a synchronous OpenAPI answer checked from the command line, with the same
// kind of report as a notification (reason, hint, the exact signed content), and what a verified
// alipay.trade.query answer means. Answers are signed here with node:crypto.
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runInProcess } from '../support/cli-run';

const vector = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/vectors/responses/gopay_alipay_trade_pay_response.json', import.meta.url)), 'utf8')) as {
  alipay_public_key: string;
  signed_content: string;
  response_text: string;
};

const dir = mkdtempSync(join(tmpdir(), 'cli-verify-response-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const gopayKey = file('gopay-alipay-public.txt', vector.alipay_public_key);
const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ourKey = file('alipay-public.pem', alipay.publicKey.export({ type: 'spki', format: 'pem' }) as string);

function signed(value: string): string {
  const sign = createSign('RSA-SHA256').update(value).sign(alipay.privateKey, 'base64');
  return `{"alipay_trade_query_response":${value},"sign":"${sign}"}`;
}

describe('verify --response', () => {
  it('verifies gopay\'s real alipay.trade.pay answer from stdin (real process)', async () => {
    const run = await runCli(['verify', '--response', '--key', gopayKey], { stdin: `${vector.response_text}\n` });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      valid: true,
      reason: null,
      response: 'alipay_trade_pay_response',
      method: 'alipay.trade.pay',
      signContent: vector.signed_content,
      answer: { verified: true, code: '10000', outTradeNo: 'GZ201901301040361012', totalAmount: '0.01' },
      meaning: null,
    });
    expect(out.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('explains a changed answer: the reason, the hint, the content that was checked, and the claims as unverified', async () => {
    const changed = vector.response_text.replace('"total_amount":"0.01"', '"total_amount":"100.00"');
    const run = await runInProcess(['verify', '--response', '--key', gopayKey, '--body', file('changed.json', changed)]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ valid: false, reason: 'signature-mismatch', stage: 'verify', answer: { verified: false, totalAmount: '100.00' } });
    expect(out.hint).toMatch(/not your app public key/);
    expect(out.signContent).toContain('"total_amount":"100.00"');
  });

  it('says what a verified query answer means: paid, or no such trade yet', async () => {
    const paid = signed('{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2026051422001400000000000001","trade_status":"TRADE_SUCCESS","total_amount":"88.80"}');
    const run = await runInProcess(['verify', '--response', '--key', ourKey, '--body', file('paid.json', paid)]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).meaning).toBe('TRADE_SUCCESS: paid, total_amount 88.80');

    const missing = signed('{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在","out_trade_no":"T2"}');
    const run2 = await runInProcess(['verify', '--response', '--key', ourKey, '--body', file('missing.json', missing)]);
    expect(run2.code).toBe(0);
    expect(JSON.parse(run2.stdout)).toMatchObject({ valid: true, meaning: 'Alipay has no such trade: not paid yet (not an error)', answer: { subCode: 'ACQ.TRADE_NOT_EXIST' } });
  });

  it.each([
    ['unsigned', '{"alipay_trade_query_response":{"code":"10000","trade_status":"TRADE_SUCCESS"}}', 'unsigned', 'verify'],
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>', 'unparsable', 'read'],
    ['no response member', '{"sign":"AAAA"}', 'no-response-value', 'read'],
  ])('is never valid when %s', async (_name, text, reason, stage) => {
    const run = await runInProcess(['verify', '--response', '--key', ourKey, '--body', file(`${reason}.txt`, text)]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: false, reason, stage });
  });

  it.each([
    [['verify', '--response', '--body', '-'], /give --key FILE/],
    [['verify', '--response', '--key', 'k', '--md5-key', 'x'], /--md5-key is for notifications/],
    [['verify', '--response', '--key', 'k', 'extra'], /unexpected argument "extra"/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const run = await runInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('is in the help', async () => {
    expect((await runInProcess(['verify', '--help'])).stdout).toMatch(/--response +the input is a synchronous OpenAPI answer/);
  });
});
