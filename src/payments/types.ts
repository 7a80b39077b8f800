// The payments index's vocabulary: one summary row per order (or orderless message), as the
// order's ledger derives it and pushes it through its outbox, and as the admin API shows it.
import type { EventKind } from '../alipay/types';

export const PAYMENT_STATUSES = ['waiting', 'paid', 'partially-refunded', 'refunded', 'closed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** dead: an event exhausted its retries. pending: one is owed. delivered: all forwarded ones arrived. not-forwarded: none is forwarded (FORWARD_EVENTS). */
export const DELIVERY_STATES = ['delivered', 'pending', 'dead', 'not-forwarded'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Statuses whose order was paid at some point: their total counts as paid in totals and series. */
export const PAID_STATUSES: readonly PaymentStatus[] = ['paid', 'partially-refunded', 'refunded'];

/** One event of the order that exhausted its retries: the dead-letter view lists these. */
export interface DeadEvent {
  eventKey: string;
  kind: EventKind;
  webhookId: string;
  attempts: number;
  lastError: string | null;
  diedAt: number;
  /** False once the notification body is purged (retention): nothing is left to send. */
  redeliverable: boolean;
}

/** What the ledger pushes to the index (times in epoch ms, amounts in integer cents). */
export interface IndexRow {
  orderKey: string;
  appId: string;
  /** Null for a message about no trade (e.g. a servicemarket order): kept for the dead-letter view, left out of payments. */
  outTradeNo: string | null;
  tradeNo: string | null;
  subject: string | null;
  totalCents: number | null;
  status: PaymentStatus;
  refundedCents: number;
  delivery: DeliveryState;
  firstSeenAt: number;
  paidAt: number | null;
  updatedAt: number;
  lastError: string | null;
  deadEvents: DeadEvent[];
}

/** The index row's times, which the admin API shows as ISO-8601 UTC text. */
type RowTimes = 'firstSeenAt' | 'paidAt' | 'updatedAt';

/**
 * A row as the admin API shows it (contract: times ISO-8601 UTC, amounts as cents and decimal
 * text): the index row without its dead events, its times as text, plus the order's admin path.
 */
export type PaymentView = Omit<IndexRow, 'deadEvents' | RowTimes> & {
  total: string | null;
  refunded: string;
  firstSeenAt: string;
  paidAt: string | null;
  updatedAt: string;
  adminPath: string;
};

/** What the buyer's page may know: nothing about the buyer, nothing the merchant did not put on the page. */
export interface BuyerStatus {
  /**
   * `reviewing`: Alipay says paid, but not the amount the site registered: the payment is held
   * for a person (or was refused), so the buyer must not be told the order is paid.
   */
  status: PaymentStatus | 'unknown' | 'reviewing';
  amount: string | null;
  paidAt: string | null;
}
