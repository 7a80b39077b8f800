// `secret` prints a usable whsec_ forward secret; `check URL` reads a gateway's /health (served
// here by a stub that answers with the project's own healthResponse) and explains it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { parseWebhookSecrets } from '../../src/config/values';
import { healthResponse } from '../../src/http/health';
import { throwawayRsaKeys } from '../support/throwaway-keys';
import { runInProcess } from '../support/cli-run';

describe('secret', () => {
  it('prints whsec_ and the base64 of 32 random bytes, which the gateway accepts', async () => {
    const first = await runInProcess(['secret']);
    const second = await runInProcess(['secret']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^whsec_[A-Za-z0-9+/]{43}=\n$/);
    const secret = first.stdout.trim();
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(second.stdout).not.toBe(first.stdout);
    const parsed = parseWebhookSecrets(secret);
    expect(parsed.ok && parsed.value[0]!.length).toBe(32);
  });

  it('exits 2 on an unexpected argument', async () => {
    const run = await runInProcess(['secret', 'extra']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});

// A valid configuration (keys generated here) and a broken one, shaped by the real src/http/health.ts.
let healthy: Response;
let held: Response;
let broken: Response;
let mode: 'healthy' | 'held' | 'broken' | 'not-found' = 'healthy';
const paths: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const { spki } = await throwawayRsaKeys();
  const good = await loadConfig({
    ALIPAY_PUBLIC_KEY: Buffer.from(spki).toString('base64'),
    ALIPAY_APP_ID: '2021000000000777',
    ORIGIN_URL: 'https://shop.example.com/alipay/notify_url.asp',
    FORWARD_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
  });
  expect(good.ok).toBe(true);
  healthy = healthResponse(good, { held: false, heldSince: null, waitingOrders: 0, drainingUntil: null });
  held = healthResponse(good, { held: true, heldSince: '2026-05-01T08:00:00.000Z', waitingOrders: 3, drainingUntil: null });
  broken = healthResponse(await loadConfig({ ALIPAY_APP_ID: 'not-digits', FORWARD_SECRET: 'secret-without-prefix' }));
  expect(broken.status).toBe(503);

  server = createServer(async (req, res) => {
    paths.push(req.url ?? '');
    const answer = mode === 'not-found' || req.url !== '/health' ? new Response('not found', { status: 404 }) : (mode === 'healthy' ? healthy : mode === 'held' ? held : broken).clone();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  mode = 'healthy';
  paths.length = 0;
});

describe('check', () => {
  it('exits 0 for a healthy gateway and shows its summary', async () => {
    const run = await runInProcess(['check', base]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`healthy: ${base}/health`);
    expect(run.stdout).toMatch(/app ids\s+2021000000000777/);
    expect(run.stdout).toMatch(/forwards to\s+shop\.example\.com \(form, events: paid/);
    expect(run.stdout).toMatch(/Alipay public keys \(1\)\s+RSA 2048/);
    expect(run.stdout).not.toContain('whsec_'); // nothing secret in the summary, nothing secret printed
    expect(run.stdout).toMatch(/deliveries\s+flowing\n/);
    expect(run.stdout).toMatch(/asking Alipay\s+off \(ALIPAY_APP_PRIVATE_KEY not set\)/);
    expect(run.stdout).toMatch(/alerts\s+off \(ALERT_URL not set\)/);
  });

  it('exits 1 with a warning when deliveries are held: configured, yet nothing reaches the receiving page', async () => {
    mode = 'held';
    const run = await runInProcess(['check', base]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`configured, but deliveries are held: ${base}/health`);
    expect(run.stdout).not.toMatch(/^healthy/m);
    expect(run.stdout).toMatch(/deliveries\s+HELD since 2026-05-01T08:00:00\.000Z, 3 orders waiting/);
    expect(run.stdout).toContain('warning: deliveries are HELD');
    expect(run.stdout).toContain('POST /admin/api/deliveries/resume');
  });

  it('takes the gateway\'s address without https://, as wrangler and the dashboard show it (http:// for this machine)', async () => {
    const run = await runInProcess(['check', base.replace('http://', '')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`healthy: ${base}/health`);
  });

  it('asks /health whether given the base URL, the /health URL or the notify URL', async () => {
    for (const target of [base, `${base}/`, `${base}/health`, `${base}/alipay/notify`]) {
      expect((await runInProcess(['check', target])).code).toBe(0);
    }
    expect(paths).toEqual(['/health', '/health', '/health', '/health']);
  });

  it('exits 1 for a misconfigured gateway and explains each problem by setting', async () => {
    mode = 'broken';
    const run = await runInProcess(['check', base]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('NOT healthy');
    // Each problem: the gateway's message, what the setting is, and where to set it.
    expect(run.stdout).toMatch(/- ALIPAY_PUBLIC_KEY: required[^\n]*\n {4}what: the Alipay public key[^\n]*\n {4}set: {2}npx wrangler secret put ALIPAY_PUBLIC_KEY/);
    expect(run.stdout).toMatch(/- ALIPAY_APP_ID: "not-digits" is not an app id[^\n]*\n {4}what: [^\n]*\n {4}set: {2}ALIPAY_APP_ID under \[vars\] in wrangler\.toml/);
    expect(run.stdout).toMatch(/- ORIGIN_URL: required/);
    expect(run.stdout).toMatch(/- FORWARD_SECRET: the value does not start with whsec_[^\n]*\n {4}what: [^\n]*\n {4}set: {2}npx wrangler secret put FORWARD_SECRET/);
  });

  it('exits 2 when the URL answers but is not a gateway', async () => {
    mode = 'not-found';
    const run = await runInProcess(['check', base]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('answered 404');
    // With a route, the notify URL's host is the merchant's own server: the gateway's address is what works.
    expect(run.stderr).toContain("Give the gateway's own address (its workers.dev URL), not your site's notify URL");
  });

  it('exits 2 when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runInProcess(['check', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('connection refused');
  });

  it.each([[[]], [['ftp://example.com']], [['not a url']], [['http://a.example', 'http://b.example']]])(
    'exits 2 on a usage error: %j',
    async (args) => {
      const run = await runInProcess(['check', ...args]);
      expect(run.code).toBe(2);
      expect(paths).toEqual([]);
    },
  );
});
