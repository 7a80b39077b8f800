// A merchant origin for alipay-notify-edge, written in plain Node (no framework).
//
// The gateway POSTs each verified Alipay event here once, signed per Standard Webhooks:
//   webhook-id         stable per event: use it as your idempotency key
//   webhook-timestamp  this attempt, Unix seconds (refuse anything older than 5 minutes)
//   webhook-signature  "v1,<base64 HMAC-SHA256(key, id + '.' + timestamp + '.' + body)>",
//                      several entries separated by spaces while a secret is being rotated
// The body is the ORIGINAL Alipay form (FORWARD_FORMAT=form, charset in Content-Type) or a
// UTF-8 JSON event (FORWARD_FORMAT=json). Answer 2xx with the body `success` once the event is
// safely stored; anything else makes the gateway retry later.
//
// `startOrigin()` is reused by the dev launcher and the tests; `server.mjs` is the CLI wrapper.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { serveThankYou } from './thank-you.mjs';

const TOLERANCE_SECONDS = 5 * 60; // the same window the standardwebhooks library enforces
const DEFAULT_MAX_BODY_BYTES = 256 * 1024; // an Alipay notification is a few KiB
const DEFAULT_REMEMBERED_IDS = 10_000;
const WHSEC_PREFIX = 'whsec_';

/**
 * Starts the receiver. Resolves once it listens.
 * @param {import('./origin.d.mts').OriginOptions} options
 * @returns {Promise<import('./origin.d.mts').RunningOrigin>}
 */
export async function startOrigin(options) {
  const {
    port = 8788,
    host = '127.0.0.1',
    secret,
    onEvent,
    ackBody = 'success',
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    rememberIds = DEFAULT_REMEMBERED_IDS,
    log = (line) => console.log(line),
    logFormat = 'json',
    statusPage = null,
  } = options;
  const secrets = parseSecrets(secret);
  const format = logFormat === 'text' ? textLine : logLine;
  const writeLog = log ? (fields) => log(format(fields)) : () => {};

  // Idempotency store. An in-memory Map is fine for a demo; a real origin records the
  // webhook-id in its database, in the same transaction as the order update (see the ASP
  // examples), so a restart or a second server process cannot process an event twice.
  // The value is the handling promise, so a concurrent duplicate waits for the first one.
  /** @type {Map<string, Promise<void>>} */
  const handled = new Map();

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => reply(res, 500, 'internal-error'));
  });

  async function handleRequest(req, res) {
    if (req.method === 'GET') return answerBrowser(req, res, statusPage);
    if (req.method !== 'POST') return reply(res, 405, 'method-not-allowed', { allow: 'POST' });
    const body = await readBody(req, maxBodyBytes);
    if (body === null) return reply(res, 413, 'body-too-large');

    const verdict = verifyWebhook(body, req.headers, secrets);
    if (!verdict.ok) {
      writeLog({ outcome: 'rejected', reason: verdict.reason, status: verdict.status, webhook_id: headerValue(req.headers, 'webhook-id') ?? null });
      return reply(res, verdict.status, verdict.reason);
    }

    const event = describeEvent(body, req.headers);
    let handling = handled.get(event.id);
    const duplicate = handling !== undefined;
    if (handling === undefined) {
      handling = Promise.resolve().then(() => onEvent?.(event));
      handled.set(event.id, handling);
      forgetOldest(handled, rememberIds);
      // A failed handler must not be remembered: the gateway's retry has to run it again.
      handling.catch(() => handled.delete(event.id));
    }
    try {
      await handling;
    } catch {
      writeLog({ outcome: 'handler-failed', ...summary(event) });
      return reply(res, 500, 'handler-failed');
    }
    writeLog({ outcome: duplicate ? 'duplicate' : 'received', ...summary(event) });
    return reply(res, 200, ackBody);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    port: boundPort,
    host,
    url: `http://${urlHost}:${boundPort}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      }),
  };
}

/**
 * A browser's GET, e.g. of the delivery address `npm start` prints: `/` names the pages, `/thank-you`
 * is the sample page (with STATUS_SECRET), and any other address is where the gateway POSTs
 * (every path takes deliveries), so it says so instead of a bare 404.
 */
function answerBrowser(req, res, statusPage) {
  const { pathname } = new URL(req.url ?? '/', 'http://origin.invalid');
  const here = `http://${req.headers.host ?? 'this-server'}`;
  const thankYou = `${here}/thank-you?out_trade_no=<an order number>`;
  if (pathname === '/thank-you' && statusPage !== null) return serveThankYou(req, res, statusPage);
  if (pathname === '/') {
    return reply(res, 200, [
      'alipay-notify-edge demo origin: stands in for your receiving page.',
      '',
      `POST ${here}/<any path>  the gateway delivers each verified Alipay event here, signed (answers "success")`,
      statusPage !== null
        ? `GET  ${thankYou}  a sample thank-you page with the live payment status`
        : 'GET  /thank-you  a sample thank-you page: needs STATUS_SECRET (environment or .dev.vars)',
      '',
    ].join('\n'));
  }
  if (pathname === '/thank-you') return reply(res, 404, 'The thank-you page needs STATUS_SECRET (environment or .dev.vars); `npm start` sets it.\n');
  const instead = statusPage !== null ? `open the thank-you page at ${thankYou} instead` : `see ${here}/ for this server's pages`;
  return reply(res, 405, `Not a page: the gateway POSTs signed webhooks to this address. To look at something in a browser, ${instead}.\n`, { allow: 'POST' });
}

