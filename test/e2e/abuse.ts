// Bad input at volume: malformed bodies of every kind the notify path can meet (random bytes, bad
// percent-encoding, duplicate keys, truncations, tampered and unsigned bodies, oversize with and
// without Content-Length, slow bodies chunked and with a declared length, wrong methods), sent at a fixed concurrency while
// genuine notifications keep arriving beside them. Counts every answer by kind, checks that none
// is `success`, that every genuine notification is acknowledged, and reads the gateway's memory
// before, at the peak, and after it settles: the Worker's JavaScript heap (through the inspector)
// and the resident memory of all its processes. Run by bench:abuse (10,000 bodies) and, smaller,
// by test:e2e.
import { request as httpRequest, Agent } from 'node:http';
import { paidNotification } from '../support/notifications';
import { fetchWithin, groupRssKiB, heapReader, isProxyLoss, PROXY_LOST_CONNECTION, sendPastProxyLosses, sleep, type StackInfo } from './harness';
import { seededRandom } from '../support/seeded-random.mjs';

export const ABUSE_KINDS = [
  'random-bytes',
  'bad-percent-encoding',
  'duplicate-keys',
  'truncated',
  'tampered',
  'unsigned',
  'empty',
  'json-body',
  'wrong-method',
  'oversize-content-length',
  'oversize-chunked',
  'slow-chunked',
  'slow-with-length',
] as const;
export type AbuseKind = (typeof ABUSE_KINDS)[number];

export interface AbusePlan {
  /** Malformed requests in all, slow ones included. */
  bodies: number;
  concurrency: number;
  /**
   * Slow bodies among them (a byte every `slowIntervalMs`), chunked and (every other one) with a
   * declared Content-Length: each holds a request until the gateway's read deadline.
   */
  slow: number;
  slowIntervalMs: number;
  /** Oversize bodies are this big (bytes), with and without Content-Length. */
  oversizeBytes: number;
  /** Genuine notifications sent beside the bad ones, `genuineConcurrency` at a time, until the bad ones are done. */
  genuineConcurrency: number;
  /** Pause between one genuine notification and the next, per sender (each is a new order's object, which the heap then holds a while). */
  genuinePauseMs: number;
  /** How long to let the gateway settle before the memory reading "after". */
  settleMs: number;
  seed: number;
}

export interface AbuseResult {
  /** kind -> answer (`status body`) -> count */
  answers: Map<AbuseKind, Map<string, number>>;
  /** Bad requests answered exactly `success` (must be 0). */
  successes: number;
  genuine: { sent: number; acknowledged: number; proxyRetries: number; failures: Map<string, number> };
  /** Seconds each slow body was held before its answer. */
  slowSeconds: number[];
  /** Longest wait for a /health answer while the run lasted (from the first ask), ms. */
  healthMaxMs: number;
  /** /health probes that got no answer within HEALTH_PROBE_TIMEOUT_MS and were asked again. */
  healthAskedAgain: number;
  /** Resident memory of every process of the gateway's group (workerd and wrangler's Node), KiB. */
  rssKiB: { before: number; peak: number; after: number };
  /** The Worker's JavaScript heap (V8 heap in use + ArrayBuffer backing stores), bytes; before and after right after a full collection. */
  heapBytes: { before: number; peak: number; after: number };
  /** Bad requests answered with wrangler dev's own "restarted mid-request" 503 (a connection its proxy lost). */
  proxyLost: number;
  elapsedMs: number;
}

