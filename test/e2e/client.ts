// What an end-to-end test does over real HTTP: post a notification to the gateway as Alipay
// would, ask the test origin what it received, and read the order's ledger through the admin API.
import { inject } from 'vitest';
import type { LedgerSnapshot } from '../../src/orders/ledger-types';
import { originClient, sleep, type OriginDelivery } from './harness';
import { TEST_APP_ID } from './notifications';

export const stack = () => inject('e2e');
export const origin = () => originClient(stack().originControlUrl);

export interface GatewayReply {
  status: number;
  body: string;
}

export async function postNotification(body: Uint8Array): Promise<GatewayReply> {
  const response = await fetch(stack().notifyUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return { status: response.status, body: await response.text() };
}

export async function ledgerOf(outTradeNo: string): Promise<LedgerSnapshot | null> {
  const response = await fetch(`${stack().gatewayUrl}/admin/orders/${TEST_APP_ID}/${encodeURIComponent(outTradeNo)}`, {
    headers: { authorization: `Bearer ${stack().adminToken}` },
  });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`admin API answered ${response.status}`);
  return (await response.json()) as LedgerSnapshot;
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

/** Waits until the ledger says the order's `paid` event is delivered; returns that ledger. */
export function deliveredLedger(outTradeNo: string, timeoutMs?: number): Promise<LedgerSnapshot> {
  return eventually(
    `the paid event of ${outTradeNo} to be delivered`,
    async () => {
      const ledger = await ledgerOf(outTradeNo);
      return ledger?.events.find((e) => e.eventKey === 'paid')?.state === 'delivered' ? ledger : undefined;
    },
    timeoutMs,
  );
}

/**
 * The deliveries the origin accepted for an order, read once the ledger says it is delivered
 * plus a short settle time: a second, concurrent delivery (the bug these tests look for) would
 * have been sent no later than the first one, so it has arrived by then.
 */
export async function acceptedAtOrigin(outTradeNo: string): Promise<OriginDelivery[]> {
  await deliveredLedger(outTradeNo);
  await sleep(500);
  return (await origin().deliveries(outTradeNo)).filter((d) => d.outcome === 'accepted');
}

export function bodyBytes(delivery: OriginDelivery): Uint8Array {
  return new Uint8Array(Buffer.from(delivery.bodyBase64, 'base64'));
}
