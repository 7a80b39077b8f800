// Through a real `wrangler dev`: the buyer's page opens the status WebSocket (Hibernation API on
// the order's Durable Object) and hears "paid" as soon as the notification is recorded; the
// payments index shows the order in the operator's history. Node 20 has no global WebSocket:
// the `ws` package plays the browser.
import { createHmac } from 'node:crypto';
import { expect, test } from 'vitest';
import WebSocket from 'ws';
import { adminGet, eventually, postNotification, stack } from './client';
import { getWithin } from './harness';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';
import { paidNotification } from '../support/notifications';
import { withWrongSig } from '../support/wrong-sig';

/** The merchant page's link, signed with node:crypto (not the gateway's code). */
function statusQuery(outTradeNo: string, exp = Math.floor(Date.now() / 1000) + 600): string {
  const sig = createHmac('sha256', stack().statusSecret).update(`${TEST_APP_ID}.${outTradeNo}.${exp}`).digest('hex');
  return new URLSearchParams({ app_id: TEST_APP_ID, out_trade_no: outTradeNo, exp: String(exp), sig }).toString();
}

test('the status socket hears the payment the moment it is recorded; the history lists it', async () => {
  const { params, body } = await paidNotification({ total_amount: '66.60' });
  const outTradeNo = params.out_trade_no!;
  const query = statusQuery(outTradeNo);

  const messages: unknown[] = [];
  const ws = new WebSocket(`${stack().gatewayUrl.replace(/^http/, 'ws')}/alipay/status?${query}`);
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await eventually('the first status message', async () => (messages.length >= 1 ? true : undefined), 5_000);
  expect(messages[0]).toEqual({ status: 'unknown', amount: null, paidAt: null });

  const sent = Date.now();
  expect(await postNotification(body)).toEqual({ status: 200, body: 'success' });
  await eventually('the paid status on the socket', async () => (messages.length >= 2 ? true : undefined), 5_000);
  // Pushed when the ledger recorded it: no polling interval in between.
  expect(Date.now() - sent).toBeLessThan(2_000);
  expect(messages[1]).toEqual({ status: 'paid', amount: '66.60', paidAt: expect.stringMatching(/Z$/) });
  ws.close();

  // The plain GET says the same; a wrong signature gets 403.
  const plain = await getWithin(`${stack().gatewayUrl}/alipay/status?${query}`);
  expect([plain.status, JSON.parse(plain.text)]).toEqual([200, messages[1]]);
  expect((await getWithin(`${stack().gatewayUrl}/alipay/status?${withWrongSig(query)}`)).status).toBe(403);

  // The ledger's alarm pushed the order into the payments index (the history, page by page: the
  // files running beside this one add payments too).
  type Row = { outTradeNo: string; status: string; delivery: string; total: string };
  const inHistory = async (): Promise<Row | undefined> => {
    for (let cursor: string | null = null, page = 0; page === 0 || (cursor !== null && page < 20); page++) {
      const { text } = await adminGet(`/admin/api/payments?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      const { items, nextCursor } = JSON.parse(text) as { items: Row[]; nextCursor: string | null };
      const found = items.find((i) => i.outTradeNo === outTradeNo);
      if (found) return found;
      cursor = nextCursor;
    }
    return undefined;
  };
  const row = await eventually('the order in the history', async () => {
    const found = await inHistory();
    return found?.delivery === 'delivered' ? found : undefined;
  });
  expect(row).toMatchObject({ status: 'paid', total: '66.60' });
});
