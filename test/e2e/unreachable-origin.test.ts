// An origin that cannot be reached, under real `wrangler dev` (workerd): each attempt's log line
// and the event's last_error name the cause in one line, from the only things workerd gives away
// ("Network connection lost." for a refused connection, "internal error; reference = …" for a
// failed DNS lookup). Two gateways of their own, since ORIGIN_URL is fixed at start-up.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TEST_ONLY_ADMIN_TOKEN } from '../fixtures/gateway-test-keys';
import { eventually, gatewayClient } from './client';
import { freePort, gatewaySettings, STACK_START_LIMIT_MS, startGateway, type RunningGateway } from './harness';
import { paidNotification } from '../support/notifications';

/** Each test starts a gateway of its own (its ORIGIN_URL differs), then waits for one attempt. */
const GATEWAY_TEST_LIMIT_MS = STACK_START_LIMIT_MS + 30_000;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function gatewayDeliveringTo(originUrl: string): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'alipay-notify-edge-unreachable-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // One attempt within the test: the retry comes an hour later.
  const gateway = await startGateway({ dir, settings: gatewaySettings(originUrl, { RETRY_SCHEDULE: '1h' }) });
  cleanups.push(() => gateway.process.stop());
  return gateway;
}

/** Posts a payment, waits for its first attempt, returns last_error and that attempt's log line. */
async function firstFailure(gateway: RunningGateway): Promise<{ lastError: string; line: Record<string, unknown> }> {
  const client = gatewayClient(() => ({ gatewayUrl: gateway.url, notifyUrl: gateway.notifyUrl, adminToken: TEST_ONLY_ADMIN_TOKEN }));
  const { params, body } = await paidNotification();
  const outTradeNo = params['out_trade_no']!;
  expect(await client.postNotification(body)).toEqual({ status: 200, body: 'success' });
  const lastError = await eventually('the first attempt to fail', async () => {
    const ledger = await client.ledgerOf(outTradeNo);
    return ledger?.events.find((e) => e.eventKey === 'paid')?.lastError ?? undefined;
  });
  const line = await eventually('the attempt log line', async () => {
    const found = gateway.process
      .tail()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"delivery attempt"') && l.includes(outTradeNo));
    return found.length > 0 ? (JSON.parse(found[0]!) as Record<string, unknown>) : undefined;
  });
  return { lastError, line };
}

describe('an origin that cannot be reached', () => {
  test('connection refused (127.0.0.1, nothing listening) is named as such', async () => {
    const port = await freePort();
    const gateway = await gatewayDeliveringTo(`http://127.0.0.1:${port}/alipay/notify`);
    const { lastError, line } = await firstFailure(gateway);
    const hint = `connection refused (or reset before any answer) by 127.0.0.1:${port}: is the origin running and listening there?`;
    expect(lastError).toBe(`network-error: ${hint}`);
    expect(line).toMatchObject({ level: 'warn', outcome: 'network-error', error: hint, state: 'pending' });
  }, GATEWAY_TEST_LIMIT_MS);

  test('a host name that does not resolve is named as a DNS (or TLS) failure, never "internal error"', async () => {
    const gateway = await gatewayDeliveringTo('https://origin.invalid/alipay/notify');
    const { lastError, line } = await firstFailure(gateway);
    expect(lastError).toMatch(/^network-error: DNS lookup or TLS handshake failed for origin\.invalid:443: /);
    expect(String(line['error'])).toMatch(/^DNS lookup or TLS handshake failed for origin\.invalid:443/);
    expect(lastError + JSON.stringify(line)).not.toMatch(/internal error|reference =/);
  }, GATEWAY_TEST_LIMIT_MS);
});
