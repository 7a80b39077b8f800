// Oversize bodies among genuine notifications, under real `wrangler dev`: a chunked body over the
// 64 KiB cap (no Content-Length) is answered 413 and its connection is not cut, bodies with a
// Content-Length over the cap are refused the same way, every genuine notification sent meanwhile
// gets `success`, and /health keeps answering.
//
// Wrangler's proxy answers "503 Your worker restarted mid-request" to *any* failed connection to
// the Worker for a POST (its "did the Worker restart?" check compares the request's whole URL
// with the Worker's bare origin, so it never matches a path like /alipay/notify). On busy CI
// machines it loses connections now and then whatever the gateway does: 16 genuine notifications
// of 100 in one CI run, one chunked body of 15 in another, none in ~50 runs of this file here
// (three at once beside two CPU burners, or beside an apt-get install). So, as Alipay does, a
// request so answered is sent again after a wait, at most three times (sendPastProxyLosses); the
// test fails when one still gets it after that, or when a connection breaks.
//
// The defect this was written for (the gateway cancelled an oversize chunked body instead of
// draining it, and workerd then dropped a connection the proxy was reusing) is pinned exactly by
// test/read-capped.test.ts, which counts what was pulled from the body. This test, with cancelling
// put back, failed 6 runs of 6 on this machine: 5 to 11 chunked bodies had their connection broken
// (ECONNRESET) each time, beside ~100 proxy 503s (with 60 chunked bodies, 9 runs of 12 failed;
// hence 120). With draining, no run here had a single proxy 503.
import { expect, test } from 'vitest';
import { labelOf, rawPost } from './abuse';
import { ownStack } from './client';
import { fetchWithin, isProxyLoss, sendPastProxyLosses } from './harness';
import { paidNotification } from '../support/notifications';

const GENUINE = 100;
const CHUNKED = 120;
const WITH_LENGTH = 2;
const CONCURRENCY = 16;

// A stack of its own: in the shared one, other files' traffic met this flood in wrangler's proxy,
// and the proxy lost connections far more often (10 genuine notifications of 100 once, on a machine
// running two suites at once) than with this file's traffic alone (none in 2,100).
const running = ownStack({ logLevel: 'warn' });

test(`${CHUNKED} chunked and ${WITH_LENGTH} Content-Length bodies over the cap among ${GENUINE} genuine notifications: 413 for each, success for every genuine one`, async () => {
  const { notifyUrl, gatewayUrl } = running().info;
  const genuine = await Promise.all(Array.from({ length: GENUINE }, async () => (await paidNotification()).body));
  type Job = { kind: 'genuine'; body: Uint8Array } | { kind: 'chunked' | 'with-length' };
  const jobs: Job[] = genuine.map((body) => ({ kind: 'genuine' as const, body }));
  // Spread the oversize ones through the genuine stream.
  for (let i = 0; i < CHUNKED; i++) jobs.splice(Math.floor(((i + 0.5) * jobs.length) / CHUNKED), 0, { kind: 'chunked' });
  for (let i = 0; i < WITH_LENGTH; i++) jobs.splice(Math.floor(((i + 0.5) * jobs.length) / WITH_LENGTH), 0, { kind: 'with-length' });

  const answers = new Map<string, Map<string, number>>([['genuine', new Map()], ['chunked', new Map()], ['with-length', new Map()]]);
  let next = 0;
  let done = false;
  let healthMaxMs = 0;
  let proxyResends = 0;
  let mostResendsOfOne = 0;
  const health = (async () => {
    while (!done) {
      const started = performance.now();
      const ok = await fetchWithin(`${gatewayUrl}/health`, {}, 30_000).then((r) => r.status === 200).catch(() => false);
      healthMaxMs = Math.max(healthMaxMs, ok ? performance.now() - started : Number.POSITIVE_INFINITY);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const send = () =>
        job.kind === 'genuine'
          ? rawPost(notifyUrl, { body: job.body })
          : job.kind === 'chunked'
            ? rawPost(notifyUrl, { stream: { total: 1024 * 1024, chunk: 16 * 1024, intervalMs: 0 } })
            : rawPost(notifyUrl, { body: new Uint8Array(2 * 1024 * 1024).fill(0x61) });
      const answer = await sendPastProxyLosses(send, isProxyLoss, (resends) => {
        proxyResends += 1;
        mostResendsOfOne = Math.max(mostResendsOfOne, resends);
      });
      const byLabel = answers.get(job.kind)!;
      byLabel.set(labelOf(answer), (byLabel.get(labelOf(answer)) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  done = true;
  await health;

  if (proxyResends > 0) console.warn(`oversize-bodies: ${proxyResends} requests re-sent after wrangler dev's proxy lost a connection (at most ${mostResendsOfOne} times one request)`);
  // Every answer in each failure message: vitest abbreviates an object it compares.
  const seen = `answers: ${JSON.stringify(Object.fromEntries([...answers].map(([kind, labels]) => [kind, Object.fromEntries(labels)])))}; ${proxyResends} re-sent after the proxy's own 503 (at most ${mostResendsOfOne} times one request); the gateway's last lines:\n${running().gateway.process.tail()}`;
  expect(Object.fromEntries(answers.get('genuine')!), seen).toEqual({ '200 success': GENUINE });
  expect(Object.fromEntries(answers.get('chunked')!), seen).toEqual({ '413 fail: too-large': CHUNKED });
  expect(Object.fromEntries(answers.get('with-length')!), seen).toEqual({ '413 fail: too-large': WITH_LENGTH });
  expect(healthMaxMs, seen).toBeLessThan(10_000);
}, 120_000);
