// TEST-ONLY origin for the end-to-end suite and bench/e2e.ts: a separate Node process that plays
// the merchant's server. examples/node-origin/server.mjs always answers `success` and dedupes
// in memory, so it can neither fail on demand nor show how many times an event arrived; this
// one can. It checks Standard Webhooks with node:crypto only (independent of the gateway's code
// and of the standardwebhooks package, which the tests use as a second, reference check), and
// records EVERY request so "exactly once" is counted at the origin, not inferred. The example
// itself is run against the real worker by test/e2e/example-origin.test.ts.
//
// Environment: FORWARD_SECRET (whsec_..., space-separated for rotation; required),
// PORT (default 0 = any free port), HOST (default 127.0.0.1), ACK_BODY (default `success`).
// On start it prints one line: {"ready":true,"port":N}.
//
// Routes (everything else under /__e2e/ is 404):
//   POST <any other path>                  a delivery: 401 if the signature is bad; else what a
//                                          plan for its out_trade_no (or `*`) says while it has
//                                          turns left; else 500 with the flaky probability;
//                                          otherwise 200 ACK_BODY
//   POST /__e2e/fail?order=X&times=N       the next N verified deliveries for order X fail (X=* any order)
//   POST /__e2e/plan?order=X&times=N&mode=M[&ms=T]   the same with a mode: `fail` (500), `drop`
//                                          (the connection is destroyed unanswered: an origin that
//                                          is down), `hold` (answered ACK_BODY after T ms: a slow
//                                          origin; recorded `accepted` on arrival, since a real
//                                          page has done its work by then even if nobody reads
//                                          its answer)
//   POST /__e2e/flaky?percent=P[&seed=S]   from now on, each verified delivery without a plan fails (500) with
//                                          probability P % (drawn from a generator seeded with S when given,
//                                          so the n-th such delivery fails or not the same way every run)
//   GET  /__e2e/deliveries?order=X         every request recorded for order X (all without order=), bodies in base64
//   GET  /__e2e/stats                      counts over everything (for the bench)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { seededRandom } from '../support/seeded-random.mjs';

const TOLERANCE_SECONDS = 5 * 60;
const MAX_BODY_BYTES = 1024 * 1024;
// Enough for a bench run; past it only the counters move (memory stays bounded).
const MAX_RECORDS = 200_000;

const secrets = parseSecrets(process.env.FORWARD_SECRET ?? '');
const ackBody = process.env.ACK_BODY ?? 'success';

/** @type {Array<Record<string, unknown>>} */
const records = [];
/** @type {Map<string, { times: number, mode: 'fail' | 'drop' | 'hold', ms: number }>} order (or `*`) -> what its next deliveries get */
const plans = new Map();
let flakyPercent = 0;
let draw = Math.random;
const stats = { requests: 0, accepted: 0, failed: 0, dropped: 0, rejected: 0, acceptedIds: new Map() };

const server = createServer((req, res) => {
  handle(req, res).catch((error) => reply(res, 500, `origin-error: ${error instanceof Error ? error.message : String(error)}`));
});

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://origin.invalid');
  if (url.pathname.startsWith('/__e2e/')) return control(req, res, url);
  if (req.method !== 'POST') return reply(res, 405, 'method-not-allowed');

  const body = await readBody(req);
  if (body === null) return reply(res, 413, 'body-too-large');
  stats.requests += 1;
  const header = (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? null);
  };
  const webhookId = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signature = header('webhook-signature');
  const order = orderOf(body, header('content-type') ?? '');
  const verdict = verify(body, webhookId, timestamp, signature);

  let outcome;
  let status;
  let plan = null;
  if (!verdict.ok) {
    outcome = `rejected:${verdict.reason}`;
    status = 401;
    stats.rejected += 1;
  } else if ((plan = takePlan(order)) !== null && plan.mode !== 'hold') {
    outcome = plan.mode === 'drop' ? 'dropped-on-purpose' : 'failed-on-purpose';
    status = plan.mode === 'drop' ? 0 : 500;
    stats[plan.mode === 'drop' ? 'dropped' : 'failed'] += 1;
  } else if (plan === null && flakyPercent > 0 && draw() * 100 < flakyPercent) {
    outcome = 'failed-at-random';
    status = 500;
    stats.failed += 1;
  } else {
    outcome = 'accepted';
    status = 200;
    stats.accepted += 1;
    stats.acceptedIds.set(webhookId, (stats.acceptedIds.get(webhookId) ?? 0) + 1);
  }
  if (records.length < MAX_RECORDS) {
    records.push({
      seq: stats.requests,
      receivedAt: new Date().toISOString(),
      path: url.pathname,
      order,
      outcome,
      status,
      webhookId,
      webhookTimestamp: timestamp,
      webhookSignature: signature,
      attemptHeader: header('x-delivery-attempt'),
      eventKind: header('x-alipay-event-kind'),
      eventSource: header('x-alipay-event-source'),
      contentType: header('content-type'),
      bodyBase64: body.toString('base64'),
    });
  }
  if (status === 0) return void req.socket.destroy();
  if (plan?.mode === 'hold') await new Promise((resolve) => setTimeout(resolve, plan.ms));
  return reply(res, status, status === 200 ? ackBody : outcome);
}