/**
 * Checks the Standard Webhooks headers against the exact body bytes.
 * @param {Buffer} body
 * @param {Record<string, string | string[] | undefined>} headers
 * @param {Array<{ webhook: Webhook, key: Buffer }>} secrets
 * @returns {{ ok: true } | { ok: false, status: number, reason: string }}
 */
export function verifyWebhook(body, headers, secrets) {
  const id = headerValue(headers, 'webhook-id');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  const signature = headerValue(headers, 'webhook-signature');
  if (!id || !timestamp || !signature) return { ok: false, status: 400, reason: 'missing-webhook-headers' };
  const signedHeaders = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };

  // The reference library takes the payload as a string (a Buffer is turned into a string with
  // buffer.toString(), i.e. decoded as UTF-8) and HMACs TextEncoder(string). That round trip is
  // exact only when the body is valid UTF-8: a JSON event, or a form body that is all
  // percent-encoded ASCII (what Alipay normally sends). A form forwarded with raw GBK bytes
  // would come back with U+FFFD in place of each invalid byte and never verify, and a latin1
  // string does not help either (TextEncoder re-encodes every byte >= 0x80 as two bytes).
  // So: the library for UTF-8 bodies, and for anything else the same HMAC computed over the raw
  // bytes with node:crypto.
  const text = strictUtf8(body);
  if (text !== null) return verifyWithLibrary(text, signedHeaders, secrets);
  return verifyRawBytes(body, signedHeaders, secrets);
}

function verifyWithLibrary(text, signedHeaders, secrets) {
  let reason = 'signature-mismatch';
  for (const { webhook } of secrets) {
    try {
      webhook.verify(text, signedHeaders, { jsonParse: false });
      return { ok: true };
    } catch (error) {
      reason = libraryReason(error);
      if (reason !== 'signature-mismatch') break; // a bad timestamp is bad for every secret
    }
  }
  return { ok: false, status: reason === 'bad-timestamp' ? 400 : 401, reason };
}

function verifyRawBytes(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, secrets) {
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, status: 400, reason: 'bad-timestamp' };
  const age = Math.floor(Date.now() / 1000) - Number(timestamp);
  if (age > TOLERANCE_SECONDS) return { ok: false, status: 401, reason: 'timestamp-too-old' };
  if (age < -TOLERANCE_SECONDS) return { ok: false, status: 401, reason: 'timestamp-too-new' };
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  const offered = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'utf8'));
  for (const { key } of secrets) {
    const expected = Buffer.from(createHmac('sha256', key).update(signed).digest('base64'), 'utf8');
    // Compare every offered entry (no early exit on a match) so timing says nothing useful.
    let match = false;
    for (const candidate of offered) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) match = true;
    }
    if (match) return { ok: true };
  }
  return { ok: false, status: 401, reason: 'signature-mismatch' };
}

