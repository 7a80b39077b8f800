// Oversize bodies among genuine notifications, under real `wrangler dev`: a chunked body over the
// 64 KiB cap (no Content-Length) is answered 413, not wrangler's "503 Your worker restarted
// mid-request", and the genuine notifications sent meanwhile all get `success` (before the fix,
// 50 such bodies among 400 genuine ones failed ~35 of them with that 503), while /health keeps
// answering. Bodies with a Content-Length over the cap are refused the same way.
// On a busy machine wrangler's proxy still loses a connection to the Worker now and then and
// answers that request itself with the same 503: usually none in a run, but 6 genuine
// notifications of 100 once in a CI-like run on this file's own stack, and one chunked body of 15
// in a CI run, with every oversize body drained well before the read deadline (the gateway's log:
// 413s within 0.8 s), so the cause lies in the proxy, not in a cut. A request of any kind so
// answered is sent again, as Alipay (or the oversize sender) would, and at most MAX_PROXY_RESENDS
// re-sends are allowed in all. The defect this guards against cannot hide in that budget: it
// answered every chunked body so, however often sent, and failed 9 genuine ones in 100 besides.
import { expect, test } from 'vitest';
import { PROXY_LOST_CONNECTION, labelOf, rawPost } from './abuse';
import { ownStack } from './client';
import { fetchWithin } from './harness';
import { paidNotification } from '../support/notifications';

const GENUINE = 100;
const CHUNKED = 15;
const WITH_LENGTH = 2;
const CONCURRENCY = 16;
const MAX_PROXY_RESENDS = 12;

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
      let answer = await send();
      // Past MAX_PROXY_RESENDS the 503 stays this request's answer, and the test fails on it.
      while (answer.status === 503 && answer.body.startsWith(PROXY_LOST_CONNECTION) && proxyResends < MAX_PROXY_RESENDS) {
        proxyResends += 1;
        answer = await send();
      }
      const byLabel = answers.get(job.kind)!;
      byLabel.set(labelOf(answer), (byLabel.get(labelOf(answer)) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  done = true;
  await health;

  // Every answer in each failure message: vitest abbreviates an object it compares.
  const seen = `answers: ${JSON.stringify(Object.fromEntries([...answers].map(([kind, labels]) => [kind, Object.fromEntries(labels)])))}; ${proxyResends} re-sent after the proxy's own 503`;
  expect(Object.fromEntries(answers.get('genuine')!), seen).toEqual({ '200 success': GENUINE });
  expect(Object.fromEntries(answers.get('chunked')!), seen).toEqual({ '413 fail: too-large': CHUNKED });
  expect(Object.fromEntries(answers.get('with-length')!), seen).toEqual({ '413 fail: too-large': WITH_LENGTH });
  expect(healthMaxMs, seen).toBeLessThan(10_000);
}, 120_000);
