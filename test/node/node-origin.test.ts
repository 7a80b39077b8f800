// The Node origin example (examples/node-origin) accepts exactly the deliveries the gateway
// signs, once per webhook-id. Signatures here are made with node:crypto, independently of
// both the example and the gateway's signer.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { amountCents, classifyNotification, startOrigin, type OriginEvent, type RunningOrigin } from '../../examples/node-origin/origin.mjs';
import { classify, parseAmountCents, toNotification } from '../../src/alipay';

const key = randomBytes(32);
const secret = `whsec_${key.toString('base64')}`;
const otherKey = randomBytes(32);
const otherSecret = `whsec_${otherKey.toString('base64')}`;

const formBody = Buffer.from(
  'notify_id=2024abc&out_trade_no=ORDER-1001&trade_status=TRADE_SUCCESS&total_amount=88.00&subject=a%26b+c&charset=utf-8',
);

function sign(signingKey: Buffer, id: string, timestamp: number, body: Buffer): string {
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
  return `v1,${createHmac('sha256', signingKey).update(signed).digest('base64')}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

interface Delivery {
  id?: string;
  timestamp?: number;
  body?: Buffer;
  signature?: string;
  contentType?: string;
}

async function deliver(origin: RunningOrigin, delivery: Delivery = {}): Promise<{ status: number; text: string }> {
  const id = delivery.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const timestamp = delivery.timestamp ?? nowSeconds();
  const body = delivery.body ?? formBody;
  const response = await fetch(origin.url, {
    method: 'POST',
    body,
    headers: {
      'content-type': delivery.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': delivery.signature ?? sign(key, id, timestamp, body),
      'x-alipay-event-kind': 'paid',
      'x-delivery-attempt': '1',
    },
  });
  return { status: response.status, text: await response.text() };
}

describe('node origin example', () => {
  let origin: RunningOrigin;
  let onEvent: ReturnType<typeof vi.fn<(event: OriginEvent) => void | Promise<void>>>;

  beforeEach(async () => {
    onEvent = vi.fn<(event: OriginEvent) => void | Promise<void>>();
    origin = await startOrigin({ port: 0, secret, onEvent, log: null });
  });
  afterEach(async () => {
    await origin.close();
  });

  it('listens on 127.0.0.1 by default', () => {
    expect(origin.host).toBe('127.0.0.1');
    expect(origin.url).toBe(`http://127.0.0.1:${origin.port}/`);
  });

  it('answers success to a correctly signed delivery and hands over the verified bytes and fields', async () => {
    const reply = await deliver(origin, { id: 'msg_ok' });
    expect(reply).toEqual({ status: 200, text: 'success' });
    expect(onEvent).toHaveBeenCalledTimes(1);
    const event = onEvent.mock.calls[0]![0];
    expect(event.id).toBe('msg_ok');
    expect(event.kind).toBe('paid');
    expect(event.format).toBe('form');
    expect(Buffer.compare(event.body, formBody)).toBe(0);
    expect(event.fields).toMatchObject({ out_trade_no: 'ORDER-1001', total_amount: '88.00', subject: 'a&b c' });
  });

  it('rejects a tampered body', async () => {
    const id = 'msg_tampered';
    const timestamp = nowSeconds();
    const signature = sign(key, id, timestamp, formBody);
    const tampered = Buffer.from(formBody.toString().replace('88.00', '0.01'));
    const reply = await deliver(origin, { id, timestamp, signature, body: tampered });
    expect([400, 401]).toContain(reply.status);
    expect(reply.text).not.toBe('success');
    expect(onEvent).not.toHaveBeenCalled();
  });

  it('rejects a signature made with another secret', async () => {
    const id = 'msg_other_secret';
    const timestamp = nowSeconds();
    const reply = await deliver(origin, { id, timestamp, signature: sign(otherKey, id, timestamp, formBody) });
    expect(reply.status).toBe(401);
    expect(onEvent).not.toHaveBeenCalled();
  });

  it('answers success to a replayed webhook-id but handles the event once', async () => {
    const first = await deliver(origin, { id: 'msg_replayed' });
    // A retry is signed afresh with a new timestamp, exactly as the gateway does.
    const again = await deliver(origin, { id: 'msg_replayed', timestamp: nowSeconds() + 1 });
    expect(first).toEqual({ status: 200, text: 'success' });
    expect(again).toEqual({ status: 200, text: 'success' });
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  it('handles concurrent copies of one webhook-id once', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => deliver(origin, { id: 'msg_concurrent' })));
    expect(replies.every((r) => r.status === 200 && r.text === 'success')).toBe(true);
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  it('rejects a correctly signed delivery whose timestamp is older than 5 minutes', async () => {
    const reply = await deliver(origin, { id: 'msg_stale', timestamp: nowSeconds() - 6 * 60 });
    expect(reply.status).toBe(401);
    expect(reply.text).toBe('timestamp-too-old');
    expect(onEvent).not.toHaveBeenCalled();
  });

  it('rejects a delivery without the Standard Webhooks headers', async () => {
    const response = await fetch(origin.url, { method: 'POST', body: formBody });
    expect(response.status).toBe(400);
    expect(onEvent).not.toHaveBeenCalled();
  });

  it('verifies a form body with raw GBK bytes over the exact bytes and decodes it as GBK', async () => {
    // "subject=你好" in GBK, not percent-encoded: not valid UTF-8, so the example must HMAC the bytes.
    const gbkBody = Buffer.concat([Buffer.from('out_trade_no=GBK-1&charset=gbk&subject='), Buffer.from([0xc4, 0xe3, 0xba, 0xc3])]);
    const contentType = 'application/x-www-form-urlencoded; charset=gbk';
    const ok = await deliver(origin, { id: 'msg_gbk', body: gbkBody, contentType });
    expect(ok).toEqual({ status: 200, text: 'success' });
    expect(onEvent.mock.calls[0]![0].fields).toMatchObject({ out_trade_no: 'GBK-1', subject: '你好' });

    const timestamp = nowSeconds();
    const signature = sign(key, 'msg_gbk_tampered', timestamp, gbkBody);
    const flipped = Buffer.from(gbkBody);
    flipped[flipped.length - 1] = 0xc4;
    const tampered = await deliver(origin, { id: 'msg_gbk_tampered', timestamp, signature, body: flipped, contentType });
    expect(tampered.status).toBe(401);

    const stale = await deliver(origin, { id: 'msg_gbk_stale', timestamp: nowSeconds() - 6 * 60, body: gbkBody, contentType });
    expect(stale).toEqual({ status: 401, text: 'timestamp-too-old' });
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  it('passes the parsed event of a JSON delivery', async () => {
    const body = Buffer.from(JSON.stringify({ type: 'paid', out_trade_no: 'J-1', params: { out_trade_no: 'J-1' } }));
    const reply = await deliver(origin, { id: 'msg_json', body, contentType: 'application/json; charset=utf-8' });
    expect(reply.status).toBe(200);
    expect(onEvent.mock.calls[0]![0].json).toMatchObject({ type: 'paid', out_trade_no: 'J-1' });
  });

  it('answers 500 when the handler fails, and runs it again on the retry', async () => {
    onEvent.mockRejectedValueOnce(new Error('database down'));
    const failed = await deliver(origin, { id: 'msg_retry' });
    const retried = await deliver(origin, { id: 'msg_retry' });
    expect(failed.status).toBe(500);
    expect(retried).toEqual({ status: 200, text: 'success' });
    expect(onEvent).toHaveBeenCalledTimes(2);
  });
});

describe('node origin example, opened in a browser', () => {
  const statusPage = { secret: `whsec_${randomBytes(32).toString('base64')}`, appId: '2021000123456789', gatewayUrl: 'http://127.0.0.1:8787' };
  const origins: RunningOrigin[] = [];
  afterEach(async () => {
    await Promise.all(origins.splice(0).map((o) => o.close()));
  });
  async function get(withStatusPage: boolean, path: string): Promise<{ status: number; allow: string | null; text: string }> {
    const origin = await startOrigin({ port: 0, secret, log: null, statusPage: withStatusPage ? statusPage : null });
    origins.push(origin);
    const response = await fetch(new URL(path, origin.url));
    return { status: response.status, allow: response.headers.get('allow'), text: await response.text() };
  }

  it.each([true, false])('GET of the delivery address (npm start prints /alipay/notify) says what it is: 405 (thank-you page: %s)', async (withStatusPage) => {
    const answer = await get(withStatusPage, '/alipay/notify');
    expect(answer.status).toBe(405);
    expect(answer.allow).toBe('POST');
    expect(answer.text).toContain('the gateway POSTs signed webhooks to this address');
    expect(answer.text.trim().split('\n')).toHaveLength(1);
    if (withStatusPage) expect(answer.text).toMatch(/open the thank-you page at http:\/\/127\.0\.0\.1:\d+\/thank-you\?out_trade_no=/);
    else expect(answer.text).toMatch(/see http:\/\/127\.0\.0\.1:\d+\/ for this server's pages/);
  });

  it('GET / names the pages', async () => {
    const answer = await get(true, '/');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('demo origin');
    expect(answer.text).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/<any path>/);
    expect(answer.text).toMatch(/GET  http:\/\/127\.0\.0\.1:\d+\/thank-you\?out_trade_no=/);
    expect((await get(false, '/')).text).toContain('needs STATUS_SECRET');
  });

  it('GET /thank-you is the sample page with STATUS_SECRET, and says what it needs without', async () => {
    const page = await get(true, '/thank-you?out_trade_no=ORDER-1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const without = await get(false, '/thank-you?out_trade_no=ORDER-1');
    expect(without.status).toBe(404);
    expect(without.text).toContain('needs STATUS_SECRET');
  });

  it('still takes deliveries at any path, and refuses other methods', async () => {
    const origin = await startOrigin({ port: 0, secret, log: null, statusPage });
    origins.push(origin);
    expect((await deliver(origin)).text).toBe('success');
    expect((await fetch(origin.url, { method: 'PUT' })).status).toBe(405);
  });
});

describe('node origin example, lines for a person (logFormat: text, as npm start prints them)', () => {
  it('prints one line per request, the same shape for a first delivery and a duplicate', async () => {
    const lines: string[] = [];
    const onEvent = vi.fn<(event: OriginEvent) => void | Promise<void>>();
    const origin = await startOrigin({ port: 0, secret, onEvent, log: (line) => lines.push(line), logFormat: 'text' });
    try {
      await deliver(origin, { id: 'msg_text' });
      await deliver(origin, { id: 'msg_text', timestamp: nowSeconds() + 1 });
      onEvent.mockRejectedValueOnce(new Error('database down'));
      await deliver(origin, { id: 'msg_text_failing' });
      await deliver(origin, { id: 'msg_text_bad', signature: sign(otherKey, 'msg_text_bad', nowSeconds(), formBody) });
    } finally {
      await origin.close();
    }
    const event = 'paid  order ORDER-1001  TRADE_SUCCESS  88.00 CNY';
    expect(lines).toEqual([
      `received       ${event}  (webhook-id msg_text, attempt 1): new: handled, answered "success"`,
      `duplicate      ${event}  (webhook-id msg_text, attempt 1): duplicate of an event already handled: not handled again, answered "success"`,
      `handler-failed ${event}  (webhook-id msg_text_failing, attempt 1): the handler failed: answered 500, the gateway will retry`,
      'rejected       signature-mismatch  (webhook-id msg_text_bad): answered 401, not handled',
    ]);
    expect(lines.join('\n')).not.toMatch(/[{}]/);
  });

  it('names a refund and its amount', async () => {
    const lines: string[] = [];
    const origin = await startOrigin({ port: 0, secret, log: (line) => lines.push(line), logFormat: 'text' });
    try {
      const body = Buffer.from('out_trade_no=R-1&trade_status=TRADE_SUCCESS&total_amount=10.00&refund_fee=2.50');
      await deliver(origin, { id: 'msg_refund', body });
    } finally {
      await origin.close();
    }
    expect(lines).toEqual(['received       paid  order R-1  TRADE_SUCCESS  10.00 CNY  refund 2.50  (webhook-id msg_refund, attempt 1): new: handled, answered "success"']);
  });
});

describe('node origin example during secret rotation', () => {
  it('accepts a delivery signed with either configured secret, one entry per secret in the header', async () => {
    const onEvent = vi.fn();
    const origin = await startOrigin({ port: 0, secret: `${otherSecret} ${secret}`, onEvent, log: null });
    try {
      const id = 'msg_rotation';
      const timestamp = nowSeconds();
      const unknownKey = randomBytes(32);
      // The gateway holds the new secret plus `key`; the origin holds `otherKey` plus `key`.
      const signature = `${sign(unknownKey, id, timestamp, formBody)} ${sign(key, id, timestamp, formBody)}`;
      const reply = await deliver(origin, { id, timestamp, signature });
      expect(reply).toEqual({ status: 200, text: 'success' });
      expect(onEvent).toHaveBeenCalledTimes(1);
    } finally {
      await origin.close();
    }
  });
});

describe('node origin example CLI (server.mjs)', () => {
  it('starts from the environment, logs one line per event, and exits 0 on SIGTERM', async () => {
    const script = fileURLToPath(new URL('../../examples/node-origin/server.mjs', import.meta.url));
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, FORWARD_SECRET: secret, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`server.mjs exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await listening;
      const port = Number(new URL(url).port);
      const reply = await deliver({ url, port, host: '127.0.0.1', close: async () => {} }, { id: 'msg_cli' });
      expect(reply).toEqual({ status: 200, text: 'success' });
      await vi.waitFor(() => expect(output).toMatch(/"outcome":"received".*"webhook_id":"msg_cli".*"out_trade_no":"ORDER-1001"/), { timeout: 10_000 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('prints lines for a person with LOG_FORMAT=text, and refuses another format', async () => {
    const script = fileURLToPath(new URL('../../examples/node-origin/server.mjs', import.meta.url));
    const run = (logFormat: string) => spawn(process.execPath, [script], { env: { ...process.env, FORWARD_SECRET: secret, PORT: '0', LOG_FORMAT: logFormat }, stdio: ['ignore', 'pipe', 'pipe'] });
    const bad = run('xml');
    let stderr = '';
    bad.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    expect(await new Promise((resolve) => bad.once('exit', resolve))).toBe(2);
    expect(stderr).toContain('LOG_FORMAT must be json or text');

    const child = run('text');
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await vi.waitFor(() => expect(output).toMatch(/listening on http/), { timeout: 10_000 });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1]!;
      await deliver({ url, port: Number(new URL(url).port), host: '127.0.0.1', close: async () => {} }, { id: 'msg_cli_text' });
      await vi.waitFor(() => expect(output).toContain('received       paid  order ORDER-1001  TRADE_SUCCESS  88.00 CNY  (webhook-id msg_cli_text, attempt 1)'), { timeout: 10_000 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

describe('classifyNotification and amountCents: the gateway\'s own rules', () => {
  const REFUNDED = 'refund_fee=1.00&gmt_refund=2026-11-30+10%3A00%3A00&out_biz_no=R1';
  const CASES: [string, 'paid' | 'recorded' | null][] = [
    ['trade_status=TRADE_SUCCESS&total_amount=88.80', 'paid'],
    ['trade_status=TRADE_SUCCESS&refund_fee=0.00', 'paid'],
    ['trade_status=TRADE_SUCCESS&refund_fee=&gmt_refund=&out_biz_no=', 'paid'], // empty values count as absent
    ['trade_status=TRADE_SUCCESS&refund_fee=1.00', 'recorded'],
    ['trade_status=TRADE_SUCCESS&refund_fee=abc', 'recorded'],
    ['trade_status=TRADE_SUCCESS&gmt_refund=2026-11-30+10%3A00%3A00', 'recorded'],
    ['trade_status=TRADE_SUCCESS&out_biz_no=R1', 'recorded'],
    ['trade_status=TRADE_FINISHED&total_amount=88.80', 'paid'],
    [`trade_status=TRADE_FINISHED&total_amount=88.80&${REFUNDED}`, 'paid'], // a cumulative refund_fee is history
    ['trade_status=WAIT_SELLER_SEND_GOODS&total_fee=88.80', 'paid'],
    ['trade_status=WAIT_BUYER_PAY', 'recorded'],
    ['trade_status=TRADE_CLOSED', 'recorded'],
    [`trade_status=TRADE_CLOSED&${REFUNDED}`, 'recorded'],
    ['trade_status=', null],
    ['total_amount=88.80', null],
    ['trade_status=TRADE_REFUND', null],
  ];

  it('decides as src/alipay/classify.ts does', () => {
    const gatewayKind = { paid: 'paid', waiting: 'recorded', closed: 'recorded', refund: 'recorded', other: null } as const;
    for (const [form, expected] of CASES) {
      const fields = Object.fromEntries(new URLSearchParams(`out_trade_no=ORDER-1&${form}`));
      expect(classifyNotification(fields), form).toBe(expected);
      expect(gatewayKind[classify(toNotification(fields)).kind], form).toBe(expected);
    }
  });

  it('cannot judge a notification without out_trade_no, nor a JSON event (no fields)', () => {
    expect(classifyNotification({ trade_status: 'TRADE_SUCCESS', total_amount: '88.80' })).toBeNull();
    expect(classifyNotification({ out_trade_no: '', trade_status: 'TRADE_SUCCESS' })).toBeNull();
    expect(classifyNotification(null)).toBeNull();
  });

  it('amountCents reads amounts as the gateway does', () => {
    for (const text of ['88.80', '88.8', '88', '0.01', '0', '0.00', '88.800', '88.801', '-1', '1e3', '+1', ' 1', '', '1,000.00', '88.', '.5']) {
      const gateway = parseAmountCents(text);
      expect(amountCents(text), text).toBe(gateway === null ? null : Number(gateway));
    }
    expect(amountCents(undefined)).toBeNull();
  });
});

describe('the README\'s "In your own code" handler, run against a stand-in database', () => {
  /** The two statements and one query the snippet makes, on in-memory tables; a throw rolls back. */
  function standInDatabase(orders: Record<string, { amount_cents: number; status: string }>) {
    const state = { processed: new Set<string>(), orders };
    return {
      state,
      async transaction(work: (tx: unknown) => Promise<void>) {
        const staged = { processed: new Set(state.processed), orders: structuredClone(state.orders) };
        const tx = {
          async run(sql: string, params: string[]) {
            if (sql.startsWith('INSERT INTO processed_webhooks')) {
              if (staged.processed.has(params[0]!)) return { changes: 0 };
              staged.processed.add(params[0]!);
              return { changes: 1 };
            }
            const order = staged.orders[params[0]!];
            if (sql.startsWith("UPDATE orders SET status = 'paid'") && order?.status === 'unpaid') {
              order.status = 'paid';
              return { changes: 1 };
            }
            return { changes: 0 };
          },
          async get(sql: string, params: string[]) {
            expect(sql).toMatch(/^SELECT amount_cents, status FROM orders WHERE out_trade_no = \?/);
            return staged.orders[params[0]!];
          },
        };
        await work(tx);
        state.processed = staged.processed;
        state.orders = staged.orders;
      },
    };
  }

  const readme = readFileSync(new URL('../../examples/node-origin/README.md', import.meta.url), 'utf8');
  const snippet = /## In your own code\n\n```js\n([\s\S]*?)```/.exec(readme)![1]!;
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<RunningOrigin>;
  const startReadmeOrigin = (db: unknown) =>
    new AsyncFunction(
      'startOrigin', 'amountCents', 'classifyNotification', 'db', 'secret',
      `${snippet.replace(/^import .*\n/m, '').replace('port: 8788,', 'port: 0, log: null,').replace('process.env.FORWARD_SECRET', 'secret')}\nreturn origin;`,
    )(startOrigin, amountCents, classifyNotification, db, secret);
  const form = (fields: string) => Buffer.from(`${fields}&charset=utf-8`);

  it('credits a paid order once (also after a restart), records what it need not credit, and refuses the rest', async () => {
    expect(snippet).toContain("event.format !== 'form'");
    const db = standInDatabase({
      'ORDER-1': { amount_cents: 8880, status: 'unpaid' },
      'ORDER-2': { amount_cents: 5000, status: 'unpaid' },
      'ORDER-3': { amount_cents: 100, status: 'unpaid' },
      'ORDER-4': { amount_cents: 100, status: 'cancelled' },
    });
    let origin = await startReadmeOrigin(db);
    try {
      const paid = form('out_trade_no=ORDER-1&trade_status=TRADE_SUCCESS&total_amount=88.8');
      expect(await deliver(origin, { id: 'msg_paid', body: paid })).toEqual({ status: 200, text: 'success' });
      expect(db.state.orders['ORDER-1']!.status).toBe('paid');

      // A restart forgets the in-memory dedupe: the database's unique webhook_id still answers.
      await origin.close();
      origin = await startReadmeOrigin(db);
      expect(await deliver(origin, { id: 'msg_paid', body: paid })).toEqual({ status: 200, text: 'success' });
      expect(db.state.processed).toEqual(new Set(['msg_paid']));

      // Recorded, nothing credited.
      const refund = form('out_trade_no=ORDER-3&trade_status=TRADE_SUCCESS&total_amount=1.00&refund_fee=1.00&gmt_refund=2026-11-30+10%3A00%3A00');
      expect(await deliver(origin, { id: 'msg_refund', body: refund })).toEqual({ status: 200, text: 'success' });
      expect(await deliver(origin, { id: 'msg_closed', body: form('out_trade_no=ORDER-3&trade_status=TRADE_CLOSED') })).toEqual({ status: 200, text: 'success' });
      expect(db.state.orders['ORDER-3']!.status).toBe('unpaid');

      // TRADE_FINISHED carrying a cumulative refund_fee is the order's payment.
      const finished = form('out_trade_no=ORDER-2&trade_status=TRADE_FINISHED&total_amount=50.00&refund_fee=10.00&gmt_refund=2026-11-30+10%3A00%3A00');
      expect(await deliver(origin, { id: 'msg_finished', body: finished })).toEqual({ status: 200, text: 'success' });
      expect(db.state.orders['ORDER-2']!.status).toBe('paid');

      // Refused (500: retried, then a dead letter), and nothing stored.
      const refused = [
        { id: 'msg_unknown_status', body: form('out_trade_no=ORDER-3&trade_status=TRADE_SOMETHING&total_amount=1.00') },
        { id: 'msg_no_status', body: form('out_trade_no=ORDER-3&total_amount=1.00') },
        { id: 'msg_no_order_no', body: form('trade_status=TRADE_SUCCESS&total_amount=1.00') },
        { id: 'msg_mismatch', body: form('out_trade_no=ORDER-3&trade_status=TRADE_SUCCESS&total_amount=0.01') },
        { id: 'msg_unknown_order', body: form('out_trade_no=ORDER-9&trade_status=TRADE_SUCCESS&total_amount=1.00') },
        { id: 'msg_cancelled', body: form('out_trade_no=ORDER-4&trade_status=TRADE_SUCCESS&total_amount=1.00') },
        {
          id: 'msg_json',
          body: Buffer.from(JSON.stringify({ type: 'paid', out_trade_no: 'ORDER-3', trade_status: 'TRADE_SUCCESS', total_amount: '1.00' })),
          contentType: 'application/json',
        },
      ];
      for (const delivery of refused) expect((await deliver(origin, delivery)).status, delivery.id).toBe(500);
      expect(db.state.processed).toEqual(new Set(['msg_paid', 'msg_refund', 'msg_closed', 'msg_finished']));
      expect(db.state.orders['ORDER-3']!.status).toBe('unpaid');
      expect(db.state.orders['ORDER-4']!.status).toBe('cancelled');
    } finally {
      await origin.close();
    }
  });
});
