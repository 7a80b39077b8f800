// The OrderLedger's RPC shapes: what the Worker and the admin API send and get back.
import type { Charset, ClassifiedEvent, ContentRule, EventKind, SignType } from '../alipay/types';
import type { QueryRun } from './reconciler';
import type { ReconcileState, ReconcileTrigger } from './reconcile-store';

/**
 * recorded: a kind that is not forwarded (FORWARD_EVENTS); kept for the record.
 * pending: owed to the origin, next attempt at next_attempt_at.
 * delivering: an attempt is in flight (written BEFORE the request leaves).
 * delivered: the origin acknowledged it. dead: the retry schedule ran out.
 * held: a payment of another amount than the site registered; waits for an operator, who
 * releases it (pending) or refuses it (refused: never forwarded).
 */
export type EventState = 'recorded' | 'pending' | 'delivering' | 'delivered' | 'dead' | 'held' | 'refused';

/** Where a recorded notification came from: Alipay's POST, or Alipay's answer to the gateway's query. */
export type NotificationSource = 'notification' | 'query';

/** One verified, decoded notification, as the Worker hands it to its order's ledger. */
export interface AcceptInput {
  readonly orderKey: string;
  readonly app: string;
  readonly outTradeNo: string | null;
  readonly notifyId: string;
  readonly event: ClassifiedEvent;
  /** Whether this kind is forwarded (config.forward.events), decided by the Worker. */
  readonly forward: boolean;
  /** ACK_MODE=after-delivery: answer only once the origin has the event (or the attempt failed). */
  readonly waitForDelivery: boolean;
  readonly rawBody: Uint8Array;
  readonly contentType: string | null;
  readonly charset: Charset;
  readonly signType: SignType;
  readonly contentRule: ContentRule;
  /** First 16 hex characters of the verifying key's SHA-256 fingerprint; null for MD5. */
  readonly keyFingerprint: string | null;
  readonly params: Readonly<Record<string, string>>;
}

/** `notify-id`: Alipay re-sent a notification already recorded. `event`: a new notification for an event already recorded. */
export type Duplicate = 'notify-id' | 'event' | null;

export type AcceptResult =
  | { ok: true; duplicate: Duplicate; eventKey: string; state: EventState }
  | {
      ok: false;
      /** not-delivered: the origin has not acknowledged (after-delivery mode). misconfigured: the ledger cannot load its settings. */
      reason: 'not-delivered' | 'dead' | 'misconfigured';
      hint: string;
      duplicate: Duplicate;
      eventKey: string;
      state: EventState;
    };

export interface NotificationView {
  notifyId: string;
  source: NotificationSource;
  eventKey: string;
  receivedAt: string;
  lastSeenAt: string;
  resends: number;
  notifyTime: string | null;
  notifyType: string | null;
  tradeStatus: string | null;
  signType: string;
  contentRule: string;
  /** Which key verified it (first 16 hex characters of its fingerprint); null for MD5, or when recorded before fingerprints were kept. */
  keyFingerprint: string | null;
  charset: string;
  contentType: string | null;
  bodyBytes: number;
  /** Null once the body is purged (retention). Not masked here: the admin API masks before showing. */
  params: Record<string, string> | null;
  bodyPurgedAt: string | null;
  /** Kept after the body is purged (the index row needs them), so the order page still shows them. */
  facts: { tradeNo: string | null; subject: string | null; totalAmount: string | null };
}

export interface EventView {
  eventKey: string;
  kind: EventKind;
  notifyId: string;
  webhookId: string;
  state: EventState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
}

export interface AttemptView {
  eventKey: string;
  attempt: number;
  startedAt: string;
  durationMs: number | null;
  status: number | null;
  outcome: string;
  excerpt: string | null;
  retryAfterMs: number | null;
}

export interface LedgerSnapshot {
  orderKey: string;
  app: string;
  outTradeNo: string | null;
  createdAt: string;
  notifications: NotificationView[];
  events: EventView[];
  attempts: AttemptView[];
  /** Asking Alipay about this order, and what its site registered; null when neither happened. */
  reconcile?: ReconcileView | null;
}

export interface ReconcileView {
  state: ReconcileState;
  firstTrigger: ReconcileTrigger;
  startedAt: string;
  /** What the merchant's site registered (POST /alipay/orders), if it did. */
  expectedAmount: string | null;
  expiresAt: string | null;
  registeredAt: string | null;
  queries: number;
  lastQueryAt: string | null;
  /** paid-found, already-recorded, not-paid, not-found, closed or failed. */
  lastOutcome: string | null;
  lastError: string | null;
  nextQueryAt: string | null;
}

/** Which order a trigger is about: a ledger that never recorded anything does not know its own name. */
export interface OrderRef {
  readonly orderKey: string;
  readonly app: string;
  readonly outTradeNo: string;
}

/** An order the merchant's site registered (POST /alipay/orders, checked by the Worker). */
export interface ExpectInput extends OrderRef {
  readonly totalAmount: string;
  readonly totalCents: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export type ExpectResult =
  | { ok: true; status: 'expected' | 'paid' | 'closed'; asking: boolean; nextQueryAt: string | null }
  | { ok: false; reason: 'misconfigured'; hint: string };

export type AskResult =
  | { ok: true; run: QueryRun; reconcile: ReconcileView | null }
  | { ok: false; reason: 'misconfigured' | 'not-configured' | 'not-queryable' | 'not-due' | 'busy' | 'unknown-order'; hint: string };

/** An operator's answer to a payment held for its amount. */
export type AmountDecision = 'release' | 'refuse';

export interface RedeliveryResult {
  eventKey: string;
  state: EventState;
  /** The attempt's outcome: `delivered` or a failure reason; absent when no attempt was made. */
  outcome?: string;
  hint?: string;
}

export type RedeliverResult =
  | { ok: true; results: RedeliveryResult[] }
  | { ok: false; reason: 'unknown-order' | 'unknown-event' | 'not-held' | 'misconfigured'; hint: string };
