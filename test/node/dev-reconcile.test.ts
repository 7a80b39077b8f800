// The development configuration asks the local Alipay stand-in: a fresh .dev.vars turns
// reconciliation on with its own app key pair (never the pair that plays Alipay), and a stand-in
// started from dev-keys/ answers the gateway's signed queries with answers the gateway trusts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEV_APP_PUBLIC_KEY_FILE, DEV_PRIVATE_KEY_FILE, DEV_STANDIN_PORT, ensureDevVars } from '../../cli/dev-config';
import { startAlipayStandIn, standInClient } from '../../cli/alipay-standin';
import { loadConfig } from '../../src/config/load';
import { formatProblem } from '../../src/config/reader';
import { queryTrade } from '../../src/alipay/query-client';

const dir = mkdtempSync(join(tmpdir(), 'dev-reconcile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a fresh .dev.vars enables reconciliation against the stand-in, which answers for simulated payments', async () => {
  const { vars } = await ensureDevVars(dir, { standInPort: 9999 });
  expect(vars.ALIPAY_GATEWAY_URL).toBe('http://127.0.0.1:9999/gateway.do');
  expect(vars.RECONCILE_SCHEDULE).toBe('2s,5s,10s,30s');
  expect(DEV_STANDIN_PORT).toBe(8789);
  const result = await loadConfig(vars);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('; '));
  const { reconcile, alipay, summary } = result.config;
  expect(reconcile).not.toBeNull();
  expect(reconcile!.scheduleMs).toEqual([2_000, 5_000, 10_000, 30_000]);
  expect(summary.warnings).toEqual([]);
  expect(alipay.keys.map((k) => k.fingerprint)).not.toContain(reconcile!.appPrivateKey.publicFingerprint);

  const started = await startAlipayStandIn({
    appPublicKey: readFileSync(join(dir, DEV_APP_PUBLIC_KEY_FILE), 'utf8'),
    alipayPrivateKey: readFileSync(join(dir, DEV_PRIVATE_KEY_FILE), 'utf8'),
    appIds: alipay.appIds,
  });
  if (!started.ok) throw new Error(started.message);
  const { standIn } = started;
  try {
    await standInClient(standIn.baseUrl).registerTrade({ out_trade_no: 'SIM-LOST-1', total_amount: '1.00' });
    const options = {
      gatewayUrl: standIn.gatewayUrl,
      appId: alipay.appIds[0]!,
      privateKey: reconcile!.appPrivateKey.signingKey,
      alipayKeys: alipay.keys,
    };
    expect(await queryTrade({ outTradeNo: 'SIM-LOST-1' }, options)).toMatchObject({ ok: true, status: 'found', trade: { paid: true, totalAmount: '1.00' } });
    expect(await queryTrade({ outTradeNo: 'SIM-NEVER-PAID' }, options)).toMatchObject({ ok: true, status: 'not-found' });
  } finally {
    await standIn.close();
  }
});
