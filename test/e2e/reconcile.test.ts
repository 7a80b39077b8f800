// Never missing a payment, through a real `wrangler dev`, the local Alipay stand-in
// (cli/alipay-standin.ts, signing as Alipay with the fixture key) and the test origin:
// - a payment made at Alipay whose notification never comes (simulate --lost: paid at the stand-in,
//   the order registered as a merchant's site registers it) is found and delivered once, with
//   x-alipay-event-source: query; the late real notification forwards nothing new;
// - forged or unsigned answers change nothing;
// - deliveries held (through a gateway restart) wait, and on resume drain no faster than
//   ORIGIN_MAX_RPS;
// - the alerts (here: the payment found by asking) reach a local receiver, signed.
// Its own gateway: asking Alipay, alerts and the drain rate are fixed at start-up.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAlipayStandIn, standInClient, type AlipayStandIn } from '../../cli/alipay-standin';
import { TEST_APP_ID, TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM } from '../fixtures/gateway-test-keys';
import { TEST_ONLY_APP_PRIVATE_KEY_PEM } from '../fixtures/reconcile-test-keys';
import { publicKeyOfPem } from '../support/alipay-gateway';
import { signedNotification, tradeParams, uniqueId } from '../support/notifications';
import { eventually, registerOrder, stackClient } from './client';
import { getWithin, sleep, STACK_START_LIMIT_MS, startStack, type RunningStack } from './harness';

const ALERT_SECRET = 'whsec_ZTJlLXJlY29uY2lsZS1hbGVydC1zZWNyZXQtMDEyMzQ1';
const MAX_RPS = 2;

let running: RunningStack;
let standIn: AlipayStandIn;
let receiver: Server;
const alerts: { headers: Record<string, string>; body: string }[] = [];
const { postNotification, adminGet, adminPost, ledgerOf, origin, acceptedOnceThere } = stackClient(() => running.info);

beforeAll(async () => {
  const started = await startAlipayStandIn({ appPublicKey: await publicKeyOfPem(TEST_ONLY_APP_PRIVATE_KEY_PEM), alipayPrivateKey: TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM });
  if (!started.ok) throw new Error(started.message);
  standIn = started.standIn;
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      alerts.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  running = await startStack({
    logLevel: 'warn',
    settings: {
      // One line: the env file holds no newlines (bare base64 PKCS#8, as Alipay's key tool shows it).
      ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM.replace(/-----[A-Z ]+-----|\s/g, ''),
      ALIPAY_GATEWAY_URL: standIn.gatewayUrl,
      RECONCILE_SCHEDULE: '1s,2s,2s,5s,10s',
      ALERT_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
      ALERT_SECRET,
      ORIGIN_MAX_RPS: String(MAX_RPS),
    },
  });
}, STACK_START_LIMIT_MS + 20_000);