/** How long one /health probe waits before it is asked again. */
const HEALTH_PROBE_TIMEOUT_MS = 5_000;

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request with full control of the body's framing; never rejects (a broken connection is an answer too). */
export function rawPost(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    /** Sent with Content-Length. */
    body?: Uint8Array;
    /**
     * Sent chunked (or, with `declaredLength`, framed by that Content-Length): `total` bytes in
     * pieces of `chunk`, `intervalMs` apart; stops once an answer arrives.
     */
    stream?: { total: number; chunk: number; intervalMs: number; declaredLength?: number };
    agent?: Agent | false;
    /** Give up (and say so in the answer) after this long: a test must not hang on one request. */
    timeoutMs?: number;
  },
): Promise<Answer> {
  return new Promise((resolveOnce) => {
    const target = new URL(url);
    let answered = false;
    let settled = false;
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      resolve({ status: 0, body: `client: no complete answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    const resolve = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolveOnce(answer);
    };
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(options.body.byteLength);
    if (options.stream?.declaredLength !== undefined) headers['content-length'] = String(options.stream.declaredLength);
    else if (options.stream !== undefined) headers['transfer-encoding'] = 'chunked';
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname, method: options.method ?? 'POST', headers, agent: options.agent ?? false },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', (error) => resolve({ status: res.statusCode ?? 0, body: `response broken: ${(error as NodeJS.ErrnoException).code ?? error.message}` }));
        res.on('close', () => resolve({ status: res.statusCode ?? 0, body: `response broken: closed after ${Buffer.concat(parts).byteLength} bytes` }));
      },
    );
    req.on('error', (error) => {
      if (!answered) resolve({ status: 0, body: `connection: ${(error as NodeJS.ErrnoException).code ?? error.message}` });
    });
    req.on('close', () => {
      if (!answered) resolve({ status: 0, body: 'connection: closed without an answer' });
    });
    if (options.stream === undefined) {
      req.end(options.body);
      return;
    }
    const { total, chunk, intervalMs } = options.stream;
    const piece = Buffer.alloc(chunk, 0x61);
    let sent = 0;
    const pump = () => {
      while (!answered && !req.destroyed && sent < total) {
        sent += chunk;
        const more = req.write(piece);
        if (intervalMs > 0) return void setTimeout(pump, intervalMs);
        if (!more) return void req.once('drain', pump);
      }
      if (answered) req.destroy();
      else if (!req.destroyed) req.end();
    };
    pump();
  });
}

/** A short label for an answer: status and the start of the body. */
export const labelOf = (a: Answer): string => `${a.status} ${a.body.slice(0, 40).replace(/\s+/g, ' ')}`.trim();


const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const bytesOf = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/**
 * One malformed request of `kind`, derived from `base`, a validly signed body that is never sent
 * as it is (so any `success` is for a malformed body).
 */
type SlowKind = 'slow-chunked' | 'slow-with-length';

function malformed(kind: Exclude<AbuseKind, SlowKind>, base: Uint8Array, random: () => number, plan: AbusePlan) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const body = text(base);
  switch (kind) {
    case 'random-bytes':
      return { body: crypto.getRandomValues(new Uint8Array(Math.floor(random() * 4096))) };
    case 'bad-percent-encoding': {
      const cut = body.indexOf('&', Math.floor(random() * body.length));
      const at = cut < 0 ? body.length : cut;
      return { body: bytesOf(`${body.slice(0, at)}${pick(['%', '%G1', '%E6%B5', '%zz', '%%41', '%C0%AF', '%ED%A0%80'])}${body.slice(at)}`) };
    }
    case 'duplicate-keys':
      return { body: bytesOf(`${body}&${pick(['total_amount=0.01', 'sign=AAAA', 'out_trade_no=other', 'trade_status=TRADE_SUCCESS', 'app_id=2021000000000001'])}`) };
    case 'truncated':
      // Never only the sign's `%3D%3D` padding: without it the same signature still decodes, and
      // what is left is the genuine notification, not a malformed one.
      return { body: base.subarray(0, Math.floor(random() * (base.byteLength - 7))) };
    case 'tampered':
      return { body: bytesOf(body.replace(/total_amount=[^&]*/, `total_amount=${(random() * 1000).toFixed(2)}`)) };
    case 'unsigned':
      return { body: bytesOf(body.replace(/&?sign=[^&]*/, '')) };
    case 'empty':
      return { body: new Uint8Array(0) };
    case 'json-body':
      return { body: encoder.encode(JSON.stringify({ body })), headers: { 'content-type': 'application/json' } };
    case 'wrong-method':
      return { body: base, method: pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) };
    case 'oversize-content-length':
      return { body: new Uint8Array(plan.oversizeBytes).fill(0x61) };
    case 'oversize-chunked':
      return { stream: { total: plan.oversizeBytes, chunk: 16 * 1024, intervalMs: 0 } };
  }
}

export async function runAbuse(info: StackInfo, plan: AbusePlan, progress: (line: string) => void = () => {}): Promise<AbuseResult> {
  const random = seededRandom(plan.seed);
  progress('signing the bodies to spoil ...');
  const bases = await Promise.all(Array.from({ length: 32 }, async () => (await paidNotification()).body));
  const fastKinds = ABUSE_KINDS.filter((k): k is Exclude<AbuseKind, SlowKind> => !k.startsWith('slow-'));
  const answers = new Map<AbuseKind, Map<string, number>>(ABUSE_KINDS.map((k) => [k, new Map()]));
  const count = (kind: AbuseKind, answer: Answer) => {
    const label = labelOf(answer);
    const byLabel = answers.get(kind)!;
    byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
    if (answer.status === 200 && answer.body === 'success') successes += 1;
    if (isProxyLoss(answer)) proxyLost += 1;
  };
  let successes = 0;
  let proxyLost = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });

  // Warm the gateway up (every code path once), then read its memory.
  for (const kind of fastKinds) await rawPost(info.notifyUrl, { ...malformed(kind, bases[0]!, random, plan), agent: false });
  for (let i = 0; i < 3; i++) await rawPost(info.notifyUrl, { body: (await paidNotification()).body, agent });
  const inspector = await heapReader(info.gatewayInspectorPort);
  try {
    const heap = (collect = false) => inspector.heapBytes({ collect });
    const before = await groupRssKiB(info.gatewayPid);
    const heapBefore = await heap(true);
    let peak = before;
    let heapPeak = heapBefore;
    let done = false;
    const started = performance.now();

    const sampler = (async () => {
      while (!done) {
        peak = Math.max(peak, await groupRssKiB(info.gatewayPid));
        heapPeak = Math.max(heapPeak, await heap().catch(() => 0));
        await sleep(500);
      }
    })();
    let healthMaxMs = 0;
    let healthAskedAgain = 0;
    // Each probe on a connection of its own, as a monitor's would be. A GET that meets a connection
    // wrangler dev's proxy lost to the Worker (a slow body's cut-off) is put in the proxy's retry
    // queue instead of being answered, and one was seen to wait there 30 s (once in about 30 runs).
    // So a probe unanswered after 5 s is asked again, as a monitor would; the time counted is from
    // the first ask to an answer, so a gateway that stops answering still fails the run.
    const health = (async () => {
      while (!done) {
        const t = performance.now();
        while ((await rawPost(`${info.gatewayUrl}/health`, { method: 'GET', timeoutMs: HEALTH_PROBE_TIMEOUT_MS })).status === 0 && !done) {
          healthAskedAgain += 1;
        }
        healthMaxMs = Math.max(healthMaxMs, performance.now() - t);
        await sleep(250);
      }
    })();

    const genuine = { sent: 0, acknowledged: 0, proxyRetries: 0, failures: new Map<string, number>() };
    const genuineWorker = async () => {
      while (!done) {
        const { body } = await paidNotification();
        genuine.sent += 1;
        // Alipay re-sends whatever is not `success`; here only wrangler dev's own broken-connection
        // answer is re-sent (a few times), anything from the gateway itself counts as a failure.
        const answer = await sendPastProxyLosses(
          () => rawPost(info.notifyUrl, { body, agent }),
          isProxyLoss,
          () => (genuine.proxyRetries += 1),
        );
        if (answer.status === 200 && answer.body === 'success') genuine.acknowledged += 1;
        else genuine.failures.set(labelOf(answer), (genuine.failures.get(labelOf(answer)) ?? 0) + 1);
        if (plan.genuinePauseMs > 0) await sleep(plan.genuinePauseMs);
      }
    };
    const genuineWorkers = Array.from({ length: plan.genuineConcurrency }, genuineWorker);

    // Slow bodies start spread over the first part of the run, each on its own connection.
    const slowSeconds: number[] = [];
    const slowOnes = Array.from({ length: plan.slow }, async (_, i) => {
      await sleep(i * 250);
      const t = performance.now();
      // A byte a second for up to 40 s: far past the gateway's 10 s deadline, yet finite. Every
      // other one declares its length (the gateway reads those in one call, not chunk by chunk).
      const kind: SlowKind = i % 2 === 0 ? 'slow-chunked' : 'slow-with-length';
      const declaredLength = kind === 'slow-with-length' ? 40 : undefined;
      const answer = await rawPost(info.notifyUrl, { stream: { total: 40, chunk: 1, intervalMs: plan.slowIntervalMs, declaredLength } });
      slowSeconds.push((performance.now() - t) / 1000);
      count(kind, answer);
    });

    const fastTotal = plan.bodies - plan.slow;
    let next = 0;
    const badWorker = async () => {
      while (next < fastTotal) {
        const i = next++;
        const kind = fastKinds[i % fastKinds.length]!;
        const request = malformed(kind, bases[Math.floor(random() * bases.length)]!, random, plan);
        // Oversize bodies get connections of their own, as a client sending them would.
        const own = kind === 'oversize-chunked' || kind === 'oversize-content-length';
        count(kind, await rawPost(info.notifyUrl, { ...request, agent: own ? false : agent }));
        if (i % 1000 === 999) progress(`${i + 1} of ${fastTotal} sent`);
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, badWorker));
    await Promise.all(slowOnes);
    done = true;
    await Promise.all([...genuineWorkers, sampler, health]);
    const elapsedMs = performance.now() - started;
    agent.destroy();
    await flushProxyConnections(info);

    progress(`settling for ${plan.settleMs} ms ...`);
    await sleep(plan.settleMs);
    const after = await groupRssKiB(info.gatewayPid);
    const heapAfter = await heap(true);
    return {
      answers,
      successes,
      genuine,
      slowSeconds,
      healthMaxMs,
      healthAskedAgain,
      rssKiB: { before, peak, after },
      heapBytes: { before: heapBefore, peak: heapPeak, after: heapAfter },
      proxyLost,
      elapsedMs,
    };
  } finally {
    inspector.close();
  }
}

/**
 * A connection wrangler dev's proxy lost when a slow body was cut off can sit in its pool until a
 * request picks it up; a POST that does gets the proxy's 503. GETs on such a connection are
 * retried by the proxy, so a burst of them clears the pool for whoever comes next.
 */
async function flushProxyConnections(info: StackInfo): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await Promise.all(Array.from({ length: 32 }, () => fetchWithin(`${info.gatewayUrl}/health`, {}, 10_000).catch(() => undefined)));
  }
}

export function abuseReport(plan: AbusePlan, r: AbuseResult): string[] {
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  const lines = [
    `plan: ${plan.bodies} malformed requests (${plan.slow} of them slow, a byte every ${plan.slowIntervalMs} ms), concurrency ${plan.concurrency}, ` +
      `oversize ${plan.oversizeBytes} bytes, genuine notifications ${plan.genuineConcurrency} at a time beside them, seed ${plan.seed}`,
  ];
  for (const [kind, labels] of r.answers) {
    const total = [...labels.values()].reduce((a, b) => a + b, 0);
    lines.push(`  ${kind.padEnd(24)} ${String(total).padStart(6)}  ${[...labels].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${n} x "${l}"`).join(', ')}`);
  }
  const failures = [...r.genuine.failures].map(([l, n]) => `${n} x "${l}"`).join(', ');
  lines.push(
    `answered success: ${r.successes} (must be 0)` +
      (r.proxyLost > 0 ? `; ${r.proxyLost} answered by wrangler dev's proxy "${PROXY_LOST_CONNECTION}" (a connection it shared with a slow body the gateway cut off)` : ''),
    `genuine meanwhile: ${r.genuine.sent} sent, ${r.genuine.acknowledged} acknowledged` +
      `${r.genuine.proxyRetries > 0 ? `, ${r.genuine.proxyRetries} re-sent after wrangler dev's "${PROXY_LOST_CONNECTION}"` : ''}` +
      `${failures ? `, not acknowledged: ${failures}` : ''}`,
    `slow bodies answered after ${r.slowSeconds.length > 0 ? `${Math.min(...r.slowSeconds).toFixed(1)} .. ${Math.max(...r.slowSeconds).toFixed(1)} s` : '-'}; ` +
      `longest /health answer meanwhile ${Math.round(r.healthMaxMs)} ms` +
      (r.healthAskedAgain > 0 ? ` (${r.healthAskedAgain} probe(s) unanswered by wrangler dev's proxy after ${HEALTH_PROBE_TIMEOUT_MS / 1000} s and asked again)` : ''),
    `Worker JS heap (V8 + ArrayBuffers): before ${(r.heapBytes.before / 1048576).toFixed(2)} MiB, peak ${(r.heapBytes.peak / 1048576).toFixed(1)} MiB, ` +
      `after ${plan.settleMs / 1000} s settling ${(r.heapBytes.after / 1048576).toFixed(2)} MiB (before and after: right after a full collection)`,
    `gateway processes' RSS (workerd x2 + wrangler's Node): before ${mib(r.rssKiB.before)}, peak ${mib(r.rssKiB.peak)}, after ${mib(r.rssKiB.after)}; ` +
      `run took ${(r.elapsedMs / 1000).toFixed(1)} s`,
  );
  return lines;
}