function libraryReason(error) {
  const message = error instanceof Error ? error.message : '';
  if (message.includes('too old')) return 'timestamp-too-old';
  if (message.includes('too new')) return 'timestamp-too-new';
  if (message.includes('Invalid Signature Headers')) return 'bad-timestamp';
  return 'signature-mismatch';
}

/**
 * `whsec_<base64>` secrets, one string with several separated by spaces (rotation), or a list.
 * @param {string | string[]} secret
 */
export function parseSecrets(secret) {
  const list = (Array.isArray(secret) ? secret : String(secret ?? '').split(/\s+/)).filter(Boolean);
  if (list.length === 0) throw new Error('startOrigin: a forward secret (whsec_...) is required');
  return list.map((one, index) => {
    if (!one.startsWith(WHSEC_PREFIX)) throw new Error(`startOrigin: secret #${index + 1} does not start with whsec_`);
    const base64 = one.slice(WHSEC_PREFIX.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
      throw new Error(`startOrigin: secret #${index + 1} is not whsec_ followed by base64`);
    }
    return { webhook: new Webhook(one), key: Buffer.from(base64, 'base64') };
  });
}

/** What onEvent receives. Only `body` and `id` are covered by the signature's guarantees. */
function describeEvent(body, headers) {
  const contentType = headerValue(headers, 'content-type') ?? '';
  const charset = /charset=([^;\s]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  const format = /^application\/x-www-form-urlencoded/i.test(contentType)
    ? 'form'
    : /^application\/json/i.test(contentType)
      ? 'json'
      : 'other';
  return {
    id: headerValue(headers, 'webhook-id'),
    timestamp: Number(headerValue(headers, 'webhook-timestamp')),
    attempt: Number(headerValue(headers, 'x-delivery-attempt')) || null,
    kind: headerValue(headers, 'x-alipay-event-kind') ?? null,
    eventKey: headerValue(headers, 'x-alipay-event-key') ?? null,
    verifiedBy: headerValue(headers, 'x-alipay-verified-by') ?? null,
    contentType,
    charset,
    format,
    body,
    fields: format === 'form' ? decodeForm(body, charset) : null,
    json: format === 'json' ? parseJson(body) : null,
  };
}

/**
 * What a form notification means, from its SIGNED fields (event.kind is an unsigned header), the
 * way the gateway decides it (src/alipay/classify.ts); an empty value counts as absent:
 *   'paid'      credit the order: TRADE_FINISHED or WAIT_SELLER_SEND_GOODS whatever refund fields
 *               they carry (a cumulative refund_fee on TRADE_FINISHED is history), TRADE_SUCCESS
 *               without refund fields;
 *   'recorded'  known, nothing to credit: WAIT_BUYER_PAY, TRADE_CLOSED, TRADE_SUCCESS with a refund field;
 *   null        cannot be judged (no out_trade_no, an empty or unknown trade_status): never answer
 *               "success" to it (throw: the gateway retries, then lists it as a dead letter).
 * @param {Readonly<Record<string, string>> | null} fields
 * @returns {'paid' | 'recorded' | null}
 */
export function classifyNotification(fields) {
  if (!fields?.out_trade_no) return null;
  // refund_fee=0.00 appears on plain payments; a fee that is not an amount is still a refund field.
  const refund = Boolean(fields.gmt_refund || fields.out_biz_no || (fields.refund_fee && amountCents(fields.refund_fee) !== 0));
  switch (fields.trade_status) {
    case 'TRADE_FINISHED':
    case 'WAIT_SELLER_SEND_GOODS':
      return 'paid';
    case 'TRADE_SUCCESS':
      return refund ? 'recorded' : 'paid';
    case 'WAIT_BUYER_PAY':
    case 'TRADE_CLOSED':
      return 'recorded';
    default:
      return null;
  }
}

/**
 * Alipay's decimal yuan ("88", "88.8", "88.80") as integer cents, to compare with your own order's
 * amount; null for anything else (signs, exponents, spaces, a fraction of a cent).
 * @param {string | null | undefined} text
 * @returns {number | null}
 */
export function amountCents(text) {
  const match = /^(\d{1,15})(?:\.(\d{1,15}))?$/.exec(text ?? '');
  if (match === null) return null;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return null;
  const cents = Number(match[1]) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}

/**
 * Alipay's own rule: split the BYTES on '&' and the first '=', percent-decode to bytes, then
 * decode with the signed charset (so a '%26' inside a value stays inside that value).
 */
function decodeForm(body, charset) {
  let decoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  /** @type {Record<string, string>} */
  const fields = {};
  for (const part of splitBytes(body, 0x26)) {
    if (part.length === 0) continue;
    const eq = part.indexOf(0x3d);
    const key = eq === -1 ? part : part.subarray(0, eq);
    const value = eq === -1 ? Buffer.alloc(0) : part.subarray(eq + 1);
    fields[decoder.decode(percentDecode(key))] = decoder.decode(percentDecode(value));
  }
  return fields;
}

function splitBytes(bytes, separator) {
  const parts = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === separator) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

function percentDecode(bytes) {
  const out = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    const hex = byte === 0x25 && i + 2 < bytes.length ? String.fromCharCode(bytes[i + 1], bytes[i + 2]) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(byte === 0x2b ? 0x20 : byte);
    }
  }
  return Buffer.from(out);
}

