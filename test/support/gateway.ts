// The gateway tests' harness inside workerd (not a test file): post to the Worker, mock the
// origin, look into and drive an order's ledger. Playing Alipay is test/support/notifications.ts.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, vi } from 'vitest';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/types';
import type { GatewayEnv } from '../../src/env';
import worker from '../../src/index';
import type { OrderLedger } from '../../src/orders/ledger';
import type { LedgerSnapshot } from '../../src/orders/ledger-types';
import { indexNameFor } from '../../src/payments/index-name';
import type { IndexedPayment } from '../../src/payments/index-store';
import { paymentsIndex } from '../../src/payments/index-stub';
import type { PaymentsIndex } from '../../src/payments/payments-index';
import { TEST_ALERT_URL, TEST_ONLY_ADMIN_TOKEN, TEST_ORIGIN_URL } from '../fixtures/gateway-test-keys';
import { formValue, parseFormBody, withValues } from './form';
import { signedNotificationPairs } from './notifications';
import { SETTLE_MS } from './settle';

export const gatewayEnv = env as unknown as GatewayEnv;
export const NOTIFY_URL = 'https://gateway.test/alipay/notify';

/** The Config the Worker builds from the test bindings (vitest.config.ts). */
export async function gatewayConfig(): Promise<Config> {
  const loaded = await loadConfig(gatewayEnv);
  if (!loaded.ok) throw new Error(`test config has problems: ${JSON.stringify(loaded.problems)}`);
  return loaded.config;
}

/** Re-signs an existing body after replacing some (ASCII) values; other value bytes stay untouched. */
export function resign(body: Uint8Array, replace: Record<string, string>, key?: CryptoKey): Promise<Uint8Array> {
  return signedNotificationPairs(withValues(parseFormBody(body), replace), { key });
}

/** POSTs to the Worker; `overrides` change settings for this request only (the ledger keeps the test config). */
export function postNotify(body: Uint8Array | string, overrides: Record<string, unknown> = {}): Promise<Response> {
  const request = new Request(NOTIFY_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return callWorker(request, overrides);
}

export function callWorker(request: Request, overrides: Record<string, unknown> = {}): Promise<Response> {
  return worker.fetch(request as Parameters<typeof worker.fetch>[0], { ...gatewayEnv, ...overrides } as unknown as GatewayEnv);
}

export function adminRequest(path: string, init: RequestInit = {}, token: string | null = TEST_ONLY_ADMIN_TOKEN): Request {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return new Request(`https://gateway.test${path}`, { ...init, headers });
}

// ---- origin ----------------------------------------------------------------

export interface OriginCall {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Parsed from the forwarded body, so a test can pick out its own order's deliveries. */
  outTradeNo: string | null;
}

export type OriginResponder = (call: OriginCall, index: number, signal: AbortSignal | undefined) => Response | Promise<Response>;

export interface Origin {
  /** Every origin request since mockOrigin() was called (alarms of earlier tests' orders included). */
  readonly calls: OriginCall[];
  /** The requests for one order. */
  for(outTradeNo: string): OriginCall[];
}

// The spy stays installed for the whole file: an alarm left over from an earlier test must still
// hit a mock (default: 503), never the network. It is installed again if vi.restoreAllMocks() took it away.
let responder: OriginResponder = () => new Response('no origin mocked for this test', { status: 503 });
let recorded: OriginCall[] = [];
let installedSpy: typeof fetch | null = null;

/** One message the gateway sent to ALERT_URL. */
export interface AlertCall {
  url: string;
  headers: Record<string, string>;
  body: string;
}
export type AlertResponder = (call: AlertCall, index: number) => Response | Promise<Response>;
let alertResponder: AlertResponder = () => new Response(null, { status: 204 });
let alertCalls: AlertCall[] = [];
/** Alipay's OpenAPI gateway of the reconciliation tests (host alipay.test): unset answers 503. */
let alipayFetch: typeof fetch = async () => new Response('no Alipay gateway mocked for this test', { status: 503 });
const ALIPAY_TEST_HOST = 'alipay.test';

function installOriginSpy(): void {
  if (installedSpy !== null && globalThis.fetch === installedSpy) return;
  const realFetch = globalThis.fetch;
  installedSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).host === ALIPAY_TEST_HOST) return alipayFetch(input, init);
    if (new URL(request.url).host === new URL(TEST_ALERT_URL).host) {
      const call: AlertCall = { url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() };
      alertCalls.push(call);
      return alertResponder(call, alertCalls.length - 1);
    }
    if (new URL(request.url).host !== new URL(TEST_ORIGIN_URL).host) return realFetch(input, init);
    const body = new Uint8Array(await request.arrayBuffer());
    const call: OriginCall = { url: request.url, headers: Object.fromEntries(request.headers), body, outTradeNo: outTradeNoOf(body) };
    recorded.push(call);
    return responder(call, recorded.filter((c) => c.outTradeNo === call.outTradeNo).length - 1, init?.signal ?? undefined);
  });
}

/** From a JSON event or a form body (any charset: out_trade_no is ASCII). */
function outTradeNoOf(body: Uint8Array): string | null {
  try {
    return (JSON.parse(new TextDecoder().decode(body)) as { out_trade_no?: string }).out_trade_no ?? null;
  } catch {
    try {
      return formValue(parseFormBody(body), 'out_trade_no') ?? null;
    } catch {
      return null;
    }
  }
}

