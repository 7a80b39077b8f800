// Alerts inside workerd: one message per kind per window with counts (a pure policy over a JSON
// state), each receiver's body, and the sender's retries, time limit and per-format verdicts,
// with the Worker's own fetch replaced by a receiver that records what it got.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_POLICY, EMPTY_ALERT_STATE, flushDue, noteAlert, returnUnsent, type AlertState } from '../src/alerts/debounce';
import { dingTalkSignedUrl } from '../src/alerts/dingtalk-sign';
import { formatAlert, KIND_TITLES } from '../src/alerts/format';
import { sendAlert } from '../src/alerts/send';
import type { Alert, AlertDigest, AlertTarget } from '../src/alerts/types';
import { expiringCertificates } from '../src/alerts/cert-expiry';
import { REJECTION_SPIKE, countNow, countOne, countSome, emptyWindow } from '../src/alerts/window-count';
import { TEST_ONLY_FORWARD_SECRETS } from './fixtures/gateway-test-keys';

const T0 = Date.UTC(2026, 4, 14, 2, 0, 0);
const MIN = 60_000;

function alert(kind: Alert['kind'], at: number, summary = `${kind} at ${at}`): Alert {
  return { kind, summary, details: { order: 'T1' }, at };
}

describe('debounce: one message per kind per window', () => {
  it('sends the first at once, counts the rest, and sends them as one digest when the window ends', () => {
    let state: AlertState = EMPTY_ALERT_STATE;
    const first = noteAlert(state, alert('dead-letter', T0));
    expect(first.send).toHaveLength(1);
    expect(first.send[0]).toMatchObject({ kind: 'dead-letter', count: 1, firstAt: T0 });
    expect(first.wakeAt).toBeNull();
    state = first.state;

    for (let i = 1; i <= 7; i++) {
      const step = noteAlert(state, alert('dead-letter', T0 + i * MIN));
      expect(step.send).toEqual([]);
      expect(step.wakeAt).toBe(T0 + DEFAULT_POLICY.windowMs['dead-letter']);
      state = step.state;
    }
    expect(flushDue(state, T0 + 9 * MIN).send).toEqual([]);
    const flushed = flushDue(state, T0 + 10 * MIN);
    expect(flushed.send).toHaveLength(1);
    expect(flushed.send[0]).toMatchObject({ kind: 'dead-letter', count: 7, firstAt: T0 + MIN, lastAt: T0 + 7 * MIN });
    expect(flushed.send[0]!.samples).toHaveLength(DEFAULT_POLICY.maxSamples);
    expect(flushed.wakeAt).toBeNull();
    // The state is plain JSON: a Durable Object stores it and reads it back unchanged.
    expect(JSON.parse(JSON.stringify(flushed.state))).toEqual(flushed.state);
  });

  it('keeps kinds apart: another kind is not held back by the first', () => {
    const a = noteAlert(EMPTY_ALERT_STATE, alert('dead-letter', T0));
    const b = noteAlert(a.state, alert('amount-mismatch', T0 + 1000));
    expect(b.send.map((d) => d.kind)).toEqual(['amount-mismatch']);
  });

  it('sends at once again once a quiet window has passed', () => {
    const a = noteAlert(EMPTY_ALERT_STATE, alert('origin-failing', T0));
    const b = noteAlert(a.state, alert('origin-failing', T0 + DEFAULT_POLICY.windowMs['origin-failing']));
    expect(b.send).toHaveLength(1);
    expect(b.send[0]!.count).toBe(1);
  });

  it('a digest that could not be sent goes back with its count, in front, and out at the next window', () => {
    const a = noteAlert(EMPTY_ALERT_STATE, alert('dead-letter', T0));
    const failed = a.send[0]!;
    const back = returnUnsent(a.state, failed);
    expect(back.wakeAt).toBe(T0 + DEFAULT_POLICY.windowMs['dead-letter']);
    const more = noteAlert(back.state, alert('dead-letter', T0 + MIN, 'second'));
    const out = flushDue(more.state, more.wakeAt!);
    expect(out.send).toHaveLength(1);
    expect(out.send[0]!.count).toBe(2);
    expect(out.send[0]!.samples.map((s) => s.summary)).toEqual([failed.samples[0]!.summary, 'second']);
  });

  it('bounds what it keeps: long summaries and many details are clipped', () => {
    const big: Alert = { kind: 'rejection-spike', summary: 'x'.repeat(10_000), details: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'y'.repeat(1000)])), at: T0 };
    const kept = noteAlert(EMPTY_ALERT_STATE, big).send[0]!.samples[0]!;
    expect(kept.summary.length).toBeLessThanOrEqual(300);
    expect(Object.keys(kept.details!)).toHaveLength(12);
    expect(JSON.stringify(kept).length).toBeLessThan(4000);
  });
});

