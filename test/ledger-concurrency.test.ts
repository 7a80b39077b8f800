// The ledger is the lock: a storm of identical notifications starts exactly one delivery.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockOrigin, orderKeyOf, postNotify, settled } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';

beforeEach(() => {
  mockOrigin();
});

const STORM = 100;

/** STORM copies of `body` at once; `onAnswer` runs as each one is answered (or fails), not once all are. */
async function storm(
  body: Uint8Array,
  settings: Record<string, string> = {},
  onAnswer: () => void = () => {},
): Promise<{ status: number; text: string }[]> {
  const send = async () => {
    const response = await postNotify(body, settings).finally(onAnswer);
    return { status: response.status, text: await response.text() };
  };
  return Promise.all(Array.from({ length: STORM }, send));
}

describe('concurrency', () => {
  it(`${STORM} concurrent identical notifications → all success, exactly one delivery (durable)`, async () => {
    const origin = mockOrigin();
    const params = tradeParams();
    const replies = await storm(await signedNotification(params));
    expect(replies.every((r) => r.status === 200 && r.text === 'success')).toBe(true);
    const ledger = await settled(orderKeyOf(params));
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
    expect(ledger.notifications[0]!.resends).toBe(STORM - 1);
    expect(ledger.events[0]).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it(`after-delivery: ${STORM} concurrent duplicates wait for the one in-flight attempt and get its answer`, async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const origin = mockOrigin(async () => {
      await gate; // the origin is slow: every duplicate arrives while the first attempt is in flight
      return new Response('success');
    });
    const params = tradeParams();
    const body = await signedNotification(params);
    let answered = 0;
    const pending = storm(body, { ACK_MODE: 'after-delivery' }, () => answered++);
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(0); // nobody got an answer while the origin had not acknowledged
    release();
    const replies = await pending;
    expect(replies.filter((r) => r.status === 200 && r.text === 'success')).toHaveLength(STORM);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
  });

  it('after-delivery: when the one attempt fails, the waiting duplicates all get a non-success answer', async () => {
    const origin = mockOrigin(() => new Response('down', { status: 503 }));
    const params = tradeParams();
    const replies = await storm(await signedNotification(params), { ACK_MODE: 'after-delivery' });
    expect(replies.every((r) => r.status === 503 && r.text !== 'success')).toBe(true);
    expect(origin.for(params['out_trade_no']!)).toHaveLength(1);
    expect((await settled(orderKeyOf(params))).events[0]).toMatchObject({ state: 'pending', attempts: 1 });
  });
});
