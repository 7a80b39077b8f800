// A local stand-in for Alipay's OpenAPI gateway, for `npm start` and the tests: it checks each
// request's RSA2 signature with the app public key (as Alipay checks it with the uploaded 应用公钥),
// answers `alipay.trade.query` for the trades it was told about, and signs its answers with the
// development Alipay key, in Alipay's text layout (slashes written `\/`). It can be told to answer
// unsigned, forged, tampered or not at all, to show that such answers change nothing.
//
// Control API (loopback only, JSON):
//   POST   /_standin/trades         {out_trade_no, total_amount?, trade_status?, trade_no?}  a trade Alipay knows (paid by default)
//   GET    /_standin/trades         every known trade
//   DELETE /_standin/trades/:no     forget one
//   PUT    /_standin/mode           {mode}: normal | unsigned | forged | tampered | unavailable | http-error
//   GET    /_standin/requests       the queries received (newest last), with whether their signature checked out

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSignContent } from '../src/alipay/content';
import { formatBeijingTime } from '../src/alipay/beijing-time';
import { importVerifyKey, loadPublicKeys } from '../src/alipay/keys';
import { loadPrivateKey } from '../src/alipay/private-key';
import { parseForm } from '../src/alipay/parse';
import { QUERY_METHOD } from '../src/alipay/query-request';
import type { AlipayPublicKey, FormPair } from '../src/alipay/types';
import { parseAmountCents } from '../src/alipay/amount';
import { base64Decode, base64Encode } from '../src/utils/base64';
import { latin1Decode, utf8Encode } from '../src/utils/bytes';
import { alipayJson, invalidSignatureAnswer, tradeNotExistAnswer } from './alipay-answers';

export type StandInMode = 'normal' | 'unsigned' | 'forged' | 'tampered' | 'unavailable' | 'http-error';
export const STAND_IN_MODES: readonly StandInMode[] = ['normal', 'unsigned', 'forged', 'tampered', 'unavailable', 'http-error'];

const TRADE_STATUSES = ['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_SUCCESS', 'TRADE_FINISHED'] as const;
type StandInTradeStatus = (typeof TRADE_STATUSES)[number];

export interface StandInTrade {
  out_trade_no: string;
  trade_no: string;
  trade_status: StandInTradeStatus;
  total_amount: string;
  send_pay_date: string;
}

export interface StandInRequest {
  at: string;
  method: string | null;
  app_id: string | null;
  out_trade_no: string | null;
  signatureValid: boolean;
  /** `code` of the answer, or the HTTP failure. */
  answered: string;
}

export interface StandInOptions {
  /** App public key(s) (base64 SPKI or PEM): what request signatures are checked with. */
  readonly appPublicKey: string;
  /** The key the stand-in signs as Alipay (PEM or base64 PKCS#8/PKCS#1). */
  readonly alipayPrivateKey: string;
  /** Accepted app_id values; empty accepts any. */
  readonly appIds?: readonly string[];
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Called after each OpenAPI request (the `standin` command prints a line). */
  readonly onRequest?: (request: StandInRequest) => void;
}

export interface AlipayStandIn {
  /** The gateway URL: ALIPAY_GATEWAY_URL of a gateway that should ask this stand-in. */
  readonly gatewayUrl: string;
  /** http://host:port, where /_standin/ lives. */
  readonly baseUrl: string;
  readonly trades: Map<string, StandInTrade>;
  readonly requests: StandInRequest[];
  mode: StandInMode;
  close(): Promise<void>;
}

export type StandInStart = { ok: true; standIn: AlipayStandIn } | { ok: false; message: string };

const MAX_REQUEST_BYTES = 64 * 1024;
const MAX_TRADES = 10_000;
const MAX_REQUESTS_KEPT = 1_000;
const RSA2 = { name: 'RSASSA-PKCS1-v1_5' } as const;

