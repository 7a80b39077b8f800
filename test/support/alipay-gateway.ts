// Plays Alipay's OpenAPI gateway inside the tests, as a `fetch` the query client is given: it checks
// the request's RSA2 signature with the app public key and answers `alipay.trade.query` signed with
// the Alipay key, the way Alipay does. Independent of src/ on purpose (its own sign content, base64
// and PEM; byte helpers from encoding.ts; Alipay's answer texts from cli/alipay-answers.ts, a leaf
// it shares with the local stand-in), so a mistake in the code under test cannot cancel out here.
// test/node/alipay-gateway-support.test.ts checks it against the official Node SDK.
//
// Answers are written as Alipay writes them, not as JSON.stringify would: slashes escaped as `\/`,
// Chinese as raw UTF-8, members in Alipay's order. A verifier that re-serialises fails on them.
import { alipayJson, invalidSignatureAnswer, tradeNotExistAnswer } from '../../cli/alipay-answers';
import { base64, fromBase64, utf8 } from './encoding';

export type GatewayAnswerMode = 'signed' | 'unsigned' | 'forged' | 'tampered' | 'html' | 'http-500' | 'hang' | 'huge';

export interface GatewayRequestSeen {
  readonly params: Record<string, string>;
  readonly signatureValid: boolean;
}

export interface FakeAlipayGateway {
  /** Give this to the query client. */
  readonly fetch: typeof fetch;
  /** Paid (or otherwise known) trades by out_trade_no: the fields of the `code` 10000 answer. */
  readonly trades: Map<string, Record<string, string>>;
  readonly requests: GatewayRequestSeen[];
  /** How the next answers are made. */
  mode: GatewayAnswerMode;
}

export interface FakeGatewayOptions {
  /** The app public key (base64 SPKI) the request signature is checked with. */
  readonly appPublicKey: string;
  /** The key Alipay signs with (PKCS#8 PEM). */
  readonly alipayPrivateKeyPem: string;
  /** Certificate mode: the answers carry this alipay_cert_sn. */
  readonly alipayCertSn?: string;
}

const RSA2 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** The DER inside a PEM block. */
export function pemBody(pem: string): Uint8Array<ArrayBuffer> {
  return fromBase64(pem.replace(/-----(BEGIN|END) [A-Z ]+-----|\s+/g, ''));
}

export function importSigningPem(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', pemBody(pem), RSA2, false, ['sign']);
}

/** The base64 SPKI of a PKCS#8 PEM private key, by WebCrypto alone (private JWK -> public JWK -> SPKI). */
export async function publicKeyOfPem(pem: string): Promise<string> {
  const key = await crypto.subtle.importKey('pkcs8', pemBody(pem), RSA2, true, ['sign']);
  const { n, e } = (await crypto.subtle.exportKey('jwk', key)) as JsonWebKey;
  const pub = await crypto.subtle.importKey('jwk', { kty: 'RSA', n, e, alg: 'RS256', ext: true }, RSA2, true, ['verify']);
  return base64(new Uint8Array((await crypto.subtle.exportKey('spki', pub)) as ArrayBuffer));
}

/** Alipay's request rule: every parameter but `sign`, empty values skipped, sorted by name, `k=v` joined with `&`. */
export function requestSignContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** `{"<name>":<value>,"sign":"…"}` with the sign over the value's exact text. */
export async function signedAnswer(name: string, valueText: string, key: CryptoKey, alipayCertSn?: string): Promise<string> {
  const sign = base64(new Uint8Array(await crypto.subtle.sign(RSA2, key, utf8(valueText))));
  return `{"${name}":${valueText}${alipayCertSn ? `,"alipay_cert_sn":"${alipayCertSn}"` : ''},"sign":"${sign}"}`;
}

