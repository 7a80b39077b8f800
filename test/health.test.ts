import { beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load';
import type { ConfigEnv } from '../src/config/names';
import { healthResponse } from '../src/http/health';
import { base64, sha256Hex } from './support/encoding';
import { throwawayRsaKeys } from './support/throwaway-keys';

let spki = new Uint8Array();
const forwardSecret = `whsec_${base64(new Uint8Array(32).fill(42))}`;

beforeAll(async () => {
  ({ spki } = await throwawayRsaKeys());
});

function env(overrides: ConfigEnv = {}): ConfigEnv {
  return {
    ALIPAY_PUBLIC_KEY: base64(spki),
    ALIPAY_APP_ID: '2021000123456789',
    ALIPAY_SIGN_TYPES: 'RSA2,RSA',
    ORIGIN_URL: 'https://shop.example.com/alipay/notify_url.asp?token=0r1g1n',
    FORWARD_SECRET: forwardSecret,
    FORWARD_EVENTS: 'paid,refund',
    ADMIN_TOKEN: 'adm1n-token-0123456789',
    STATUS_SECRET: 'st4tus-secret-0123456789abcdefghij',
    STATUS_ALLOWED_ORIGINS: 'https://shop.example.com',
    ...overrides,
  };
}

it('answers 200 with a summary an operator can check', async () => {
  const res = healthResponse(await loadConfig(env()));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as Record<string, any>;
  expect(body.ok).toBe(true);
  expect(body.signTypes).toEqual(['RSA2', 'RSA']);
  expect(body.keys).toHaveLength(1);
  expect(body.keys[0].fingerprint).toBe(await sha256Hex(spki));
  expect(body.keys[0].bits).toBe(2048);
  expect(body.originHost).toBe('shop.example.com');
  expect(body.ackMode).toBe('durable');
  expect(body.notifyPath).toBe('/alipay/notify');
  expect(body.forward.format).toBe('form');
  expect(body.forward.events).toEqual(['paid', 'refund']);
  expect(body.forward.secrets).toBe(1);
  expect(body.forward.retrySchedule).toEqual(['10s', '1m', '5m', '30m', '2h', '6h', '12h', '1d', '1d', '1d']);
  expect(body.adminApi).toBe(true);
  expect(body.statusPage).toEqual({ enabled: true, allowedOrigins: ['https://shop.example.com'] });
  expect(body.indexShards).toBe(1);
});

it('shows no secret in the 200 summary', async () => {
  const text = await healthResponse(await loadConfig(env())).text();
  expect(text).not.toContain('0r1g1n');
  expect(text).not.toContain('adm1n');
  expect(text).not.toContain('st4tus');
  expect(text).not.toContain(forwardSecret.slice(6));
  expect(text).not.toContain(base64(spki).slice(40, 80));
});

it('answers 503 listing every problem by name, without secrets', async () => {
  const res = healthResponse(
    await loadConfig(env({ ALIPAY_APP_ID: '', FORWARD_SECRET: 'whsec_sh0rtsecret', ADMIN_TOKEN: 'sh0rt', ORIGIN_URL: 'http://sh0rt.example/' })),
  );
  expect(res.status).toBe(503);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { ok: boolean; problems: string[] };
  expect(body.ok).toBe(false);
  expect(body.problems.map((p) => p.split(':')[0])).toEqual(['ALIPAY_APP_ID', 'ORIGIN_URL', 'FORWARD_SECRET', 'ADMIN_TOKEN']);
  expect(JSON.stringify(body)).not.toMatch(/sh0rt/);
});

it('a flood of GET /health asks the delivery gate about once per isolate view, not once per request', async () => {
  const { callWorker, gatewayEnv } = await import('./support/gateway');
  const { GATE_VIEW_MS, forgetGateView } = await import('../src/orders/gate-view');
  forgetGateView();
  const real = gatewayEnv.DELIVERY_GATE;
  let asked = 0;
  const counting = {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return new Proxy(stub, { get: (target, name) => (name === 'status' ? () => (asked++, target.status()) : Reflect.get(target, name)) });
    },
  };
  const started = Date.now();
  const answers = [];
  for (let i = 0; i < 50; i++) answers.push(await callWorker(new Request('https://gateway.test/health'), { DELIVERY_GATE: counting }));
  for (const answer of answers) expect(((await answer.json()) as { deliveries: { held: boolean } }).deliveries).toMatchObject({ held: false });
  expect(asked).toBeGreaterThanOrEqual(1);
  expect(asked).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / GATE_VIEW_MS));
});