describe('counting over a sliding window (rejection spikes)', () => {
  it('reaches the threshold once at the 20th failure within 10 minutes, and forgets what is older', () => {
    let state = emptyWindow(REJECTION_SPIKE);
    const reachedAt: number[] = [];
    for (let i = 0; i < 25; i++) {
      const step = countOne(state, T0 + i * 20_000, REJECTION_SPIKE, REJECTION_SPIKE.threshold);
      state = step.state;
      if (step.reached) reachedAt.push(i + 1);
    }
    expect(reachedAt).toEqual([20]);
    expect(countNow(state, T0 + 24 * 20_000, REJECTION_SPIKE)).toBe(25);
    // 25 failures over 8 minutes; 10 minutes after the last one, none is left in the window.
    expect(countNow(state, T0 + 24 * 20_000 + 10 * MIN + 60_000, REJECTION_SPIKE)).toBe(0);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state.counts).toHaveLength(10);
  });

  it('a batch counted elsewhere reaches the threshold once, when it crosses it', () => {
    let state = emptyWindow(REJECTION_SPIKE);
    const first = countSome(state, T0, REJECTION_SPIKE, 20, 15);
    expect(first).toMatchObject({ count: 15, reached: false });
    state = first.state;
    const crossing = countSome(state, T0 + MIN, REJECTION_SPIKE, 20, 9);
    expect(crossing).toMatchObject({ count: 24, reached: true });
    expect(countSome(crossing.state, T0 + 2 * MIN, REJECTION_SPIKE, 20, 30)).toMatchObject({ count: 54, reached: false });
  });

  it('19 failures spread over more than the window never reach 20', () => {
    let state = emptyWindow(REJECTION_SPIKE);
    let reached = false;
    for (let i = 0; i < 60; i++) {
      const step = countOne(state, T0 + i * 40_000, REJECTION_SPIKE, REJECTION_SPIKE.threshold);
      state = step.state;
      reached ||= step.reached;
    }
    expect(reached).toBe(false);
  });
});

const digest: AlertDigest = {
  kind: 'payment-found-by-query',
  count: 3,
  firstAt: T0,
  lastAt: T0 + 5 * MIN,
  samples: [alert('payment-found-by-query', T0, 'order T1 paid 88.80, found by asking Alipay'), alert('payment-found-by-query', T0 + MIN, 'order T2 <b>&')],
};