function parseJson(body) {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

/** Fields worth a log line. Never the body, never buyer identity. */
function summary(event) {
  const source = event.fields ?? event.json ?? {};
  return {
    webhook_id: event.id,
    kind: event.kind,
    attempt: event.attempt,
    out_trade_no: pick(source, 'out_trade_no'),
    trade_status: pick(source, 'trade_status'),
    total_amount: pick(source, 'total_amount') ?? pick(source, 'total_fee'),
    refund_fee: pick(source, 'refund_fee'),
  };
}

function pick(source, key) {
  if (source === null || typeof source !== 'object') return null;
  const value = source[key] ?? source.params?.[key];
  return typeof value === 'string' ? value : null;
}

function logLine(fields) {
  return JSON.stringify({ at: new Date().toISOString(), origin: 'node-origin-example', ...fields });
}

/** What each outcome did, in the words of the line a person reads. */
const DONE = {
  received: 'new: handled, answered "success"',
  duplicate: 'duplicate of an event already handled: not handled again, answered "success"',
  'handler-failed': 'the handler failed: answered 500, the gateway will retry',
};

/**
 * The same record as one line for a person (`logFormat: 'text'`), one shape for every outcome:
 *   received   paid  order SIM-1  TRADE_SUCCESS  1.00 CNY  (webhook-id msg_…, attempt 1): new: handled, answered "success"
 */
export function textLine(fields) {
  const outcome = fields.outcome.padEnd(14);
  if (fields.outcome === 'rejected') {
    return `${outcome} ${fields.reason}  (webhook-id ${fields.webhook_id ?? 'missing'}): answered ${fields.status}, not handled`;
  }
  const what = [
    fields.kind ?? 'event',
    fields.out_trade_no ? `order ${fields.out_trade_no}` : null,
    fields.trade_status,
    fields.total_amount ? `${fields.total_amount} CNY` : null,
    fields.refund_fee ? `refund ${fields.refund_fee}` : null,
  ].filter(Boolean);
  const attempt = fields.attempt ? `, attempt ${fields.attempt}` : '';
  return `${outcome} ${what.join('  ')}  (webhook-id ${fields.webhook_id}${attempt}): ${DONE[fields.outcome]}`;
}

function strictUtf8(bytes) {
  try {
    // ignoreBOM keeps a leading BOM in the string, so string -> UTF-8 gives back the same bytes.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function headerValue(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forgetOldest(map, limit) {
  while (map.size > limit) map.delete(map.keys().next().value);
}

function reply(res, status, text, extraHeaders = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extraHeaders });
  res.end(text);
}
