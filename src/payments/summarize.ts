// One order's summary row, derived from what its ledger recorded. Pure: the ledger reads its
// tables into OrderFacts and this decides status, amounts and delivery state, so the index row,
// the admin search and the buyer's status page can never disagree.
import { parseBeijingTime } from '../alipay/beijing-time';
import type { EventKind } from '../alipay/types';
import type { EventState } from '../orders/ledger-types';
import { centsOf, formatCents } from './money';
import type { BuyerStatus, DeadEvent, DeliveryState, IndexRow, PaymentStatus } from './types';

const MAX_SUBJECT_CHARS = 256;

export interface NotificationFacts {
  eventKey: string;
  tradeStatus: string | null;
  receivedAt: number;
  tradeNo: string | null;
  subject: string | null;
  totalAmount: string | null;
  /** Cumulative over the trade's refunds (Alipay's refund_fee). */
  refundFee: string | null;
  gmtPayment: string | null;
}

export interface EventFacts {
  eventKey: string;
  kind: EventKind;
  state: EventState;
  webhookId: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
  deadAt: number | null;
  redeliverable: boolean;
}

export interface OrderFacts {
  orderKey: string;
  app: string;
  outTradeNo: string | null;
  createdAt: number;
  notifications: readonly NotificationFacts[];
  events: readonly EventFacts[];
  /** When the latest delivery attempt started, if any. */
  lastAttemptAt: number | null;
  /** The amount the merchant's site registered (POST /alipay/orders), shown until a notification says the real one. */
  expectedCents?: number | null;
  /**
   * How asking Alipay ended for an order it never reported paid: `closed` (its answer was
   * TRADE_CLOSED) or `expired` (the last query, after the registered expiry, found no payment).
   * Either way Alipay has closed the trade, so the order is no longer waiting.
   */
  askingEnded?: 'closed' | 'expired' | null;
}

export function summarizeOrder(facts: OrderFacts): IndexRow {
  const byTime = [...facts.notifications].sort((a, b) => a.receivedAt - b.receivedAt);
  const latest = <T>(pick: (n: NotificationFacts) => T | null): T | null => {
    for (let i = byTime.length - 1; i >= 0; i--) {
      const value = pick(byTime[i]!);
      if (value !== null) return value;
    }
    return null;
  };
  const totalCents = latest((n) => centsOf(n.totalAmount)) ?? facts.expectedCents ?? null;
  const { status, refundedCents } = statusOf(facts, totalCents);
  const dead = facts.events.filter((e) => e.state === 'dead');
  return {
    orderKey: facts.orderKey,
    appId: facts.app,
    outTradeNo: facts.outTradeNo,
    tradeNo: latest((n) => n.tradeNo),
    subject: latest((n) => n.subject)?.slice(0, MAX_SUBJECT_CHARS) ?? null,
    totalCents,
    status,
    refundedCents,
    delivery: deliveryOf(facts.events),
    firstSeenAt: facts.createdAt,
    paidAt: status === 'paid' || status === 'partially-refunded' || status === 'refunded' ? paidAtOf(facts, latest) : null,
    updatedAt: updatedAtOf(facts),
    lastError: lastErrorOf(facts.events),
    deadEvents: dead.map(
      (e): DeadEvent => ({
        eventKey: e.eventKey,
        kind: e.kind,
        webhookId: e.webhookId,
        attempts: e.attempts,
        lastError: e.lastError,
        diedAt: e.deadAt ?? e.createdAt,
        redeliverable: e.redeliverable,
      }),
    ),
  };
}

/**
 * Refunds first: refund_fee is cumulative, so the largest one seen is what was refunded so far;
 * a TRADE_CLOSED that carries refund fields means the whole amount went back. Otherwise the
 * later of paid and closed (an unpaid trade that timed out is closed); else closed when asking
 * Alipay ended without a payment (a notification arriving later still makes it paid), else waiting.
 */
