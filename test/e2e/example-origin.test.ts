// The Node receiver merchants copy (examples/node-origin/server.mjs, which checks signatures with
// the `standardwebhooks` package) behind a real gateway: every verified notification, UTF-8 or
// GBK, reaches it and it prints the event exactly once; a re-send from Alipay prints nothing new.
// What it printed is the evidence: a signature it could not check shows up as a `rejected` line,
// a second forward of the same event as a `duplicate` line.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventually, gatewayClient } from './client';
import { startExampleStack, type ExampleLogLine, type ExampleStack } from './example-origin';
import { gbkPaidNotification, withRawHighBytes } from '../support/gbk-notifications';
import { sleep } from './harness';
import { paidNotification } from '../support/notifications';

let stack: ExampleStack | undefined;
function running(): ExampleStack {
  if (stack === undefined) throw new Error('the example stack did not start');
  return stack;
}

beforeAll(async () => {
  stack = await startExampleStack();
});
afterAll(async () => {
  await stack?.stop();
});

const { postNotification: post, ledgerOf, deliveredLedger } = gatewayClient(() => running().gateway);

/** Every line the example printed about this order or this event (a `rejected` line names only the event). */
function linesAbout(outTradeNo: string, webhookId: string): ExampleLogLine[] {
  return running()
    .origin.lines()
    .filter((line) => line.out_trade_no === outTradeNo || line.webhook_id === webhookId);
}

/**
 * Waits until the gateway has the order's paid event delivered, and the example's line for it
 * has come through the pipe; then a little longer, so a second forward (the bug this looks
 * for, sent no later than the first) has been printed too. Returns the event id and the lines.
 */
async function printedFor(outTradeNo: string): Promise<{ webhookId: string; lines: ExampleLogLine[] }> {
  const ledger = await deliveredLedger(outTradeNo).catch((error: Error) => {
    // The example's own words say why (e.g. `rejected` / `signature-mismatch`).
    throw new Error(`${error.message}; the example's last lines: ${JSON.stringify(running().origin.lines().slice(-3))}`);
  });
  const webhookId = ledger.events.find((e) => e.eventKey === 'paid')!.webhookId;
  await eventually(`the example's line for ${outTradeNo}`, async () => (linesAbout(outTradeNo, webhookId).length > 0 ? true : undefined));
  await sleep(500);
  return { webhookId, lines: linesAbout(outTradeNo, webhookId) };
}

function receivedOnce(webhookId: string, outTradeNo: string, totalAmount: string) {
  return [
    expect.objectContaining({
      origin: 'node-origin-example',
      outcome: 'received',
      webhook_id: webhookId,
      kind: 'paid',
      attempt: 1,
      out_trade_no: outTradeNo,
      trade_status: 'TRADE_SUCCESS',
      total_amount: totalAmount,
    }),
  ];
}

test('a UTF-8 notification is printed once by the example receiver', async () => {
  const { params, body } = await paidNotification();
  const order = params.out_trade_no!;

  expect(await post(body, 'utf-8')).toEqual({ status: 200, body: 'success' });

  const { webhookId, lines } = await printedFor(order);
  expect(lines).toEqual(receivedOnce(webhookId, order, params.total_amount!));
});

test('a GBK notification is printed once, and its re-send prints nothing new', async () => {
  const { outTradeNo, body } = await gbkPaidNotification();

  expect(await post(body, 'GBK')).toEqual({ status: 200, body: 'success' });
  const { webhookId, lines } = await printedFor(outTradeNo);
  expect(lines).toEqual(receivedOnce(webhookId, outTradeNo, '1.00'));

  // Alipay re-sends until it reads `success`; this one must stop at the gateway.
  expect(await post(body, 'GBK')).toEqual({ status: 200, body: 'success' });
  await sleep(1_500); // longer than the first retry delay: a new forward would have been printed by now
  expect(linesAbout(outTradeNo, webhookId)).toEqual(lines);
  const ledger = await ledgerOf(outTradeNo);
  expect(ledger?.events.map((e) => [e.eventKey, e.state, e.attempts])).toEqual([['paid', 'delivered', 1]]);
});

test('a GBK body with raw (not percent-encoded) bytes is verified over those bytes and printed once', async () => {
  const { outTradeNo, body: encoded } = await gbkPaidNotification();
  const body = withRawHighBytes(encoded);
  // Not UTF-8, so the `standardwebhooks` library (which takes a string) cannot check it: the
  // example must take its raw-byte path. The bytes really are GBK text.
  expect(() => new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body)).toThrow();
  expect(new TextDecoder('gbk').decode(body)).toContain('subject=支付标题+测试%2B1');

  expect(await post(body, 'GBK')).toEqual({ status: 200, body: 'success' });
  const { webhookId, lines } = await printedFor(outTradeNo);
  expect(lines).toEqual(receivedOnce(webhookId, outTradeNo, '1.00'));
});
