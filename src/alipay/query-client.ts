// Asking Alipay about one trade: build and sign the request, send it with a time limit, read at
// most MAX_RESPONSE_BYTES of the answer, and say what the verified answer means. `fetch` is
// injected (the Worker's, a test's, or the CLI's), so this stays pure.

import { readUpTo } from '../utils/read-capped';
import { buildQueryRequest, type TradeRef } from './query-request';
import { TRANSIENT, readQueryResponse, type QueryFailureReason, type QueryResult } from './query-response';
import { MAX_RESPONSE_BYTES } from './signed-response';
import type { AlipayPublicKey } from './types';

export interface QueryClientOptions {
  readonly gatewayUrl: string;
  readonly appId: string;
  /** The app private key (RSA2 signing key). */
  readonly privateKey: CryptoKey;
  readonly certificates?: { readonly appCertSn: string; readonly rootCertSn: string } | null;
  /** The Alipay public keys that verify answers (ALIPAY_PUBLIC_KEY). */
  readonly alipayKeys: readonly AlipayPublicKey[];
  readonly fetch?: typeof fetch;
  /** For the whole exchange, answer included. Default 10 s. */
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly now?: () => number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

function failure(reason: QueryFailureReason, hint: string): QueryResult {
  return { ok: false, reason, hint, transient: TRANSIENT[reason] };
}

/** One `alipay.trade.query` round trip. Never throws: every way it can go wrong is a reason. */
export async function queryTrade(trade: TradeRef, options: QueryClientOptions): Promise<QueryResult> {
  const built = await buildQueryRequest({
    gatewayUrl: options.gatewayUrl,
    appId: options.appId,
    trade,
    privateKey: options.privateKey,
    certificates: options.certificates ?? null,
    now: (options.now ?? Date.now)(),
  });
  if (!built.ok) return failure(built.reason, built.hint);
  const { request } = built;
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const maxBytes = Math.min(options.maxResponseBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES);
  const doFetch = options.fetch ?? fetch;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const host = new URL(request.url).host;
  try {
    let response: Response;
    try {
      response = await doFetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: controller.signal, redirect: 'manual' });
    } catch {
      if (timedOut) return failure('timeout', `Alipay's gateway (${host}) did not answer within ${timeoutMs} ms.`);
      return failure('network-error', `Could not reach Alipay's gateway (${host}): check ALIPAY_GATEWAY_URL.`);
    }
    let read: { bytes: Uint8Array; truncated: boolean };
    try {
      read = await readUpTo(response.body, maxBytes);
    } catch {
      if (timedOut) return failure('timeout', `Alipay's gateway (${host}) did not finish its answer within ${timeoutMs} ms.`);
      return failure('network-error', `The answer from ${host} broke off.`);
    }
    if (response.status !== 200) {
      return failure('http-status', `Alipay's gateway (${host}) answered HTTP ${response.status}${response.status >= 300 && response.status < 400 ? ' (a redirect: is ALIPAY_GATEWAY_URL right?)' : ''}.`);
    }
    if (read.truncated) return failure('too-large', `The answer from ${host} is larger than ${maxBytes} bytes; a query answer is a few KiB.`);
    return await readQueryResponse(read.bytes, options.alipayKeys, trade);
  } finally {
    clearTimeout(timer);
  }
}