describe('formats', () => {
  it('DingTalk: a markdown message with a title and the count', () => {
    const body = JSON.parse(formatAlert(digest, 'dingtalk').body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toContain(KIND_TITLES['payment-found-by-query']);
    expect(body.markdown.text).toContain('×3');
    expect(body.markdown.text).toContain('order T1 paid 88.80');
    expect(body.markdown.text).toContain('and 1 more');
    // The keyword a DingTalk robot can be set to check.
    expect(body.markdown.text).toContain('alipay-notify-edge');
  });

  it('WeCom: markdown content within its 4096-byte limit, cut at a character boundary', () => {
    const long: AlertDigest = { ...digest, samples: [alert('payment-found-by-query', T0, '支付'.repeat(2000))] };
    const body = JSON.parse(formatAlert(long, 'wecom').body);
    expect(body.msgtype).toBe('markdown');
    expect(new TextEncoder().encode(body.markdown.content).length).toBeLessThanOrEqual(4096);
    expect(body.markdown.content).not.toContain('\ufffd');
  });

  it('Slack: text with &, < and > escaped', () => {
    const body = JSON.parse(formatAlert(digest, 'slack').body);
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('order T2 &lt;b&gt;&amp;');
  });

  it('Feishu: a plain text message with the title line and one line per sample, clipped like the others', () => {
    const body = JSON.parse(formatAlert(digest, 'feishu').body);
    expect(body).toEqual({ msg_type: 'text', content: { text: expect.any(String) } });
    const lines = body.content.text.split('\n');
    // The keyword a Feishu robot can be set to check is on the title line.
    expect(lines[0]).toBe(`[alipay-notify-edge] ${KIND_TITLES['payment-found-by-query']} ×3`);
    expect(lines.slice(1)).toEqual([
      '- order T1 paid 88.80, found by asking Alipay (order=T1)',
      '- order T2 <b>& (order=T1)',
      '- … and 1 more of the same kind',
      '2026-05-14T02:00:00Z to 2026-05-14T02:05:00Z',
    ]);
    const long: AlertDigest = { ...digest, samples: [alert('payment-found-by-query', T0, '支付\n'.repeat(2000))] };
    const text = JSON.parse(formatAlert(long, 'feishu').body).content.text as string;
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(3800);
    expect(text.split('\n')[1]).toMatch(/^- 支付 支付/);
  });

  it('JSON: the digest as data', () => {
    const body = JSON.parse(formatAlert(digest, 'json').body);
    expect(body).toMatchObject({ type: 'alipay-notify-edge.alert', kind: 'payment-found-by-query', count: 3, first_at: '2026-05-14T02:00:00Z' });
    expect(body.samples[1]).toEqual({ at: '2026-05-14T02:01:00Z', summary: 'order T2 <b>&', details: { order: 'T1' } });
  });
});

interface Received {
  url: string;
  headers: Headers;
  body: string;
}

function receiver(answers: (() => Response | Promise<Response>)[]): { fetch: typeof fetch; received: Received[] } {
  const received: Received[] = [];
  let i = 0;
  return {
    received,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      received.push({ url: request.url, headers: request.headers, body: await request.text() });
      const answer = answers[Math.min(i++, answers.length - 1)]!;
      return answer();
    },
  };
}

const noSleep = { sleep: async () => undefined };

