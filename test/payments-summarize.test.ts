// The index row of one order, decided from its ledger's facts: status (refund_fee is cumulative;
// TRADE_CLOSED with refund fields = refunded in full), amounts in cents, delivery state.
import { describe, expect, it } from 'vitest';
import { buyerStatusOf, summarizeOrder, type EventFacts, type NotificationFacts, type OrderFacts } from '../src/payments/summarize';

const T0 = Date.UTC(2026, 4, 1, 2, 0, 0);

function notification(over: Partial<NotificationFacts> & Pick<NotificationFacts, 'eventKey'>): NotificationFacts {
  return { tradeStatus: 'TRADE_SUCCESS', receivedAt: T0, tradeNo: '2026050122001400001', subject: 'Tea', totalAmount: '88.80', refundFee: null, gmtPayment: null, ...over };
}

function event(over: Partial<EventFacts> & Pick<EventFacts, 'eventKey' | 'kind'>): EventFacts {
  return {
    state: 'delivered',
    webhookId: `msg_${over.eventKey}`,
    attempts: 1,
    lastError: null,
    createdAt: T0,
    deliveredAt: T0 + 50,
    deadAt: null,
    redeliverable: true,
    ...over,
  };
}

function facts(notifications: NotificationFacts[], events: EventFacts[], over: Partial<OrderFacts> = {}): OrderFacts {
  return { orderKey: '2021000000000001:T1', app: '2021000000000001', outTradeNo: 'T1', createdAt: T0, notifications, events, lastAttemptAt: null, ...over };
}