function statusOf(facts: OrderFacts, totalCents: number | null): { status: PaymentStatus; refundedCents: number } {
  const refundKeys = new Set(facts.events.filter((e) => e.kind === 'refund').map((e) => e.eventKey));
  if (refundKeys.size > 0) {
    const refunds = facts.notifications.filter((n) => refundKeys.has(n.eventKey));
    let refundedCents = Math.max(0, ...refunds.map((n) => centsOf(n.refundFee) ?? 0));
    const closedInFull = refunds.some((n) => n.tradeStatus === 'TRADE_CLOSED');
    if (closedInFull) refundedCents = Math.max(refundedCents, totalCents ?? 0);
    const full = closedInFull || (totalCents !== null && refundedCents >= totalCents);
    return { status: full ? 'refunded' : 'partially-refunded', refundedCents };
  }
  const settled = facts.events.filter((e) => e.kind === 'paid' || e.kind === 'closed').sort((a, b) => a.createdAt - b.createdAt);
  const last = settled[settled.length - 1];
  if (last !== undefined) return { status: last.kind === 'paid' ? 'paid' : 'closed', refundedCents: 0 };
  return { status: facts.askingEnded == null ? 'waiting' : 'closed', refundedCents: 0 };
}

/** Alipay's gmt_payment when a notification carried it, else when the gateway recorded the payment. */
function paidAtOf(facts: OrderFacts, latest: <T>(pick: (n: NotificationFacts) => T | null) => T | null): number | null {
  const gmt = latest((n) => (n.gmtPayment === null ? null : parseBeijingTime(n.gmtPayment)));
  if (gmt !== null) return gmt;
  const paid = facts.events.find((e) => e.kind === 'paid');
  return paid?.createdAt ?? facts.createdAt;
}

function deliveryOf(events: readonly EventFacts[]): DeliveryState {
  // A refused payment (another amount than registered, refused by an operator) is never forwarded.
  const forwarded = events.filter((e) => e.state !== 'recorded' && e.state !== 'refused');
  if (forwarded.length === 0) return 'not-forwarded';
  if (forwarded.some((e) => e.state === 'dead')) return 'dead';
  // Held for an operator (the amount): still owed.
  if (forwarded.some((e) => e.state === 'pending' || e.state === 'delivering' || e.state === 'held')) return 'pending';
  return 'delivered';
}

/** The error an operator should see first: the latest death, else the latest failure still being retried. */
function lastErrorOf(events: readonly EventFacts[]): string | null {
  const dead = events.filter((e) => e.state === 'dead' && e.lastError !== null).sort((a, b) => (b.deadAt ?? 0) - (a.deadAt ?? 0));
  if (dead[0]) return dead[0].lastError;
  const retrying = events.filter((e) => (e.state === 'pending' || e.state === 'delivering' || e.state === 'held') && e.lastError !== null);
  return retrying[retrying.length - 1]?.lastError ?? null;
}

function updatedAtOf(facts: OrderFacts): number {
  let t = facts.createdAt;
  for (const n of facts.notifications) t = Math.max(t, n.receivedAt);
  for (const e of facts.events) t = Math.max(t, e.createdAt, e.deliveredAt ?? 0, e.deadAt ?? 0);
  return Math.max(t, facts.lastAttemptAt ?? 0);
}

/** The buyer's view of a row: no identity, no trade number, nothing but what the shop page shows anyway. */
export function buyerStatusOf(row: IndexRow | null, paidEventState?: string | null): BuyerStatus {
  if (row === null || row.outTradeNo === null) return { status: 'unknown', amount: null, paidAt: null };
  // Held for its amount, or refused by an operator: the merchant's site has not been told it is paid.
  const reviewing = row.status === 'paid' && (paidEventState === 'held' || paidEventState === 'refused');
  return {
    status: reviewing ? 'reviewing' : row.status,
    amount: row.totalCents === null ? null : formatCents(row.totalCents),
    paidAt: row.paidAt === null ? null : new Date(row.paidAt).toISOString(),
  };
}
