// What an end-to-end test does over real HTTP: post a notification to the gateway as Alipay
// would, ask the test origin what it received, and read the order's ledger through the admin API.
// The plain exports talk to the suite's shared stack (global-setup.ts); a file that starts a stack
// of its own (ownStack(): settings fixed at start-up, or traffic that must not meet the other
// files', which run at the same time) gets the same functions from stackClient(), or from
// gatewayClient() when its origin is not the test origin (the example receiver).
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import type { LedgerSnapshot } from '../../src/orders/ledger-types';
import { getWithin, originClient, postPastProxyLosses, sleep, STACK_START_LIMIT_MS, startStack, type FetchedText, type OriginDelivery, type RunningStack, type StackInfo } from './harness';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';

export interface GatewayReply {
  status: number;
  body: string;
}

/**
 * What the merchant's site does before sending the buyer to Alipay (POST /alipay/orders): the
 * order and its amount, signed with STATUS_SECRET, here with node:crypto. Sent again after the
 * proxy's own 503 (registering twice is harmless). Expires in 30 minutes.
 */
export function registerOrder(
  info: Pick<StackInfo, 'gatewayUrl' | 'statusSecret'>,
  order: { outTradeNo: string; amount: string; appId?: string },
): Promise<FetchedText> {
  const { outTradeNo, amount, appId = TEST_APP_ID } = order;
  const expire = Math.floor(Date.now() / 1000) + 1800;
  const sig = createHmac('sha256', info.statusSecret).update(`order.${appId}.${outTradeNo}.${amount}.${expire}`).digest('hex');
  return postPastProxyLosses(`${info.gatewayUrl}/alipay/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ app_id: appId, out_trade_no: outTradeNo, total_amount: amount, expire: String(expire), sig }),
  });
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

// A second, concurrent delivery (the bug these tests look for) would have been sent no later than
// the first one, so it has arrived by the end of this wait.
const SETTLE_MS = 500;

/** What the gateway-only calls need to know about a running gateway. */
export type GatewayInfo = Pick<StackInfo, 'gatewayUrl' | 'notifyUrl' | 'adminToken'>;

/** How long a test's notification waits for the gateway's answer. */
const NOTIFY_ANSWER_TIMEOUT_MS = 30_000;
/** How long one admin API read may take: past it the test fails saying which read did not come back. */
const ADMIN_ANSWER_TIMEOUT_MS = 10_000;

/** The calls that talk to the gateway alone (notify endpoint, admin API); `info` is read on each call. */
export function gatewayClient(info: () => GatewayInfo) {
  /**
   * Posts as Alipay does; `charset` is the one the content-type names (Alipay names the signed one).
   * Like Alipay, it gives up on an answer that does not come (30 s): a request caught by a crash, or
   * one stuck in wrangler dev's proxy on a busy machine, fails with its own error instead of
   * holding the test until vitest's time limit says nothing of where it stood. Also like Alipay,
   * it sends again what got no answer from the gateway: the proxy's own 503 for a connection it
   * lost (postPastProxyLosses; the gateway dedupes a copy that did arrive).
   */
  async function postNotification(body: Uint8Array, charset = 'utf-8'): Promise<GatewayReply> {
    const init = { method: 'POST', headers: { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` }, body };
    const { status, text } = await postPastProxyLosses(info().notifyUrl, init, NOTIFY_ANSWER_TIMEOUT_MS);
    return { status, body: text };
  }

  /** A GET of the admin API with the Bearer token, asked again when wrangler dev's proxy parks it (getWithin). */
  function adminGet(path: string): Promise<FetchedText> {
    return getWithin(`${info().gatewayUrl}${path}`, { headers: { authorization: `Bearer ${info().adminToken}` } }, { eachMs: ADMIN_ANSWER_TIMEOUT_MS });
  }

  /**
   * A POST of the admin API with the Bearer token, sent again after the proxy's own 503
   * (postPastProxyLosses): only for operations the gateway treats idempotently (hold, resume).
   */
  function adminPost(path: string, init: RequestInit = {}): Promise<FetchedText> {
    const headers = { authorization: `Bearer ${info().adminToken}`, ...(init.headers as Record<string, string> | undefined) };
    return postPastProxyLosses(`${info().gatewayUrl}${path}`, { ...init, method: 'POST', headers });
  }

  async function ledgerOf(outTradeNo: string): Promise<LedgerSnapshot | null> {
    const { status, text } = await adminGet(`/admin/orders/${TEST_APP_ID}/${encodeURIComponent(outTradeNo)}`);
    if (status === 404) return null;
    if (status !== 200) throw new Error(`admin API answered ${status}`);
    return JSON.parse(text) as LedgerSnapshot;
  }

  /** Waits until the ledger says the order's `paid` event is delivered; returns that ledger. */
  function deliveredLedger(outTradeNo: string, timeoutMs?: number): Promise<LedgerSnapshot> {
    return eventually(
      `the paid event of ${outTradeNo} to be delivered`,
      async () => {
        const ledger = await ledgerOf(outTradeNo);
        return ledger?.events.find((e) => e.eventKey === 'paid')?.state === 'delivered' ? ledger : undefined;
      },
      timeoutMs,
    );
  }

  return { postNotification, adminGet, adminPost, ledgerOf, deliveredLedger };
}

