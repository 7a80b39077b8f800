// The development configuration asks the local Alipay stand-in: a fresh .dev.vars turns
// reconciliation on with its own app key pair (never the pair that plays Alipay), and a stand-in
// started from dev-keys/ answers the gateway's signed queries with answers the gateway trusts.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEV_APP_PUBLIC_KEY_FILE, DEV_PRIVATE_KEY_FILE, DEV_STANDIN_PORT, ensureDevVars } from '../../cli/dev-config';
import { startAlipayStandIn, standInClient } from '../../cli/alipay-standin';
import { loadConfig } from '../../src/config/load';
import { formatProblem } from '../../src/config/reader';
import { queryTrade } from '../../src/alipay/query-client';
import { runInProcess } from '../support/cli-run';

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

it('simulate --lost pays the order at the stand-in and sends no notification; the query then finds it paid', async () => {
  const lostDir = mkdtempSync(join(tmpdir(), 'dev-lost-'));
  const { vars } = await ensureDevVars(lostDir);
  const started = await startAlipayStandIn({
    appPublicKey: readFileSync(join(lostDir, DEV_APP_PUBLIC_KEY_FILE), 'utf8'),
    alipayPrivateKey: readFileSync(join(lostDir, DEV_PRIVATE_KEY_FILE), 'utf8'),
  });
  if (!started.ok) throw new Error(started.message);
  const { standIn } = started;
  // Anything sent to --to would be seen here: a notification, or the order's registration.
  const notified: string[] = [];
  const registrations: string[] = [];
  const gateway = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      // simulate reads whom the gateway asks: this stand-in.
      if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end(healthSaying(standIn.gatewayUrl));
      if (req.url === '/alipay/orders') {
        registrations.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"status":"expected","asking":true,"nextQueryAt":"2026-05-01T00:00:02.000Z"}');
        return;
      }
      notified.push(req.url ?? '');
      res.end('success');
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const to = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/alipay/notify`;
  try {
    // From the directory of the generated .dev.vars: its STATUS_SECRET signs the registration.
    const cwd = process.cwd();
    process.chdir(lostDir);
    let run;
    try {
      run = await runInProcess(['simulate', '--to', to, '--lost', '--standin', standIn.baseUrl, '--order', 'SIM-LOST-2', '--amount', '12.34']);
    } finally {
      process.chdir(cwd);
    }
    expect(run.code, run.stderr).toBe(0);
    const line = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ lost: true, out_trade_no: 'SIM-LOST-2', total_amount: '12.34', trade_status: 'TRADE_SUCCESS', registered: { ok: true } });
    expect(run.stderr).toMatch(/no notification was sent/);
    expect(run.stderr).toMatch(/registered with the gateway/);
    expect(notified).toEqual([]);
    // The registration is the one a merchant's site makes, checked here with node:crypto.
    expect(registrations).toHaveLength(1);
    const form = new URLSearchParams(registrations[0]!);
    const expected = createHmac('sha256', Buffer.from(vars.STATUS_SECRET!, 'utf8'))
      .update(`order.${form.get('app_id')}.SIM-LOST-2.12.34.${form.get('expire')}`)
      .digest('hex');
    expect(form.get('sig')).toBe(expected);
    expect(Number(form.get('expire'))).toBeGreaterThan(Date.now() / 1000);

    const config = await loadConfig(vars);
    if (!config.ok) throw new Error(config.problems.map(formatProblem).join('; '));
    const found = await queryTrade(
      { outTradeNo: 'SIM-LOST-2' },
      { gatewayUrl: standIn.gatewayUrl, appId: config.config.alipay.appIds[0]!, privateKey: config.config.reconcile!.appPrivateKey.signingKey, alipayKeys: config.config.alipay.keys },
    );
    // The trade_no is the one every simulated notification of this order carries.
    expect(found).toMatchObject({ ok: true, status: 'found', trade: { paid: true, totalAmount: '12.34', tradeNo: line.trade_no } });

    expect(notified.filter((u) => u === '/alipay/notify')).toEqual([]);
    const refused = await runInProcess(['simulate', '--to', to, '--lost', '--repeat', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--repeat shapes the notification sent; --lost sends none/);
    const nobody = await runInProcess(['simulate', '--to', to, '--lost', '--standin', 'http://127.0.0.1:9']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/Is `npm start` running/);
  } finally {
    await standIn.close();
    await new Promise((resolve) => gateway.close(resolve));
    rmSync(lostDir, { recursive: true, force: true });
  }
});

/** A gateway's /health, as far as `simulate --lost` reads it: whom it asks about unpaid orders. */
function healthSaying(gateway: string | null): string {
  return JSON.stringify({ ok: true, reconcile: { enabled: gateway !== null, gateway: gateway ?? 'https://openapi.alipay.com/gateway.do', schedule: ['2s'] } });
}

it('simulate --lost says when the gateway cannot find the payment: it asks another Alipay or none, or refuses the registration', async () => {
  const lostDir = mkdtempSync(join(tmpdir(), 'dev-lost-'));
  await ensureDevVars(lostDir);
  const started = await startAlipayStandIn({
    appPublicKey: readFileSync(join(lostDir, DEV_APP_PUBLIC_KEY_FILE), 'utf8'),
    alipayPrivateKey: readFileSync(join(lostDir, DEV_PRIVATE_KEY_FILE), 'utf8'),
  });
  if (!started.ok) throw new Error(started.message);
  const { standIn } = started;
  let health = '';
  let orders: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{"ok":true}' };
  const registrations: string[] = [];
  const gateway = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end(health);
      if (req.url === '/alipay/orders') registrations.push(req.url);
      res.writeHead(orders.status, { 'content-type': orders.type }).end(orders.body);
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const to = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/alipay/notify`;
  const lost = async (order: string) => {
    const cwd = process.cwd();
    process.chdir(lostDir);
    try {
      return await runInProcess(['simulate', '--to', to, '--lost', '--standin', standIn.baseUrl, '--order', order]);
    } finally {
      process.chdir(cwd);
    }
  };
  try {
    // It asks Alipay itself (a deployed gateway's default): the stand-in's payment is never found there.
    health = healthSaying('https://openapi.alipay.com/gateway.do');
    let run = await lost('SIM-LOST-ELSEWHERE');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the gateway asks https://openapi.alipay.com/gateway.do, not this stand-in (${standIn.baseUrl}): it will never find this payment`);
    expect(run.stderr).not.toContain('Ask Alipay about it from the admin API');
    expect(registrations).toEqual([]);

    health = healthSaying(null);
    run = await lost('SIM-LOST-NEVER');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the gateway does not ask Alipay at all (ALIPAY_APP_PRIVATE_KEY is not set)');

    // It asks the stand-in under another loopback name: the same stand-in.
    health = healthSaying(standIn.gatewayUrl.replace('127.0.0.1', 'localhost'));
    orders = { status: 400, type: 'application/json', body: '{"ok":false,"error":"bad-signature"}' };
    run = await lost('SIM-LOST-REFUSED');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the gateway did not take the registration (bad-signature)');
    expect(registrations).toHaveLength(1);

    // Not the gateway's JSON (a 404 page): said for what it is, not "cannot connect (Unexpected token…)".
    health = healthSaying(standIn.gatewayUrl);
    orders = { status: 404, type: 'text/html', body: '<html><body>Not Found</body></html>' };
    run = await lost('SIM-LOST-HTML');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('it answered 404 with something that is not the gateway\'s JSON ("<html><body>Not Found</body></html>"): nothing takes registrations at /alipay/orders there');
    expect(run.stderr).not.toContain('cannot connect');
    expect(run.stderr).not.toContain('Unexpected token');
  } finally {
    await standIn.close();
    await new Promise((resolve) => gateway.close(resolve));
    rmSync(lostDir, { recursive: true, force: true });
  }
});
