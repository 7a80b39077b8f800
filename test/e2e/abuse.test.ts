// Bad input at volume, short (bench:abuse sends 10,000): every kind of malformed body, slow
// bodies (chunked, and with a declared length) among them, while genuine notifications keep
// arriving. None is answered `success`, each gets the gateway's own refusal, every genuine one is
// acknowledged, slow senders are cut off at the read deadline (408), and the Worker's heap is back
// where it was afterwards. On a stack of its own: a slow body cut off can take down wrangler dev's
// proxy connections (see below), which another file's requests would meet, and their traffic
// would move the heap.
import { expect, test } from 'vitest';
import { ABUSE_KINDS, abuseReport, runAbuse, type AbusePlan, type AbuseKind } from './abuse';
import { ownStack } from './client';
import { PROXY_LOST_CONNECTION } from './harness';

const PLAN: AbusePlan = {
  bodies: 240,
  concurrency: 8,
  slow: 3,
  slowIntervalMs: 1_000,
  oversizeBytes: 100 * 1024,
  genuineConcurrency: 2,
  genuinePauseMs: 100,
  settleMs: 2_000,
  seed: 11,
};

/** What the gateway answers each kind (wrangler dev's proxy aside, see below). */
const EXPECTED: Record<AbuseKind, RegExp> = {
  'random-bytes': /^(400|403) fail: /,
  'bad-percent-encoding': /^(400|403) fail: /,
  'duplicate-keys': /^400 fail: duplicate-key$/,
  truncated: /^(400|403) fail: /,
  tampered: /^403 fail: signature-mismatch$/,
  unsigned: /^403 fail: missing-signature$/,
  empty: /^400 fail: /,
  'json-body': /^(400|403) fail: /,
  'wrong-method': /^405 /,
  'oversize-content-length': /^413 fail: too-large$/,
  'oversize-chunked': /^413 fail: too-large$/,
  // The 408 may come with the connection already cut: the status is what counts.
  'slow-chunked': /^408 /,
  'slow-with-length': /^408 /,
};

const running = ownStack({ logLevel: 'warn' });

test(`${PLAN.bodies} malformed requests (${PLAN.slow} slow) beside genuine notifications: never success, genuine all acknowledged, heap settles`, async () => {
  const result = await runAbuse(running().info, PLAN);
  const report = abuseReport(PLAN, result).join('\n');
  console.log(report);

  expect(result.successes, report).toBe(0);
  for (const kind of ABUSE_KINDS) {
    const labels = [...result.answers.get(kind)!.keys()];
    expect(labels.length, `${kind} was sent`).toBeGreaterThan(0);
    // A slow body cut off at the deadline can take down the proxy connection it shared, and
    // wrangler dev answers what was pooled on it itself (see src/utils/read-capped.ts).
    const unexpected = labels.filter((label) => !EXPECTED[kind].test(label) && !label.startsWith(`503 ${PROXY_LOST_CONNECTION}`));
    expect(unexpected, `${kind}\n${report}`).toEqual([]);
  }
  expect(result.proxyLost, report).toBeLessThanOrEqual(3 * PLAN.slow);
  expect(result.slowSeconds.every((s) => s >= 9 && s < 30), report).toBe(true);

  expect(result.genuine.failures, report).toEqual(new Map());
  expect(result.genuine.acknowledged, report).toBe(result.genuine.sent);
  expect(result.genuine.sent, report).toBeGreaterThan(10);
  expect(result.healthMaxMs, report).toBeLessThan(10_000);
  // Like the proxy's 503s: tied to the slow bodies' cut-offs, so a few at most.
  expect(result.healthAskedAgain, report).toBeLessThanOrEqual(3 * PLAN.slow);

  // Right after a full collection, the heap is where it was: nothing of the bad requests is kept.
  expect(result.heapBytes.after - result.heapBytes.before, report).toBeLessThan(4 * 1024 * 1024);
}, 90_000);
