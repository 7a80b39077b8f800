// The e2e harness's own helpers: fetchWithin() gives up on an answer that does not come, and
// getWithin() asks again, as a GET stuck in wrangler dev's proxy needs (a later request frees it),
// and sendPastProxyLosses() re-sends what the proxy answered itself.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { fetchWithin, getWithin, portBelowEphemeral, sendPastProxyLosses } from '../e2e/harness';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server that leaves the first `unanswered` requests hanging and answers the rest `ok <n>`. */
async function serverIgnoring(unanswered: number): Promise<{ url: string; asks: () => number }> {
  let asks = 0;
  server = createServer((_request, response) => {
    asks += 1;
    if (asks > unanswered) response.end(`ok ${asks}`);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, asks: () => asks };
}

test('fetchWithin gives up on an answer that does not come, saying which request it was', async () => {
  const { url } = await serverIgnoring(1);
  await expect(fetchWithin(url, { method: 'POST', body: 'x' }, 300)).rejects.toThrow(`POST ${url}: no whole answer within 0.3 s`);
});

test('getWithin asks again when a GET is not answered, and returns the answer that came', async () => {
  const { url, asks } = await serverIgnoring(2);
  expect(await getWithin(url, {}, { tries: 3, eachMs: 300 })).toEqual({ status: 200, text: 'ok 3' });
  expect(asks()).toBe(3);
});

test('getWithin stops after its tries and throws the last failure', async () => {
  const { url, asks } = await serverIgnoring(5);
  await expect(getWithin(url, {}, { tries: 2, eachMs: 200 })).rejects.toThrow('no whole answer within 0.2 s');
  expect(asks()).toBe(2);
});

test('sendPastProxyLosses sends again what the proxy answered itself, three times at most, and returns the last answer', async () => {
  const lost = (answer: string) => answer === '503 proxy';
  const WAITS = [1, 1, 1]; // the real waits (seconds in all) change nothing here
  const answersOf = (list: string[]) => {
    let sent = 0;
    return { send: async () => list[Math.min(sent++, list.length - 1)]!, sent: () => sent };
  };
  const recovered = answersOf(['503 proxy', '503 proxy', '200 success']);
  const counted: number[] = [];
  expect(await sendPastProxyLosses(recovered.send, lost, (n) => counted.push(n), WAITS)).toBe('200 success');
  expect([recovered.sent(), counted]).toEqual([3, [1, 2]]);

  const alwaysLost = answersOf(['503 proxy']);
  expect(await sendPastProxyLosses(alwaysLost.send, lost, undefined, WAITS)).toBe('503 proxy');
  expect(alwaysLost.sent()).toBe(4);

  // The gateway's own answers, whatever they are, are never sent again.
  const refused = answersOf(['400 fail: malformed-body', '200 success']);
  expect(await sendPastProxyLosses(refused.send, lost, undefined, WAITS)).toBe('400 fail: malformed-body');
  expect(refused.sent()).toBe(1);
});

test('freePort never draws a port Chromium refuses to load a page from (10080)', () => {
  const low = 10_000;
  const high = 32_768;
  const at = (port: number) => (port - low + 0.5) / (high - low); // the random number that lands on `port`
  expect(portBelowEphemeral(at(10_080), low, high)).toBe(10_081);
  expect(portBelowEphemeral(at(10_079), low, high)).toBe(10_079);
  expect(portBelowEphemeral(at(10_081), low, high)).toBe(10_081);
  expect(portBelowEphemeral(0, low, high)).toBe(low);
  expect(portBelowEphemeral(0.999_999_9, low, high)).toBe(high - 1);
});
