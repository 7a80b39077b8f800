// Helpers of the reconciliation tests (the `reconcile` project: asking Alipay is configured, its
// gateway is played by test/support/alipay-gateway.ts). Registrations are signed here with
// WebCrypto, never with the code under test.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { vi } from 'vitest';
import type { LedgerSnapshot } from '../../src/orders/ledger-types';
import { TEST_APP_ID, TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM } from '../fixtures/gateway-test-keys';
import { TEST_ONLY_APP_PRIVATE_KEY_PEM, TEST_ONLY_STATUS_SECRET_FOR_ORDERS } from '../fixtures/reconcile-test-keys';
import { fakeAlipayGateway, paidTradeFields, publicKeyOfPem, type FakeAlipayGateway } from '../support/alipay-gateway';
import { callWorker, ledger, mockAlipay, snapshot } from '../support/gateway';
import { uniqueId } from '../support/notifications';
import { SETTLE_MS } from '../support/settle';

export const REGISTER_URL = 'https://gateway.test/alipay/orders';

let shared: Promise<FakeAlipayGateway> | undefined;

/** Alipay's gateway for these tests (one per file), answering signed, with no trade known. */
export async function alipayGateway(): Promise<FakeAlipayGateway> {
  shared ??= fakeAlipayGateway({ appPublicKey: await publicKeyOfPem(TEST_ONLY_APP_PRIVATE_KEY_PEM), alipayPrivateKeyPem: TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM });
  const gateway = await shared;
  gateway.mode = 'signed';
  mockAlipay(gateway.fetch);
  return gateway;
}

/** The trade as Alipay knows it once the buyer paid (its trade_no unique per order). */
export function paidAtAlipay(gateway: FakeAlipayGateway, outTradeNo: string, amount = '88.80', overrides: Record<string, string> = {}): Record<string, string> {
  const fields = paidTradeFields(outTradeNo, amount, { trade_no: `2026${Date.now()}${Math.floor(Math.random() * 1e6)}`, ...overrides });
  gateway.trades.set(outTradeNo, fields);
  return fields;
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The form the merchant's site posts to POST /alipay/orders. */
export async function registrationForm(outTradeNo: string, totalAmount = '88.80', expire = Math.floor(Date.now() / 1000) + 1800, appId = TEST_APP_ID): Promise<string> {
  const sig = await hmacHex(TEST_ONLY_STATUS_SECRET_FOR_ORDERS, `order.${appId}.${outTradeNo}.${totalAmount}.${expire}`);
  return new URLSearchParams({ app_id: appId, out_trade_no: outTradeNo, total_amount: totalAmount, expire: String(expire), sig }).toString();
}

export async function register(outTradeNo: string, totalAmount = '88.80', expire?: number): Promise<Response> {
  const body = await registrationForm(outTradeNo, totalAmount, expire);
  return callWorker(new Request(REGISTER_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
}

export function newOrder(): { outTradeNo: string; orderKey: string } {
  const outTradeNo = uniqueId('R');
  return { outTradeNo, orderKey: `${TEST_APP_ID}:${outTradeNo}` };
}

/**
 * Time travel for queries: the schedule's own next query is due now (its origin moved back, so the
 * query counts as the scheduled one, not as one somebody hurried); then the alarm runs, and what it started
 * settles. The query may be made by the object's own alarm instead: one already under way (for its
 * index push, say) takes the schedule with it, leaving runDurableObjectAlarm nothing to run, and
 * comes back for the query right after. So this waits until the query made due here is over,
 * unless one claimed before it (an operator's, still out) holds the order.
 */
export async function runQueryNow(orderKey: string): Promise<LedgerSnapshot> {
  const stub = ledger(orderKey);
  const dueAt = await runInDurableObject(stub, (_instance, state) => {
    const now = Date.now();
    state.storage.sql.exec(`UPDATE reconcile SET next_query_at = ?, schedule_since = 0 WHERE state = 'asking'`, now);
    return now;
  });
  await runDurableObjectAlarm(stub);
  await vi.waitFor(
    async () => {
      const [query] = await runInDurableObject(stub, (_instance, state) =>
        state.storage.sql.exec<QueryRow>('SELECT state, next_query_at, lease_until, last_query_at FROM reconcile').toArray(),
      );
      if (query) {
        const claimedBefore = query.lease_until !== null && (query.last_query_at ?? 0) < dueAt;
        const owed = query.lease_until !== null || (query.state === 'asking' && query.next_query_at !== null && query.next_query_at <= dueAt);
        if (owed && !claimedBefore) throw new Error('the query made due is not over yet');
      }
      const s = await snapshot(orderKey);
      const busy = s.events.filter((e) => e.state === 'delivering' || (e.state === 'pending' && e.nextAttemptAt !== null && Date.parse(e.nextAttemptAt) <= Date.now()));
      if (busy.length > 0) throw new Error('deliveries still due');
    },
    { timeout: SETTLE_MS, interval: 20 },
  );
  return snapshot(orderKey);
}

interface QueryRow extends Record<string, SqlStorageValue> {
  state: string;
  next_query_at: number | null;
  lease_until: number | null;
  last_query_at: number | null;
}
