// Alerts over real HTTP to a local receiver (Node): DingTalk's "加签" and Feishu's 签名校验 checked
// the way their documentation computes them (node:crypto, not the code under test), retries after a
// failing answer, and a receiver that never answers.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAlert } from '../../src/alerts/send';
import type { AlertDigest } from '../../src/alerts/types';

interface Hit {
  url: URL;
  body: string;
}

const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
let server: Server;
let base: string;
const hits: Hit[] = [];
let plan: ((req: IncomingMessage, res: ServerResponse, hit: Hit) => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const hit = { url: new URL(req.url!, 'http://127.0.0.1'), body };
      hits.push(hit);
      (plan.shift() ?? ((_q, s) => s.end('{"errcode":0,"errmsg":"ok"}')))(req, res, hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const digest: AlertDigest = {
  kind: 'dead-letter',
  count: 2,
  firstAt: Date.UTC(2026, 4, 14, 2, 0, 0),
  lastAt: Date.UTC(2026, 4, 14, 2, 3, 0),
  samples: [{ kind: 'dead-letter', summary: 'order T1: gave up after 11 attempts', details: { order: '2021000000000001:T1' }, at: Date.UTC(2026, 4, 14, 2, 0, 0) }],
};

/** DingTalk's check: sign = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))), timestamp within an hour. */
function dingTalkAccepts(url: URL): boolean {
  const timestamp = url.searchParams.get('timestamp')!;
  const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
  return url.searchParams.get('sign') === expected && Math.abs(Date.now() - Number(timestamp)) < 3_600_000;
}

const FEISHU_SECRET = 'mbJp8fYC9NXWQXsn3u2Wde';

/** Feishu's check: sign = base64(HmacSHA256(key = timestamp + "\n" + secret, no data)), timestamp in seconds within an hour. */
function feishuAccepts(body: string): boolean {
  const { timestamp, sign } = JSON.parse(body) as { timestamp?: unknown; sign?: unknown };
  if (typeof timestamp !== 'string') return false;
  const expected = createHmac('sha256', `${timestamp}\n${FEISHU_SECRET}`).digest('base64');
  return sign === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 3600;
}

describe('alerts to a local receiver', () => {
  it('a DingTalk robot with 加签 accepts the signed URL, after a failed first attempt', async () => {
    hits.length = 0;
    plan = [
      (_req, res) => res.writeHead(503).end('busy'),
      (_req, res, hit) => res.end(JSON.stringify(dingTalkAccepts(hit.url) ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' })),
    ];
    const result = await sendAlert(
      { url: `${base}/robot/send?access_token=tok`, format: 'dingtalk', robotSecret: SECRET, webhookSecrets: [] },
      digest,
      { retryDelaysMs: [10, 10] },
    );
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(hits).toHaveLength(2);
    // The raw query keeps the encoded sign exactly as DingTalk's documentation builds it.
    const raw = hits[1]!.url.search;
    const sign = createHmac('sha256', SECRET).update(`${hits[1]!.url.searchParams.get('timestamp')}\n${SECRET}`).digest('base64');
    expect(raw).toContain(`&sign=${encodeURIComponent(sign)}`);
    expect(raw.startsWith('?access_token=tok&timestamp=')).toBe(true);
    expect(JSON.parse(hits[1]!.body)).toMatchObject({ msgtype: 'markdown' });
  });

  it('a wrong secret is refused by the robot and not retried', async () => {
    hits.length = 0;
    plan = [(_req, res, hit) => res.end(JSON.stringify(dingTalkAccepts(hit.url) ? { errcode: 0 } : { errcode: 310000, errmsg: 'sign not match' }))];
    const result = await sendAlert({ url: `${base}/robot/send?access_token=tok`, format: 'dingtalk', robotSecret: 'SECwrong', webhookSecrets: [] }, digest, {
      retryDelaysMs: [10],
    });
    expect(result).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
    expect(hits).toHaveLength(1);
  });

  it('a Feishu robot with 签名校验 accepts the signed body, after a failed first attempt; a wrong secret is refused', async () => {
    hits.length = 0;
    const answer = (_req: IncomingMessage, res: ServerResponse, hit: Hit) =>
      res.end(JSON.stringify(feishuAccepts(hit.body) ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }));
    plan = [(_req, res) => res.writeHead(502).end('bad gateway'), answer];
    const url = `${base}/open-apis/bot/v2/hook/tok`;
    const result = await sendAlert({ url, format: 'feishu', robotSecret: FEISHU_SECRET, webhookSecrets: [] }, digest, { retryDelaysMs: [10, 10] });
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(hits.map((h) => h.url.pathname + h.url.search)).toEqual(['/open-apis/bot/v2/hook/tok', '/open-apis/bot/v2/hook/tok']);
    expect(JSON.parse(hits[1]!.body)).toMatchObject({ msg_type: 'text', content: { text: expect.stringContaining('order T1: gave up after 11 attempts') } });

    hits.length = 0;
    plan = [answer];
    const wrong = await sendAlert({ url, format: 'feishu', robotSecret: 'wrong', webhookSecrets: [] }, digest, { retryDelaysMs: [10] });
    expect(wrong).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
    expect(hits).toHaveLength(1);
  });

  it('a receiver that never answers: a timeout per attempt, then a failure', async () => {
    hits.length = 0;
    plan = [() => undefined, () => undefined];
    const started = Date.now();
    const result = await sendAlert({ url: `${base}/hook`, format: 'json', robotSecret: null, webhookSecrets: [] }, digest, { timeoutMs: 200, retryDelaysMs: [10] });
    expect(result).toMatchObject({ ok: false, reason: 'timeout', attempts: 2 });
    expect(hits).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('nothing listening is a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendAlert({ url: `http://127.0.0.1:${port}/hook`, format: 'slack', robotSecret: null, webhookSecrets: [] }, digest, { retryDelaysMs: [] });
    expect(result).toMatchObject({ ok: false, reason: 'network-error', attempts: 1 });
  });
});
