// The signed `alipay.trade.query` request (ALIPAY.md "Asking Alipay"). As the official SDKs send
// it: the common parameters (and `sign`) in the gateway URL's query string, `biz_content` in the
// form body. `sign` is RSA2 with the app private key over the sorted `key=value` content of every
// parameter but `sign`, empty values skipped and, unlike notifications, `sign_type` included.

import { base64Encode } from '../utils/base64';
import { latin1Decode, utf8Encode } from '../utils/bytes';
import { formatBeijingTime } from './beijing-time';
import { buildSignContent } from './content';
import { encodeForm } from './parse';
import type { FormPair } from './types';

export const QUERY_METHOD = 'alipay.trade.query';

/** Which trade to ask about: the merchant's order number, or Alipay's trade number. */
export type TradeRef = { readonly outTradeNo: string } | { readonly tradeNo: string };

export interface QueryRequestInput {
  readonly gatewayUrl: string;
  readonly appId: string;
  readonly trade: TradeRef;
  /** RSASSA-PKCS1-v1_5 SHA-256 signing key: the app private key. */
  readonly privateKey: CryptoKey;
  /** Certificate mode: the app certificate's SN and the root bundle's SN. */
  readonly certificates?: { readonly appCertSn: string; readonly rootCertSn: string } | null;
  /** Epoch ms; the request's `timestamp` (Beijing time). */
  readonly now: number;
}

export interface SignedQueryRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Every parameter, `sign` included (for logs of what was asked: nothing in it is secret). */
  readonly params: Readonly<Record<string, string>>;
}

export type QueryRequestResult = { ok: true; request: SignedQueryRequest } | { ok: false; reason: 'invalid-trade-ref'; hint: string };

// Alipay's out_trade_no is at most 64 characters (letters, digits and "_" by its rules; some sites
// use other printable ASCII); trade_no is digits. Anything else never names a real trade.
const OUT_TRADE_NO = /^[\x21-\x7e]{1,64}$/;
const TRADE_NO = /^\d{1,64}$/;

/** Order numbers come from notifications and merchants; a broken one is refused before anything is signed. */
export function checkTradeRef(trade: TradeRef): { ok: true } | { ok: false; hint: string } {
  if ('outTradeNo' in trade) {
    return OUT_TRADE_NO.test(trade.outTradeNo) ? { ok: true } : { ok: false, hint: 'out_trade_no must be 1 to 64 printable ASCII characters without spaces' };
  }
  return TRADE_NO.test(trade.tradeNo) ? { ok: true } : { ok: false, hint: 'trade_no must be Alipay\'s trade number: digits only' };
}

export async function buildQueryRequest(input: QueryRequestInput): Promise<QueryRequestResult> {
  const checked = checkTradeRef(input.trade);
  if (!checked.ok) return { ok: false, reason: 'invalid-trade-ref', hint: checked.hint };
  const bizContent = JSON.stringify('outTradeNo' in input.trade ? { out_trade_no: input.trade.outTradeNo } : { trade_no: input.trade.tradeNo });
  const common: Record<string, string> = {
    app_id: input.appId,
    method: QUERY_METHOD,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: formatBeijingTime(input.now),
    version: '1.0',
    ...(input.certificates ? { app_cert_sn: input.certificates.appCertSn, alipay_root_cert_sn: input.certificates.rootCertSn } : {}),
  };
  const pairs: FormPair[] = Object.entries({ ...common, biz_content: bizContent }).map(([key, value]) => ({ key, value: utf8Encode(value) }));
  // The v2 rule is exactly the request rule: sorted, `sign` excluded, empty values skipped, `sign_type` kept.
  const content = buildSignContent(pairs, 'v2');
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', input.privateKey, content));
  const sign = base64Encode(signature);

  const url = new URL(input.gatewayUrl);
  const query = latin1Decode(encodeForm({ ...common, sign }));
  url.search = url.search ? `${url.search.slice(1)}&${query}` : query;
  return {
    ok: true,
    request: {
      url: url.href,
      body: latin1Decode(encodeForm({ biz_content: bizContent })),
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
      params: { ...common, biz_content: bizContent, sign },
    },
  };
}