/**
 * Mocks the origin (every fetch to origin.test) for the current test. `index` passed to the
 * responder counts that order's requests, so per-order sequences are unaffected by other orders.
 */
export function mockOrigin(respond: OriginResponder = () => new Response('success')): Origin {
  installOriginSpy();
  responder = respond;
  const calls: OriginCall[] = [];
  recorded = calls;
  return { calls, for: (outTradeNo) => calls.filter((c) => c.outTradeNo === outTradeNo) };
}

/**
 * Plays the alert receiver (ALERT_URL of the tests) from now on: every message is recorded (the
 * list is fresh for each call) and answered by `respond` (default 204). Installed with the origin's spy,
 * so alerts of earlier tests never reach the network either.
 */
export function mockAlertReceiver(respond: AlertResponder = () => new Response(null, { status: 204 })): { readonly calls: AlertCall[] } {
  installOriginSpy();
  alertResponder = respond;
  const calls: AlertCall[] = [];
  alertCalls = calls;
  return { calls };
}

/** Plays Alipay's OpenAPI gateway (ALIPAY_GATEWAY_URL of the reconcile project) with `gatewayFetch` from now on. */
export function mockAlipay(gatewayFetch: typeof fetch): void {
  installOriginSpy();
  alipayFetch = gatewayFetch;
}

// ---- ledger ----------------------------------------------------------------

export function ledger(orderKey: string): DurableObjectStub<OrderLedger> {
  return gatewayEnv.ORDER_LEDGER.get(gatewayEnv.ORDER_LEDGER.idFromName(orderKey));
}

export function orderKeyOf(params: Record<string, string>): string {
  return `${params['app_id']}:${params['out_trade_no']}`;
}

export async function snapshot(orderKey: string): Promise<LedgerSnapshot> {
  const s = await ledger(orderKey).snapshot();
  expect(s, `ledger ${orderKey} is empty`).not.toBeNull();
  return s as LedgerSnapshot;
}

/** Waits until no event of the order is due now or in flight (the alarm set at "now" has run). */
export async function settled(orderKey: string): Promise<LedgerSnapshot> {
  await vi.waitFor(
    async () => {
      const s = await snapshot(orderKey);
      const busy = s.events.filter(
        (e) => e.state === 'delivering' || (e.state === 'pending' && e.nextAttemptAt !== null && Date.parse(e.nextAttemptAt) <= Date.now()),
      );
      expect(busy).toEqual([]);
    },
    { timeout: SETTLE_MS, interval: 10 },
  );
  return snapshot(orderKey);
}

/** Time travel for retries: makes every pending event due now, then runs the alarm. */
export async function runRetryNow(orderKey: string): Promise<LedgerSnapshot> {
  const stub = ledger(orderKey);
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(`UPDATE events SET next_attempt_at = ? WHERE state = 'pending'`, Date.now());
  });
  await runDurableObjectAlarm(stub);
  return settled(orderKey);
}

// ---- payments index ----------------------------------------------------------

/** The index object an order's row lives in (INDEX_SHARDS is 1 in the tests). */
export function indexOf(orderKey: string, firstSeenAt = Date.now()): DurableObjectStub<PaymentsIndex> {
  return paymentsIndex(gatewayEnv, indexNameFor(orderKey, firstSeenAt, 1));
}

/**
 * Env overrides under which no payments index object can be reached: every call fails on the
 * caller's side ("Network connection lost.", as when an object is overloaded or being reset).
 * Breaking a real index object instead would also make workerd print each call that fails inside
 * it as an uncaught exception: noise on every green run.
 */
export function unreachablePaymentsIndex(): Pick<GatewayEnv, 'PAYMENTS_INDEX'> {
  const unreachable = new Proxy(
    {},
    { get: (_target, name) => (name === 'then' ? undefined : () => Promise.reject(new Error('Network connection lost.'))) },
  );
  const namespace = { idFromName: (name: string) => gatewayEnv.PAYMENTS_INDEX.idFromName(name), get: () => unreachable };
  return { PAYMENTS_INDEX: namespace as unknown as GatewayEnv['PAYMENTS_INDEX'] };
}

/** The order's row in the index, or undefined while it is not there. */
export async function indexedRow(orderKey: string, firstSeenAt = Date.now()): Promise<IndexedPayment | undefined> {
  const rows = await indexOf(orderKey, firstSeenAt).page({ from: 0, to: Number.MAX_SAFE_INTEGER, statuses: null, deliveries: null, before: null, limit: 200 });
  return rows.find((r) => r.orderKey === orderKey);
}

/** Waits until the order's index row matches (the ledger pushes it from its alarm, which the pool runs by itself). */
export async function waitForIndexedRow(orderKey: string, expected: Partial<IndexedPayment>): Promise<IndexedPayment> {
  let found: IndexedPayment | undefined;
  await vi.waitFor(
    async () => {
      found = await indexedRow(orderKey);
      expect(found).toMatchObject(expected);
    },
    { timeout: SETTLE_MS, interval: 20 },
  );
  return found!;
}
