// One pipeline: `alipay-notify-edge verify` and the Worker's notify handler give the same answer
// for the same body. The Worker side is src/http/notify.ts's handleNotify itself, with the
// gateway's configuration loaded from the same settings; its ledger is a stand-in that accepts,
// since only the verdict is compared (a refused body never reaches the ledger).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { ConfigResult } from '../../src/config/types';
import type { GatewayEnv } from '../../src/env';
import { handleNotify } from '../../src/http/notify';
import { TEST_APP_ID, TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64, TEST_ONLY_FORWARD_SECRETS, TEST_ORIGIN_URL } from '../fixtures/gateway-test-keys';
import { beijingTime as formatBeijingTime, signedNotification, tradeParams } from '../support/notifications';
import { runInProcess } from '../support/cli-run';

const dir = mkdtempSync(join(tmpdir(), 'cli-worker-agree-'));
const keyFile = join(dir, 'alipay.key');
let config: ConfigResult;

// The ledger is never reached by a refused body; an accepted one is recorded as new.
const env = {
  ORDER_LEDGER: {
    idFromName: (name: string) => name,
    get: () => ({ accept: async () => ({ ok: true, duplicate: null, eventKey: 'paid', state: 'pending' }) }),
  },
} as unknown as GatewayEnv;

beforeAll(async () => {
  writeFileSync(keyFile, TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64);
  config = await loadConfig({
    ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64,
    ALIPAY_APP_ID: TEST_APP_ID,
    ORIGIN_URL: TEST_ORIGIN_URL,
    FORWARD_SECRET: TEST_ONLY_FORWARD_SECRETS.join(' '),
  });
  expect(config.ok).toBe(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The Worker's answer: `success`, or the reason from `fail: <reason>`. */
async function workerVerdict(body: Uint8Array): Promise<{ status: number; verdict: string }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const request = new Request('https://gateway.test/alipay/notify', { method: 'POST', body });
    const response = await handleNotify(request, env, config);
    const text = await response.text();
    return { status: response.status, verdict: text === 'success' ? 'success' : text.replace(/^fail: /, '') };
  } finally {
    log.mockRestore();
  }
}

/** The command-line tool's answer with the same settings: `success` when valid, else its reason. */
async function cliVerdict(name: string, body: Uint8Array): Promise<{ verdict: string; hint: string | null }> {
  const bodyFile = join(dir, `${name}.body`);
  writeFileSync(bodyFile, body);
  const run = await runInProcess(['verify', '--key', keyFile, '--sign-types', 'RSA2', '--app-id', TEST_APP_ID, '--body', bodyFile]);
  const out = JSON.parse(run.stdout) as { valid: boolean; reason: string | null; hint: string | null };
  expect(run.code).toBe(out.valid ? 0 : 1);
  return { verdict: out.valid ? 'success' : out.reason!, hint: out.hint };
}

const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `from`'s pair moved into `into`'s value (`into=v%26from%3Dw`): the signed content is unchanged. */
function moveIntoValue(body: Uint8Array, from: string, into: string): Uint8Array {
  const pairs = text(body).split('&');
  const moved = pairs.find((p) => p.startsWith(`${from}=`))!;
  return bytes(
    pairs
      .filter((p) => p !== moved)
      .map((p) => (p.startsWith(`${into}=`) ? `${p}%26${from}%3D${moved.slice(from.length + 1)}` : p))
      .join('&'),
  );
}

describe('the command-line tool and the Worker agree', () => {
  const cases: [string, () => Promise<Uint8Array>][] = [
    ['a valid notification', () => signedNotification(tradeParams())],
    ['the same body after a UTF-8 byte-order mark', async () => Uint8Array.of(0xef, 0xbb, 0xbf, ...(await signedNotification(tradeParams())))],
    ['a changed amount', async () => bytes(text(await signedNotification(tradeParams({ total_amount: '1.00' }))).replace('total_amount=1.00', 'total_amount=9.00'))],
    ['another app', () => signedNotification(tradeParams({ app_id: '2021000000009999', auth_app_id: '2021000000009999' }))],
    ['an old notification', () => signedNotification(tradeParams({ notify_time: formatBeijingTime(Date.now() - 100 * 3600_000) }))],
    ['a name outside Alipay\'s alphabet', async () => bytes(`${text(await signedNotification(tradeParams()))}&Extra=1`)],
    [
      'a refund whose gmt_refund was moved into gmt_payment',
      async () => {
        const refund = tradeParams({ refund_fee: '1.00', out_biz_no: 'R1', gmt_refund: formatBeijingTime(Date.now() - 10_000) + '.123' });
        return moveIntoValue(await signedNotification(refund), 'gmt_refund', 'gmt_payment');
      },
    ],
  ];

  it.each(cases)('%s', async (name, make) => {
    const body = await make();
    const worker = await workerVerdict(body);
    const cli = await cliVerdict(name.replace(/\W+/g, '-'), body);
    expect(cli.verdict).toBe(worker.verdict);
    expect(worker.status === 200).toBe(worker.verdict === 'success');
  });

  it('gives the expected verdicts (so agreement is not agreement on nothing)', async () => {
    const verdicts = [];
    for (const [, make] of cases) verdicts.push((await workerVerdict(await make())).verdict);
    expect(verdicts).toEqual(['success', 'malformed-body', 'signature-mismatch', 'app-id-mismatch', 'notify-too-old', 'malformed-body', 'invalid-field']);
  });

  it('the tool points out the byte-order mark the gateway refused', async () => {
    const body = Uint8Array.of(0xef, 0xbb, 0xbf, ...(await signedNotification(tradeParams())));
    expect((await cliVerdict('bom-hint', body)).hint).toMatch(/byte-order mark/);
  });
});