function control(req, res, url) {
  if (req.method === 'POST' && (url.pathname === '/__e2e/fail' || url.pathname === '/__e2e/plan')) {
    const order = url.searchParams.get('order');
    const times = Number(url.searchParams.get('times'));
    const mode = url.pathname === '/__e2e/fail' ? 'fail' : url.searchParams.get('mode');
    const ms = Number(url.searchParams.get('ms') ?? 0);
    if (!order || !Number.isInteger(times) || times < 0) return reply(res, 400, 'need order and times');
    if (!['fail', 'drop', 'hold'].includes(mode) || !Number.isInteger(ms) || ms < 0) return reply(res, 400, 'mode is fail, drop or hold; ms a whole number');
    plans.set(order, { times, mode, ms });
    return json(res, { ok: true, order, times, mode, ms });
  }
  if (req.method === 'POST' && url.pathname === '/__e2e/flaky') {
    const percent = Number(url.searchParams.get('percent'));
    if (!(percent >= 0 && percent <= 100)) return reply(res, 400, 'percent is 0..100');
    const seed = url.searchParams.get('seed');
    if (seed !== null && !/^\d{1,9}$/.test(seed)) return reply(res, 400, 'seed is a whole number');
    flakyPercent = percent;
    draw = seed === null ? Math.random : seededRandom(Number(seed));
    return json(res, { ok: true, percent, seed });
  }
  if (req.method === 'GET' && url.pathname === '/__e2e/deliveries') {
    const order = url.searchParams.get('order');
    return json(res, { deliveries: order === null ? records : records.filter((r) => r.order === order) });
  }
  if (req.method === 'GET' && url.pathname === '/__e2e/stats') {
    let idsAcceptedMoreThanOnce = 0;
    for (const count of stats.acceptedIds.values()) if (count > 1) idsAcceptedMoreThanOnce += 1;
    const { acceptedIds, ...counts } = stats;
    return json(res, { ...counts, distinctAcceptedIds: acceptedIds.size, idsAcceptedMoreThanOnce });
  }
  return reply(res, 404, 'not-found');
}

/** The plan for this delivery (one turn of it), the order's own before `*`; null when none has turns left. */
function takePlan(order) {
  for (const key of [order, '*']) {
    const plan = key === null ? undefined : plans.get(key);
    if (plan !== undefined && plan.times > 0) {
      plan.times -= 1;
      return plan;
    }
  }
  return null;
}


/** Standard Webhooks: HMAC-SHA256(key, `${id}.${timestamp}.` + body bytes), base64, any `v1,` entry. */
function verify(body, id, timestamp, signature) {
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > TOLERANCE_SECONDS) return { ok: false, reason: 'stale-timestamp' };
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  const offered = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'utf8'));
  for (const key of secrets) {
    const expected = Buffer.from(createHmac('sha256', key).update(signed).digest('base64'), 'utf8');
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) return { ok: true };
  }
  return { ok: false, reason: 'signature-mismatch' };
}

/** out_trade_no of a form body (ASCII ids, as the tests send) or of a JSON event. */
function orderOf(body, contentType) {
  if (/^application\/json/i.test(contentType)) {
    try {
      const value = JSON.parse(body.toString('utf8')).out_trade_no;
      return typeof value === 'string' ? value : null;
    } catch {
      return null;
    }
  }
  for (const part of body.toString('latin1').split('&')) {
    if (part.startsWith('out_trade_no=')) {
      try {
        return decodeURIComponent(part.slice('out_trade_no='.length).replace(/\+/g, ' '));
      } catch {
        return null;
      }
    }
  }
  return null;
}

function parseSecrets(text) {
  const list = text.split(/\s+/).filter(Boolean);
  if (list.length === 0) fail('FORWARD_SECRET is required (whsec_..., the gateway forward secret)');
  return list.map((one) => {
    if (!one.startsWith('whsec_')) fail('FORWARD_SECRET entries must start with whsec_');
    return Buffer.from(one.slice('whsec_'.length), 'base64');
  });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function json(res, value) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function fail(message) {
  console.error(`e2e origin: ${message}`);
  process.exit(2);
}

// An idle kept-alive connection stays open for two minutes, not Node's 5 s: the gateway reuses its
// connection for the next attempt, and one that Node closed at the moment workerd sent on it was a
// failed attempt the origin never saw (origin-recovery once got attempts 1, 2 and 4 on a busy
// machine). The gateway retries such a failure like any other; the tests count attempts exactly.
server.keepAliveTimeout = 120_000;

const port = Number(process.env.PORT ?? 0);
server.listen(port, process.env.HOST || '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ ready: true, port: typeof address === 'object' && address !== null ? address.port : port }));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
