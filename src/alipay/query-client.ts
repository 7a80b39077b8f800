// Asking Alipay about one trade: build and sign the request, send it with a time limit, read at
// most MAX_RESPONSE_BYTES of the answer, and say what the verified answer means. `fetch` is
// injected (the Worker's, a test's, or the CLI's), so this stays pure.

import { boundedFetch } from '../utils/bounded-fetch';
import { buildQueryRequest, type TradeRef } from './query-request';
import { TRANSIENT, readQueryResponse, type QueryFailureReason, type QueryResult } from './query-response';
import { MAX_RESPONSE_BYTES } from './signed-response';
import type { AlipayPublicKey, SetupAdvice } from './types';

export interface QueryClientOptions {
  readonly gatewayUrl: string;
  readonly appId: string;
  /** The app private key (RSA2 signing key). */
  readonly privateKey: CryptoKey;
  readonly certificates?: { readonly appCertSn: string; readonly rootCertSn: string } | null;
  /** The Alipay public keys that verify answers. */
  readonly alipayKeys: readonly AlipayPublicKey[];
  readonly fetch?: typeof fetch;
  /** For the whole exchange, answer included. Default 10 s. */
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly now?: () => number;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

function failure(reason: QueryFailureReason, hint: string, advice?: SetupAdvice): QueryResult {
  return { ok: false, reason, hint, transient: TRANSIENT[reason], ...(advice ? { advice } : {}) };
}

const CHECK_GATEWAY: SetupAdvice = { kind: 'check-gateway-url' };

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
  const host = new URL(request.url).host;
  const got = await boundedFetch(request.url, { method: 'POST', headers: request.headers, body: request.body }, { timeoutMs, maxBytes, fetch: options.fetch });
  if (!got.ok && got.stage === 'request') {
    if (got.timedOut) return failure('timeout', `Alipay's gateway (${host}) did not answer within ${timeoutMs} ms.`);
    return failure('network-error', `Could not reach Alipay's gateway (${host}).`, CHECK_GATEWAY);
  }
  if (!got.ok) {
    if (got.timedOut) return failure('timeout', `Alipay's gateway (${host}) did not finish its answer within ${timeoutMs} ms.`);
    return failure('network-error', `The answer from ${host} broke off.`);
  }
  const { response } = got;
  if (response.status !== 200) {
    const redirect = response.status >= 300 && response.status < 400;
    return failure('http-status', `Alipay's gateway (${host}) answered HTTP ${response.status}${redirect ? ' (a redirect: is the gateway address right?)' : ''}.`, redirect ? CHECK_GATEWAY : undefined);
  }
  if (got.truncated) return failure('too-large', `The answer from ${host} is larger than ${maxBytes} bytes; a query answer is a few KiB.`);
  return readQueryResponse(got.bytes, options.alipayKeys, trade);
}