/** The fields of a paid trade, as alipay.trade.query returns them. */
export function paidTradeFields(outTradeNo: string, totalAmount = '88.80', overrides: Record<string, string> = {}): Record<string, string> {
  return {
    buyer_logon_id: 'tes***@example.com',
    buyer_pay_amount: totalAmount,
    buyer_user_id: '2088102122524333',
    invoice_amount: totalAmount,
    out_trade_no: outTradeNo,
    point_amount: '0.00',
    receipt_amount: totalAmount,
    send_pay_date: '2026-05-14 10:21:07',
    // Written `西湖店\/1号柜台` in the answer: a verifier that re-serialises the JSON signs other bytes.
    store_name: '西湖店/1号柜台',
    total_amount: totalAmount,
    trade_no: '2026051422001400000000000001',
    trade_status: 'TRADE_SUCCESS',
    ...overrides,
  };
}

function parseParams(url: URL, body: string): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const source of [url.searchParams, new URLSearchParams(body)]) {
    for (const [key, value] of source) {
      if (key in params) return null;
      params[key] = value;
    }
  }
  return params;
}

export async function fakeAlipayGateway(options: FakeGatewayOptions): Promise<FakeAlipayGateway> {
  const appKey = await crypto.subtle.importKey('spki', fromBase64(options.appPublicKey), RSA2, false, ['verify']);
  const alipayKey = await importSigningPem(options.alipayPrivateKeyPem);
  const otherPair = (await crypto.subtle.generateKey({ ...RSA2, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, false, ['sign', 'verify'])) as CryptoKeyPair;

  const gateway: FakeAlipayGateway = {
    trades: new Map(),
    requests: [],
    mode: 'signed',
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const signal = init?.signal ?? null;
      if (gateway.mode === 'hang') {
        return new Promise<Response>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      }
      if (gateway.mode === 'http-500') return new Response('upstream error', { status: 500 });
      if (gateway.mode === 'html') return new Response('<html><body>502 Bad Gateway</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });
      if (gateway.mode === 'huge') return new Response(`{"alipay_trade_query_response":{"code":"10000","pad":"${'x'.repeat(200_000)}"}}`);

      const params = parseParams(new URL(request.url), new TextDecoder().decode(await request.arrayBuffer()));
      if (params === null) return new Response('duplicate parameter', { status: 400 });
      let signatureValid = false;
      try {
        signatureValid = await crypto.subtle.verify(RSA2, appKey, fromBase64(params.sign ?? ''), utf8(requestSignContent(params)));
      } catch {
        // not base64, or not a signature: invalid
      }
      gateway.requests.push({ params, signatureValid });

      let value: Record<string, unknown>;
      if (!signatureValid) {
        value = invalidSignatureAnswer();
      } else {
        const biz = JSON.parse(params.biz_content ?? '{}') as { out_trade_no?: string };
        const trade = biz.out_trade_no !== undefined ? gateway.trades.get(biz.out_trade_no) : undefined;
        value = trade
          ? { code: '10000', msg: 'Success', ...trade, fund_bill_list: [{ amount: trade.total_amount, fund_channel: 'ALIPAYACCOUNT' }] }
          : tradeNotExistAnswer(biz.out_trade_no ?? '');
      }
      const valueText = alipayJson(value);
      let text: string;
      switch (gateway.mode) {
        case 'unsigned':
          text = `{"alipay_trade_query_response":${valueText}}`;
          break;
        case 'forged':
          text = await signedAnswer('alipay_trade_query_response', valueText, otherPair.privateKey, options.alipayCertSn);
          break;
        case 'tampered':
          text = (await signedAnswer('alipay_trade_query_response', valueText, alipayKey, options.alipayCertSn)).replace(/"total_amount":"[^"]*"/, '"total_amount":"0.01"');
          break;
        default:
          text = await signedAnswer('alipay_trade_query_response', valueText, alipayKey, options.alipayCertSn);
      }
      return new Response(text, { status: 200, headers: { 'content-type': 'text/html;charset=utf-8' } });
    },
  };
  return gateway;
}