/** The test client for one running stack (gateway and test origin); `info` is read on each call. */
export function stackClient(info: () => StackInfo) {
  const origin = () => originClient(info().originControlUrl);
  const { postNotification, adminGet, adminPost, ledgerOf, deliveredLedger } = gatewayClient(info);

  async function accepted(outTradeNo: string): Promise<OriginDelivery[]> {
    return (await origin().deliveries(outTradeNo)).filter((d) => d.outcome === 'accepted');
  }

  /** The deliveries the origin accepted for an order, read once the ledger says `paid` is delivered and the settle time passed. */
  async function acceptedAtOrigin(outTradeNo: string): Promise<OriginDelivery[]> {
    await deliveredLedger(outTradeNo);
    await sleep(SETTLE_MS);
    return accepted(outTradeNo);
  }

  /** The accepted deliveries for an order once there are at least `count`, read again after the settle time. */
  async function acceptedOnceThere(outTradeNo: string, count: number): Promise<OriginDelivery[]> {
    await eventually(`${count} accepted deliveries for ${outTradeNo}`, async () => ((await accepted(outTradeNo)).length >= count ? true : undefined));
    await sleep(SETTLE_MS);
    return accepted(outTradeNo);
  }

  return { origin, postNotification, adminGet, adminPost, ledgerOf, deliveredLedger, acceptedAtOrigin, acceptedOnceThere };
}

export const stack = () => inject('e2e');

/** A stack of the calling test file's own: started before its tests, stopped after them. */
export function ownStack(options: Parameters<typeof startStack>[0] = {}): () => RunningStack {
  let running: RunningStack | undefined;
  let starting: Promise<RunningStack> | undefined;
  beforeAll(async () => {
    starting = startStack(options);
    running = await starting;
  }, STACK_START_LIMIT_MS + 20_000);
  // Also when the start outlived the hook's time limit: it goes on, and what it starts then must
  // be stopped too (a busy machine was left with a whole wrangler dev of 4 GB running so).
  afterAll(async () => (await starting?.catch(() => undefined))?.stop(), 180_000);
  return () => {
    if (running === undefined) throw new Error('this file\'s stack did not start');
    return running;
  };
}
export const { origin, postNotification, adminGet, ledgerOf, deliveredLedger, acceptedAtOrigin } = stackClient(stack);

export function bodyBytes(delivery: OriginDelivery): Uint8Array {
  return new Uint8Array(Buffer.from(delivery.bodyBase64, 'base64'));
}

/** The Standard Webhooks headers the origin recorded for a delivery. */
export function webhookHeadersOf(delivery: OriginDelivery): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': delivery.webhookId!,
    'webhook-timestamp': delivery.webhookTimestamp!,
    'webhook-signature': delivery.webhookSignature!,
  };
}