afterAll(async () => {
  await running?.stop();
  await standIn?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** What simulate --lost does: the trade paid at Alipay, no notification; the site registered the order. */
async function payWithoutNotification(amount = '23.40'): Promise<{ outTradeNo: string; tradeNo: string }> {
  const outTradeNo = uniqueId('LOST');
  const trade = await standInClient(standIn.baseUrl).registerTrade({ out_trade_no: outTradeNo, total_amount: amount });
  const response = await registerOrder(running.info, { outTradeNo, amount });
  expect(JSON.parse(response.text)).toMatchObject({ ok: true, status: 'expected', asking: true });
  return { outTradeNo, tradeNo: trade.trade_no };
}

/** An operator's POST to the admin API (hold, resume), its JSON answer. */
const adminPostJson = async (path: string, init: RequestInit = {}) => JSON.parse((await adminPost(path, init)).text);

describe('a lost notification', () => {
  test('the payment is found by asking Alipay and delivered once; the late notification forwards nothing new', async () => {
    const { outTradeNo, tradeNo } = await payWithoutNotification('23.40');
    const [delivery, ...extra] = await acceptedOnceThere(outTradeNo, 1);
    expect(extra).toEqual([]);
    expect(delivery!.eventKind).toBe('paid');
    expect(delivery!.eventSource).toBe('query');
    const form = new URLSearchParams(Buffer.from(delivery!.bodyBase64, 'base64').toString('utf8'));
    expect(Object.fromEntries(form)).toMatchObject({ app_id: TEST_APP_ID, out_trade_no: outTradeNo, trade_no: tradeNo, trade_status: 'TRADE_SUCCESS', total_amount: '23.40' });
    // The stand-in saw the gateway's queries signed with the app key.
    const asked = standIn.requests.filter((r) => r.out_trade_no === outTradeNo);
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(asked.every((r) => r.signatureValid)).toBe(true);

    // The real notification, late: success, deduped into the found payment.
    const late = await signedNotification(tradeParams({ out_trade_no: outTradeNo, trade_no: tradeNo, total_amount: '23.40' }));
    expect(await postNotification(late)).toEqual({ status: 200, body: 'success' });
    await sleep(1_500);
    expect((await origin().deliveries(outTradeNo)).filter((d) => d.outcome === 'accepted')).toHaveLength(1);
    const ledger = await ledgerOf(outTradeNo);
    expect(ledger!.notifications.map((n) => n.source)).toEqual(['query', 'notification']);
    expect(ledger!.events).toHaveLength(1);
    expect(ledger!.reconcile).toMatchObject({ state: 'paid', lastOutcome: 'paid-found' });

    // The alert for a person reached the receiver, signed with ALERT_SECRET (checked with the reference library).
    const found = await eventually('the payment-found alert', async () =>
      alerts.map((a) => ({ a, digest: JSON.parse(a.body) as { kind: string; samples: { summary: string }[] } })).find((x) => x.digest.kind === 'payment-found-by-query' && x.a.body.includes(outTradeNo)),
    );
    expect(() =>
      new Webhook(ALERT_SECRET).verify(found.a.body, { 'webhook-id': found.a.headers['webhook-id']!, 'webhook-timestamp': found.a.headers['webhook-timestamp']!, 'webhook-signature': found.a.headers['webhook-signature']! }),
    ).not.toThrow();
  });

  test.each(['forged', 'unsigned'] as const)('a %s answer changes nothing; once Alipay answers properly the payment is found', async (mode) => {
    await standInClient(standIn.baseUrl).setMode(mode);
    let outTradeNo: string;
    try {
      ({ outTradeNo } = await payWithoutNotification('5.00'));
      await eventually('two queries answered badly', async () => (standIn.requests.filter((r) => r.out_trade_no === outTradeNo).length >= 2 ? true : undefined));
      const ledger = await ledgerOf(outTradeNo);
      expect(ledger!.events).toEqual([]);
      expect(ledger!.notifications).toEqual([]);
      expect(ledger!.reconcile).toMatchObject({ state: 'asking', lastOutcome: 'failed' });
      expect(await origin().deliveries(outTradeNo)).toEqual([]);
    } finally {
      await standInClient(standIn.baseUrl).setMode('normal');
    }
    const accepted = await acceptedOnceThere(outTradeNo!, 1);
    expect(accepted).toHaveLength(1);
  });
});

describe('holding deliveries', () => {
  test('held through a restart, nothing goes out; on resume the backlog drains no faster than ORIGIN_MAX_RPS', async () => {
    const hold = await adminPostJson('/admin/api/deliveries/hold', { body: JSON.stringify({ reason: 'IIS maintenance' }), headers: { 'content-type': 'application/json' } });
    expect(hold).toMatchObject({ ok: true, held: true });
    const orders: string[] = [];
    for (let i = 0; i < 5; i++) {
      const params = tradeParams();
      expect(await postNotification(await signedNotification(params))).toEqual({ status: 200, body: 'success' });
      orders.push(params.out_trade_no!);
    }
    // The hold lives in the gate's storage: a restarted gateway still holds.
    await running.restartGateway();
    const health = JSON.parse((await getWithin(`${running.info.gatewayUrl}/health`)).text) as { deliveries: { held: boolean; waitingOrders: number } };
    expect(health.deliveries.held).toBe(true);
    await eventually('the orders waiting at the gate', async () => {
      const status = JSON.parse((await adminGet('/admin/api/deliveries')).text) as { waitingOrders: number };
      return status.waitingOrders >= orders.length ? status : undefined;
    });
    for (const order of orders) expect(await origin().deliveries(order)).toEqual([]);
    for (const order of orders) expect((await ledgerOf(order))!.events).toEqual([expect.objectContaining({ state: 'pending', attempts: 0 })]);

    const resumedAt = Date.now();
    expect(await adminPostJson('/admin/api/deliveries/resume')).toMatchObject({ ok: true, held: false });
    const arrivals: number[] = [];
    for (const order of orders) {
      const [delivery] = await acceptedOnceThere(order, 1);
      arrivals.push(Date.parse(delivery!.receivedAt));
    }
    // The k-th delivery after the resume comes no earlier than k slots (1/ORIGIN_MAX_RPS s) after it:
    // a slow machine only spreads them further.
    arrivals.sort((a, b) => a - b);
    arrivals.forEach((at, k) => expect(at - resumedAt).toBeGreaterThanOrEqual(k * (1000 / MAX_RPS) - 100));
  }, 60_000 + STACK_START_LIMIT_MS); // a restart inside
});