describe('summarizeOrder', () => {
  it('a paid order: amount in cents, trade_no, subject, paid at gmt_payment (Beijing time)', () => {
    const row = summarizeOrder(facts([notification({ eventKey: 'paid', gmtPayment: '2026-05-01 10:00:05' })], [event({ eventKey: 'paid', kind: 'paid' })]));
    expect(row).toMatchObject({ status: 'paid', totalCents: 8880, refundedCents: 0, tradeNo: '2026050122001400001', subject: 'Tea', delivery: 'delivered' });
    expect(row.paidAt).toBe(Date.UTC(2026, 4, 1, 2, 0, 5));
  });

  it('paid at the recorded time when no notification carried gmt_payment', () => {
    const row = summarizeOrder(facts([notification({ eventKey: 'paid' })], [event({ eventKey: 'paid', kind: 'paid', createdAt: T0 + 7 })]));
    expect(row.paidAt).toBe(T0 + 7);
  });

  it('waiting, then closed unpaid: no paid time, nothing refunded', () => {
    const waiting = summarizeOrder(facts([notification({ eventKey: 'waiting', tradeStatus: 'WAIT_BUYER_PAY' })], [event({ eventKey: 'waiting', kind: 'waiting', state: 'recorded' })]));
    expect(waiting).toMatchObject({ status: 'waiting', paidAt: null, delivery: 'not-forwarded' });
    const closed = summarizeOrder(
      facts(
        [notification({ eventKey: 'waiting', tradeStatus: 'WAIT_BUYER_PAY' }), notification({ eventKey: 'closed', tradeStatus: 'TRADE_CLOSED', receivedAt: T0 + 1000 })],
        [event({ eventKey: 'waiting', kind: 'waiting', state: 'recorded' }), event({ eventKey: 'closed', kind: 'closed', state: 'recorded', createdAt: T0 + 1000 })],
      ),
    );
    expect(closed).toMatchObject({ status: 'closed', paidAt: null, refundedCents: 0 });
  });

  it('asking Alipay ended without a payment (TRADE_CLOSED, or expired): closed; a payment recorded still wins', () => {
    const registered = facts([], [], { expectedCents: 8880 });
    expect(summarizeOrder(registered)).toMatchObject({ status: 'waiting', totalCents: 8880 });
    for (const askingEnded of ['closed', 'expired'] as const) {
      expect(summarizeOrder({ ...registered, askingEnded })).toMatchObject({ status: 'closed', totalCents: 8880, paidAt: null });
      const paidLate = facts([notification({ eventKey: 'paid' })], [event({ eventKey: 'paid', kind: 'paid' })], { askingEnded });
      expect(summarizeOrder(paidLate)).toMatchObject({ status: 'paid' });
    }
  });

  it('refund_fee is cumulative: two partial refunds add up to the larger figure, and the full amount means refunded', () => {
    const paid = notification({ eventKey: 'paid' });
    const first = notification({ eventKey: 'refund:R1', refundFee: '10.00', receivedAt: T0 + 1 });
    const second = notification({ eventKey: 'refund:R2', refundFee: '30.00', receivedAt: T0 + 2 });
    const events = [event({ eventKey: 'paid', kind: 'paid' }), event({ eventKey: 'refund:R1', kind: 'refund', state: 'recorded' }), event({ eventKey: 'refund:R2', kind: 'refund', state: 'recorded' })];
    expect(summarizeOrder(facts([paid, first, second], events))).toMatchObject({ status: 'partially-refunded', refundedCents: 3000 });
    // Out of order: the earlier cumulative figure arriving last changes nothing.
    expect(summarizeOrder(facts([paid, second, { ...first, receivedAt: T0 + 3 }], events))).toMatchObject({ refundedCents: 3000 });
    const full = notification({ eventKey: 'refund:R3', refundFee: '88.8', receivedAt: T0 + 4 });
    const all = summarizeOrder(facts([paid, first, second, full], [...events, event({ eventKey: 'refund:R3', kind: 'refund', state: 'recorded' })]));
    expect(all).toMatchObject({ status: 'refunded', refundedCents: 8880, totalCents: 8880 });
    expect(all.paidAt).not.toBeNull();
  });

  it('TRADE_CLOSED with refund fields is a refund in full, whatever refund_fee says', () => {
    const row = summarizeOrder(
      facts(
        [notification({ eventKey: 'paid' }), notification({ eventKey: 'refund:R9', tradeStatus: 'TRADE_CLOSED', refundFee: '1.00', receivedAt: T0 + 5 })],
        [event({ eventKey: 'paid', kind: 'paid' }), event({ eventKey: 'refund:R9', kind: 'refund', state: 'recorded' })],
      ),
    );
    expect(row).toMatchObject({ status: 'refunded', refundedCents: 8880 });
  });

  it('delivery state: dead beats pending beats delivered; the latest death is the error shown', () => {
    const n = [notification({ eventKey: 'paid' }), notification({ eventKey: 'refund:R1', refundFee: '1.00' })];
    const pending = summarizeOrder(facts(n, [event({ eventKey: 'paid', kind: 'paid', state: 'delivering', lastError: 'timeout: 15s' })]));
    expect(pending).toMatchObject({ delivery: 'pending', lastError: 'timeout: 15s' });
    const dead = summarizeOrder(
      facts(n, [
        event({ eventKey: 'paid', kind: 'paid', state: 'dead', deadAt: T0 + 100, lastError: 'http-status: 500', attempts: 4 }),
        event({ eventKey: 'refund:R1', kind: 'refund', state: 'pending', lastError: 'timeout' }),
      ]),
    );
    expect(dead).toMatchObject({ delivery: 'dead', lastError: 'http-status: 500' });
    expect(dead.deadEvents).toEqual([
      { eventKey: 'paid', kind: 'paid', webhookId: 'msg_paid', attempts: 4, lastError: 'http-status: 500', diedAt: T0 + 100, redeliverable: true },
    ]);
  });

  it('updatedAt is the latest thing that happened to the order', () => {
    const row = summarizeOrder(
      facts([notification({ eventKey: 'paid', receivedAt: T0 + 10 })], [event({ eventKey: 'paid', kind: 'paid', deliveredAt: T0 + 900 })], { lastAttemptAt: T0 + 850 }),
    );
    expect(row.updatedAt).toBe(T0 + 900);
  });

  it('the buyer sees status, amount and paid time only; an orderless message or no ledger is unknown', () => {
    const row = summarizeOrder(facts([notification({ eventKey: 'paid', gmtPayment: '2026-05-01 10:00:05' })], [event({ eventKey: 'paid', kind: 'paid' })]));
    expect(buyerStatusOf(row)).toEqual({ status: 'paid', amount: '88.80', paidAt: '2026-05-01T02:00:05.000Z' });
    expect(buyerStatusOf(null)).toEqual({ status: 'unknown', amount: null, paidAt: null });
    expect(buyerStatusOf({ ...row, outTradeNo: null })).toEqual({ status: 'unknown', amount: null, paidAt: null });
  });
});