function target(overrides: Partial<AlertTarget>): AlertTarget {
  return { url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', format: 'dingtalk', robotSecret: null, webhookSecrets: [], ...overrides };
}

const FEISHU_URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/t0ken';

/** Feishu's documented 签名校验, written here with WebCrypto: HMAC-SHA256 keyed with timestamp + "\n" + secret, over no bytes, base64. */
async function feishuDocumentedSign(secret: string, timestamp: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(`${timestamp}\n${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new Uint8Array(0)));
  return btoa(String.fromCharCode(...mac));
}

function formatted(format: AlertTarget['format']): Record<string, unknown> & { content?: unknown } {
  return JSON.parse(formatAlert(digest, format).body);
}

describe('sending', () => {
  afterEach(() => vi.restoreAllMocks());

  it('DingTalk: signs the URL afresh for each attempt and retries a 5xx, then succeeds on errcode 0', async () => {
    const r = receiver([() => new Response('oops', { status: 502 }), () => Response.json({ errcode: 0, errmsg: 'ok' })]);
    let now = T0;
    const result = await sendAlert(target({ robotSecret: 'SECtest' }), digest, { fetch: r.fetch, ...noSleep, now: () => (now += 1000) });
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(r.received).toHaveLength(2);
    const [u1, u2] = r.received.map((x) => new URL(x.url));
    expect(u1!.searchParams.get('access_token')).toBe('abc');
    expect(u1!.searchParams.get('timestamp')).toBe(String(T0 + 1000));
    expect(u2!.searchParams.get('timestamp')).toBe(String(T0 + 2000));
    expect(u1!.searchParams.get('sign')).not.toBe(u2!.searchParams.get('sign'));
    expect(r.received[0]!.url).toBe(await dingTalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SECtest', T0 + 1000));
    expect(JSON.parse(r.received[0]!.body).msgtype).toBe('markdown');
  });

  it('DingTalk: HTTP 200 with errcode 310000 is a refusal, not retried, and the hint says what to check', async () => {
    const r = receiver([() => Response.json({ errcode: 310000, errmsg: 'sign not match' })]);
    const result = await sendAlert(target({ robotSecret: 'SECwrong' }), digest, { fetch: r.fetch, ...noSleep });
    expect(result).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
    expect(result.ok ? '' : result.hint).toMatch(/errcode 310000: sign not match.*ALERT_SECRET/);
    expect(result.ok ? '' : result.hint).not.toContain('access_token');
  });

  it('Feishu: 签名校验 puts timestamp (epoch seconds) and sign in the body, signed afresh per attempt; code 0 is success', async () => {
    const r = receiver([() => new Response('oops', { status: 502 }), () => Response.json({ code: 0, msg: 'success', data: {} })]);
    let now = T0 + 999;
    const result = await sendAlert(target({ url: FEISHU_URL, format: 'feishu', robotSecret: 'feishu-s3cret' }), digest, { fetch: r.fetch, ...noSleep, now: () => (now += 1000) });
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(r.received.map((x) => x.url)).toEqual([FEISHU_URL, FEISHU_URL]);
    const [b1, b2] = r.received.map((x) => JSON.parse(x.body));
    // Whole seconds, as a string: T0 + 1.999 s and T0 + 2.999 s.
    expect(b1.timestamp).toBe(String(T0 / 1000 + 1));
    expect(b2.timestamp).toBe(String(T0 / 1000 + 2));
    for (const b of [b1, b2]) expect(b.sign).toBe(await feishuDocumentedSign('feishu-s3cret', b.timestamp));
    expect(b1.sign).not.toBe(b2.sign);
    expect(b1).toMatchObject({ msg_type: 'text', content: formatted('feishu').content });
  });

  it('Feishu: no secret, no timestamp or sign; the older answer StatusCode 0 is success too', async () => {
    const r = receiver([() => Response.json({ Extra: null, StatusCode: 0, StatusMessage: 'success' })]);
    const result = await sendAlert(target({ url: FEISHU_URL, format: 'feishu' }), digest, { fetch: r.fetch, ...noSleep });
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(JSON.parse(r.received[0]!.body)).toEqual(formatted('feishu'));
  });

  it('Feishu: HTTP 200 with code 19021 is a refusal, not retried, and the hint says what to check', async () => {
    const r = receiver([() => Response.json({ code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} })]);
    const result = await sendAlert(target({ url: FEISHU_URL, format: 'feishu', robotSecret: 'wr0ng-secret' }), digest, { fetch: r.fetch, ...noSleep });
    expect(result).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
    const hint = result.ok ? '' : result.hint;
    expect(hint).toMatch(/^open\.feishu\.cn refused the message \(code 19021: sign match fail.*\).*签名校验.*ALERT_SECRET/);
    expect(hint).not.toContain('t0ken');
    expect(hint).not.toContain('wr0ng-secret');
    const keyword = receiver([() => Response.json({ code: 19024, msg: 'Key Words Not Found' })]);
    const refused = await sendAlert(target({ url: FEISHU_URL, format: 'feishu' }), digest, { fetch: keyword.fetch, ...noSleep });
    expect(refused.ok ? '' : refused.hint).toMatch(/code 19024: Key Words Not Found.*keyword.*alipay-notify-edge/);
  });

  it('Feishu: frequency limited (code 11232) is retried as a rate limit', async () => {
    const r = receiver([() => Response.json({ code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]' }), () => Response.json({ code: 0, msg: 'success', data: {} })]);
    const sleeps: number[] = [];
    const result = await sendAlert(target({ url: FEISHU_URL, format: 'feishu' }), digest, { fetch: r.fetch, sleep: async (ms) => void sleeps.push(ms) });
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(sleeps).toEqual([1_000]);
  });

  it('Feishu: an answer that is not a Feishu robot\'s JSON is a refusal', async () => {
    const r = receiver([() => new Response('<html>ok</html>', { headers: { 'content-type': 'text/html' } })]);
    const result = await sendAlert(target({ url: FEISHU_URL, format: 'feishu' }), digest, { fetch: r.fetch, ...noSleep });
    expect(result).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
    expect(result.ok ? '' : result.hint).toMatch(/did not answer as a Feishu robot does.*is ALERT_FORMAT right\?/);
  });

  it('WeCom: a rate limit (errcode 45009) is retried; all attempts spent is a failure with the last reason', async () => {
    const r = receiver([() => Response.json({ errcode: 45009, errmsg: 'api freq out of limit' })]);
    const sleeps: number[] = [];
    const result = await sendAlert(target({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', format: 'wecom' }), digest, {
      fetch: r.fetch,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(result).toMatchObject({ ok: false, reason: 'rate-limited', attempts: 3 });
    expect(sleeps).toEqual([1_000, 5_000]);
  });

  it('Slack: a 429 waits as long as Retry-After says (bounded)', async () => {
    const r = receiver([() => new Response('rate_limited', { status: 429, headers: { 'retry-after': '7' } }), () => new Response('ok')]);
    const sleeps: number[] = [];
    const result = await sendAlert(target({ url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' }), digest, {
      fetch: r.fetch,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(sleeps).toEqual([7_000]);
  });

  it('JSON: signed with Standard Webhooks when ALERT_SECRET is a whsec_ secret (checked with the reference library)', async () => {
    const r = receiver([() => new Response(null, { status: 204 })]);
    const secret = TEST_ONLY_FORWARD_SECRETS[0];
    const bytes = Uint8Array.from(atob(secret.slice('whsec_'.length)), (c) => c.charCodeAt(0));
    const result = await sendAlert(target({ url: 'https://ops.example.com/alerts', format: 'json', webhookSecrets: [bytes] }), digest, { fetch: r.fetch, ...noSleep, now: () => Date.now() });
    expect(result).toEqual({ ok: true, attempts: 1 });
    const got = r.received[0]!;
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, got.headers.get(h)!]));
    expect(new Webhook(secret).verify(got.body, headers)).toMatchObject({ kind: 'payment-found-by-query', count: 3 });
  });

  it('a receiver that never answers is a timeout, per attempt', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const result = await sendAlert(target({ format: 'json', url: 'https://ops.example.com/a' }), digest, { fetch: hanging, timeoutMs: 30, retryDelaysMs: [0], ...noSleep });
    expect(result).toMatchObject({ ok: false, reason: 'timeout', attempts: 2 });
  });

  it('the Worker\'s own fetch is used when none is given', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'));
    const result = await sendAlert(target({ url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' }), digest, noSleep);
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('a 404 (robot deleted) is not retried', async () => {
    const r = receiver([() => new Response('no_service', { status: 404 })]);
    const result = await sendAlert(target({ url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' }), digest, { fetch: r.fetch, ...noSleep });
    expect(result).toMatchObject({ ok: false, reason: 'rejected', attempts: 1 });
    expect(result.ok ? '' : result.hint).toMatch(/HTTP 404 \(is ALERT_URL still valid\?\)/);
  });
});

describe('certificates about to expire', () => {
  const DAY = 86_400_000;
  it('within 30 days, or expired: one alert each, naming the SN, the date and the setting', () => {
    const alerts = expiringCertificates(
      [
        { role: 'alipay', sn: 'a'.repeat(32), notAfter: T0 + 10 * DAY },
        { role: 'app', sn: 'b'.repeat(32), notAfter: T0 - DAY },
      ],
      T0,
    );
    expect(alerts.map((a) => a.summary)).toEqual([
      expect.stringMatching(/Alipay public key certificate .* SN a{32} expires on 2026-05-24 \(in 10 days\): .* ALIPAY_PUBLIC_KEY/),
      expect.stringMatching(/app certificate .* SN b{32} expired on 2026-05-13: .* ALIPAY_APP_CERT/),
    ]);
    expect(alerts.every((a) => a.kind === 'certificate-expiring')).toBe(true);
    expect(expiringCertificates([{ role: 'app', sn: 'c'.repeat(32), notAfter: T0 + 31 * DAY }], T0)).toEqual([]);
  });

  it('during a renewal (the new certificate configured beside the old), the old one lapsing is not alerted', () => {
    const certs = [
      { role: 'alipay' as const, sn: 'a'.repeat(32), notAfter: T0 + 10 * DAY },
      { role: 'alipay' as const, sn: 'd'.repeat(32), notAfter: T0 + 400 * DAY },
    ];
    expect(expiringCertificates(certs, T0)).toEqual([]);
    expect(expiringCertificates(certs.slice(0, 1), T0)).toHaveLength(1);
  });
});
