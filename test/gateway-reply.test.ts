// Every reply rule of the notify endpoint (docs/ARCHITECTURE.md "Answering Alipay").
import { beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from './support/encoding';
import { callWorker, gatewayEnv, mockOrigin, NOTIFY_URL, postNotify } from './support/gateway';
import { beijingTime, signedNotification, tradeParams } from './support/notifications';

beforeEach(() => {
  mockOrigin();
});

async function expectReply(response: Response, status: number): Promise<string> {
  const body = await response.text();
  expect(response.status).toBe(status);
  if (status === 200) {
    expect(body).toBe('success');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  } else {
    expect(body).not.toBe('success');
  }
  return body;
}

describe('notify endpoint replies', () => {
  it('answers exactly "success" to a verified, recorded notification', async () => {
    const response = await postNotify(await signedNotification(tradeParams()));
    expect(new Uint8Array(await response.clone().arrayBuffer())).toEqual(new TextEncoder().encode('success'));
    await expectReply(response, 200);
  });

  it('answers "success" again to a re-send of the same notify_id', async () => {
    const params = tradeParams();
    await expectReply(await postNotify(await signedNotification(params)), 200);
    // Alipay re-sends with a new notify_time and so a new sign, same notify_id.
    await expectReply(await postNotify(await signedNotification({ ...params, notify_time: beijingTime(Date.now() + 1000) })), 200);
  });

  it('400 for a malformed body', async () => {
    await expectReply(await postNotify('a=%zz&b'), 400);
    await expectReply(await postNotify(''), 400);
  });

  it('400 for a duplicated key', async () => {
    const body = new TextDecoder().decode(await signedNotification(tradeParams()));
    await expectReply(await postNotify(`${body}&out_trade_no=X`), 400);
  });

  it('403 for a bad signature', async () => {
    const body = await signedNotification(tradeParams());
    const tampered = new TextDecoder().decode(body).replace('total_amount=88.80', 'total_amount=0.01');
    await expectReply(await postNotify(tampered), 403);
  });

  it('403 for a missing signature or a sign type that is not accepted', async () => {
    const text = new TextDecoder().decode(await signedNotification(tradeParams()));
    await expectReply(await postNotify(text.replace(/&sign=[^&]*/, '')), 403);
    await expectReply(await postNotify(text.replace('sign_type=RSA2', 'sign_type=RSA')), 403);
  });

  it('409 when the notification is for another app', async () => {
    await expectReply(await postNotify(await signedNotification(tradeParams({ app_id: '2021999999999999' }))), 409);
  });

  it('422 when notify_time is too old (replay guard)', async () => {
    await expectReply(await postNotify(await signedNotification(tradeParams({ notify_time: '2020-01-01 00:00:00' }))), 422);
  });

  it('413 for a body over the cap, even without Content-Length', async () => {
    const big = utf8(`a=${'x'.repeat(70 * 1024)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(big.slice(i, i + 8192));
        controller.close();
      },
    });
    const request = new Request(NOTIFY_URL, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    await expectReply(await callWorker(request), 413);
    await expectReply(await postNotify(big), 413);
  });

  it('405 for other methods on the notify path, 404 elsewhere', async () => {
    const get = await callWorker(new Request(NOTIFY_URL));
    await expectReply(get, 405);
    expect(get.headers.get('allow')).toBe('POST');
    await expectReply(await callWorker(new Request('https://gateway.test/other', { method: 'POST', body: 'a=1' })), 404);
    await expectReply(await callWorker(new Request('https://gateway.test/')), 404);
  });

  it('503 and never success while the gateway is misconfigured', async () => {
    const body = await signedNotification(tradeParams());
    const response = await postNotify(body, { FORWARD_SECRET: undefined, ALIPAY_PUBLIC_KEY: 'not a key' });
    await expectReply(response, 503);
  });

  it('a setting that is not text (a table in wrangler.toml) is reported, not a crash of every route', async () => {
    const broken = { NOTIFY_PATH: { path: '/x' } };
    await expectReply(await postNotify(await signedNotification(tradeParams()), broken), 503);
    const health = await callWorker(new Request('https://gateway.test/health'), broken);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain('NOTIFY_PATH');
  });

  it('503 when the ledger (storage) is unavailable', async () => {
    const unavailable = {
      idFromName: (name: string) => gatewayEnv.ORDER_LEDGER.idFromName(name),
      get: () => ({
        accept: async () => {
          throw new Error('Durable Object storage is unavailable');
        },
      }),
    };
    const body = await signedNotification(tradeParams());
    await expectReply(await postNotify(body, { ORDER_LEDGER: unavailable }), 503);
    await expectReply(await postNotify(body), 200); // the same notification, once storage is back
  });

  it('serves /health from the config', async () => {
    const response = await callWorker(new Request('https://gateway.test/health'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ok: boolean; forward: { retrySchedule: string[] } };
    expect(body.ok).toBe(true);
    expect(body.forward.retrySchedule).toEqual(['30s', '1m', '90s']);
  });
});