export async function startAlipayStandIn(options: StandInOptions): Promise<StandInStart> {
  const appKeys = await loadPublicKeys(options.appPublicKey);
  if (!appKeys.ok) return { ok: false, message: `app public key: ${appKeys.problems.join('; ')}` };
  const alipayKey = await loadPrivateKey(options.alipayPrivateKey, { want: 'the stand-in signs as Alipay with the development Alipay private key (dev-keys/alipay-dev-private.pem)' });
  if (!alipayKey.ok) return { ok: false, message: `Alipay private key: ${alipayKey.problem}` };
  const forger = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )) as CryptoKeyPair;

  const state = {
    trades: new Map<string, StandInTrade>(),
    requests: [] as StandInRequest[],
    mode: 'normal' as StandInMode,
  };
  const signWith = async (key: CryptoKey, text: string) => base64Encode(new Uint8Array(await crypto.subtle.sign(RSA2, key, utf8Encode(text))));
  const context: Context = { options, appKeys: appKeys.keys, alipaySigningKey: alipayKey.key.signingKey, forgerKey: forger.privateKey, state, signWith };

  const server = createServer((req, res) => {
    handle(context, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('stand-in error');
    });
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    return { ok: false, message: `cannot listen on ${host}:${options.port ?? 0} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const standIn: AlipayStandIn = {
    gatewayUrl: `${baseUrl}/gateway.do`,
    baseUrl,
    trades: state.trades,
    requests: state.requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: StandInMode) {
      state.mode = mode;
    },
    close: () => closeServer(server),
  };
  return { ok: true, standIn };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

interface Context {
  options: StandInOptions;
  appKeys: AlipayPublicKey[];
  alipaySigningKey: CryptoKey;
  forgerKey: CryptoKey;
  state: { trades: Map<string, StandInTrade>; requests: StandInRequest[]; mode: StandInMode };
  signWith: (key: CryptoKey, text: string) => Promise<string>;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

async function handle(context: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const body = await readBody(req);
  if (body === null) return sendJson(res, 413, { error: `more than ${MAX_REQUEST_BYTES} bytes` });
  if (url.pathname === '/gateway.do') {
    if (req.method !== 'POST' && req.method !== 'GET') return sendJson(res, 405, { error: 'POST or GET' });
    return openApi(context, url, body, res);
  }
  if (url.pathname.startsWith('/_standin/')) return control(context, req.method ?? 'GET', url.pathname.slice('/_standin/'.length), body, res);
  return sendJson(res, 404, { error: 'not found: the gateway is /gateway.do, the control API /_standin/…' });
}

// ---- the control API ----------------------------------------------------------------

function control(context: Context, method: string, path: string, body: Uint8Array, res: ServerResponse): void {
  const { state } = context;
  if (path === 'trades' && method === 'GET') return sendJson(res, 200, [...state.trades.values()]);
  if (path === 'trades' && method === 'POST') {
    const trade = tradeFrom(body);
    if (typeof trade === 'string') return sendJson(res, 400, { error: trade });
    if (!state.trades.has(trade.out_trade_no) && state.trades.size >= MAX_TRADES) return sendJson(res, 507, { error: `at most ${MAX_TRADES} trades` });
    state.trades.set(trade.out_trade_no, trade);
    return sendJson(res, 201, trade);
  }
  if (path.startsWith('trades/') && method === 'DELETE') {
    const existed = state.trades.delete(decodeURIComponent(path.slice('trades/'.length)));
    return sendJson(res, existed ? 200 : 404, { deleted: existed });
  }
  if (path === 'mode' && (method === 'PUT' || method === 'POST')) {
    const mode = jsonOf(body)?.mode;
    if (typeof mode !== 'string' || !(STAND_IN_MODES as readonly string[]).includes(mode)) {
      return sendJson(res, 400, { error: `mode must be one of ${STAND_IN_MODES.join(', ')}` });
    }
    state.mode = mode as StandInMode;
    return sendJson(res, 200, { mode });
  }
  if (path === 'mode' && method === 'GET') return sendJson(res, 200, { mode: state.mode });
  if (path === 'requests' && method === 'GET') return sendJson(res, 200, state.requests);
  return sendJson(res, 404, { error: 'unknown control route' });
}

function jsonOf(body: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

let tradeCounter = 0;

function tradeFrom(body: Uint8Array): StandInTrade | string {
  const input = jsonOf(body);
  if (input === null) return 'a JSON object: {"out_trade_no":"…","total_amount":"1.00"}';
  const outTradeNo = input.out_trade_no;
  if (typeof outTradeNo !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(outTradeNo)) return 'out_trade_no: 1 to 64 printable ASCII characters';
  const totalAmount = input.total_amount ?? '1.00';
  if (typeof totalAmount !== 'string' || parseAmountCents(totalAmount) === null) return 'total_amount: an amount such as 88.80';
  const status = input.trade_status ?? 'TRADE_SUCCESS';
  if (typeof status !== 'string' || !(TRADE_STATUSES as readonly string[]).includes(status)) return `trade_status: one of ${TRADE_STATUSES.join(', ')}`;
  const tradeNo = input.trade_no ?? `${formatBeijingTime(Date.now()).replace(/\D/g, '').slice(0, 8)}2200${String(++tradeCounter).padStart(8, '0')}${String(Date.now() % 1e8).padStart(8, '0')}`;
  if (typeof tradeNo !== 'string' || !/^\d{1,64}$/.test(tradeNo)) return 'trade_no: digits';
  return { out_trade_no: outTradeNo, trade_no: tradeNo, trade_status: status as StandInTradeStatus, total_amount: totalAmount, send_pay_date: formatBeijingTime(Date.now()) };
}

// ---- the OpenAPI gateway ------------------------------------------------------------

function pairsOf(url: URL, body: Uint8Array): FormPair[] | null {
  const fromQuery = parseForm(utf8Encode(url.search.slice(1)));
  const fromBody = body.length > 0 ? parseForm(body) : { ok: true as const, pairs: [] };
  if (!fromQuery.ok || !fromBody.ok) return null;
  const pairs = [...fromQuery.pairs, ...fromBody.pairs];
  return new Set(pairs.map((p) => p.key)).size === pairs.length ? pairs : null;
}

async function openApi(context: Context, url: URL, body: Uint8Array, res: ServerResponse): Promise<void> {
  const { state } = context;
  const pairs = pairsOf(url, body);
  const param = (key: string) => {
    const p = pairs?.find((x) => x.key === key);
    return p ? new TextDecoder().decode(p.value) : null;
  };
  const method = param('method');
  const record: StandInRequest = {
    at: new Date().toISOString(),
    method,
    app_id: param('app_id'),
    out_trade_no: outTradeNoOf(param('biz_content')),
    signatureValid: pairs !== null && (await signatureValid(context.appKeys, pairs, param('sign'))),
    answered: '',
  };
  const done = (answered: string) => {
    record.answered = answered;
    state.requests.push(record);
    if (state.requests.length > MAX_REQUESTS_KEPT) state.requests.shift();
    context.options.onRequest?.(record);
  };

  if (state.mode === 'http-error') {
    done('HTTP 502');
    res.writeHead(502, { 'content-type': 'text/html' });
    return void res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  }

  const responseName = method && /^[a-z]+(\.[a-z]+)+$/.test(method) ? `${method.replace(/\./g, '_')}_response` : 'error_response';
  let value: Record<string, unknown>;
  if (pairs === null) {
    value = { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: '参数无效 (duplicate or malformed parameters)' };
  } else if (!record.signatureValid) {
    value = invalidSignatureAnswer(`，网关生成的验签字符串为：${latin1Decode(buildSignContent(pairs, 'v2'))}`);
  } else if (param('sign_type') !== 'RSA2') {
    value = { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature-type', sub_msg: '无效签名类型' };
  } else if ((context.options.appIds ?? []).length > 0 && !context.options.appIds!.includes(record.app_id ?? '')) {
    value = { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-app-id', sub_msg: '无效的AppID参数' };
  } else if (method !== QUERY_METHOD) {
    value = { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名 (the stand-in answers alipay.trade.query only)' };
  } else if (state.mode === 'unavailable') {
    value = { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error', sub_msg: '系统繁忙' };
  } else {
    const trade = record.out_trade_no !== null ? state.trades.get(record.out_trade_no) : undefined;
    value = trade ? tradeAnswer(trade) : tradeNotExistAnswer(record.out_trade_no ?? '');
  }
  const valueText = alipayJson(value);
  let text: string;
  if (state.mode === 'unsigned') {
    text = `{"${responseName}":${valueText}}`;
  } else {
    const sign = await context.signWith(state.mode === 'forged' ? context.forgerKey : context.alipaySigningKey, valueText);
    text = `{"${responseName}":${valueText},"sign":"${sign}"}`;
    if (state.mode === 'tampered') text = text.replace(/"total_amount":"[^"]*"/, '"total_amount":"0.01"').replace(/"trade_status":"[^"]*"/, '"trade_status":"TRADE_SUCCESS"');
  }
  done(String(value.code));
  res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
  res.end(text);
}

function outTradeNoOf(bizContent: string | null): string | null {
  if (bizContent === null) return null;
  try {
    const biz = JSON.parse(bizContent) as { out_trade_no?: unknown };
    return typeof biz.out_trade_no === 'string' ? biz.out_trade_no : null;
  } catch {
    return null;
  }
}

async function signatureValid(keys: AlipayPublicKey[], pairs: FormPair[], sign: string | null): Promise<boolean> {
  const signature = sign === null ? null : base64Decode(sign);
  if (signature === null || signature.length === 0) return false;
  const content = buildSignContent(pairs, 'v2');
  for (const key of keys) {
    try {
      if (await crypto.subtle.verify(RSA2, await importVerifyKey(key, 'SHA-256'), signature, content)) return true;
    } catch {
      // another key may fit
    }
  }
  return false;
}

function tradeAnswer(trade: StandInTrade): Record<string, unknown> {
  const paid = trade.trade_status === 'TRADE_SUCCESS' || trade.trade_status === 'TRADE_FINISHED';
  return {
    code: '10000',
    msg: 'Success',
    buyer_logon_id: 'sta***@example.com',
    buyer_pay_amount: paid ? trade.total_amount : '0.00',
    buyer_user_id: '2088000000000009',
    invoice_amount: paid ? trade.total_amount : '0.00',
    out_trade_no: trade.out_trade_no,
    point_amount: '0.00',
    receipt_amount: paid ? trade.total_amount : '0.00',
    ...(paid ? { send_pay_date: trade.send_pay_date, fund_bill_list: [{ amount: trade.total_amount, fund_channel: 'ALIPAYACCOUNT' }] } : {}),
    total_amount: trade.total_amount,
    trade_no: trade.trade_no,
    trade_status: trade.trade_status,
  };
}

// ---- a client for the control API (tests, and `simulate` talking to the stand-in) ----------

export interface StandInClient {
  registerTrade(trade: { out_trade_no: string; total_amount?: string; trade_status?: StandInTradeStatus; trade_no?: string }): Promise<StandInTrade>;
  setMode(mode: StandInMode): Promise<void>;
  requests(): Promise<StandInRequest[]>;
}

export function standInClient(baseUrl: string, timeoutMs = 5_000): StandInClient {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${baseUrl}/_standin/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const value: unknown = await response.json();
    if (!response.ok) throw new Error(`stand-in ${method} ${path}: ${(value as { error?: string }).error ?? response.status}`);
    return value;
  };
  return {
    registerTrade: async (trade) => (await call('POST', 'trades', trade)) as StandInTrade,
    setMode: async (mode) => void (await call('PUT', 'mode', { mode })),
    requests: async () => (await call('GET', 'requests')) as StandInRequest[],
  };
}
