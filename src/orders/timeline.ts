// One order's story for the order page: every notification (with the scheme and key that
// verified it), every event, every delivery attempt (status, duration, the origin's answer),
// in time order. Built from the (already masked) ledger snapshot; it adds no buyer data.
import type { LedgerSnapshot } from './ledger-types';

export type TimelineEntry =
  | {
      at: string;
      type: 'notification';
      notifyId: string;
      eventKey: string;
      tradeStatus: string | null;
      notifyType: string | null;
      signType: string;
      contentRule: string;
      /** First 16 hex characters of the verifying key's SHA-256 fingerprint; null for MD5 (or recorded before fingerprints were kept). */
      keyFingerprint: string | null;
      charset: string;
      resends: number;
    }
  | {
      at: string;
      type: 'event';
      eventKey: string;
      kind: string;
      state: string;
      attempts: number;
      webhookId: string;
      deliveredAt: string | null;
      deadAt: string | null;
      lastError: string | null;
    }
  | {
      at: string;
      type: 'attempt';
      eventKey: string;
      attempt: number;
      status: number | null;
      durationMs: number | null;
      outcome: string;
      excerpt: string | null;
    };

/** Same instant: the notification comes before the event it created, the event before its first attempt. */
const ORDER: Record<TimelineEntry['type'], number> = { notification: 0, event: 1, attempt: 2 };

export function timelineOf(snapshot: LedgerSnapshot): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...snapshot.notifications.map(
      (n): TimelineEntry => ({
        at: n.receivedAt,
        type: 'notification',
        notifyId: n.notifyId,
        eventKey: n.eventKey,
        tradeStatus: n.tradeStatus,
        notifyType: n.notifyType,
        signType: n.signType,
        contentRule: n.contentRule,
        keyFingerprint: n.keyFingerprint,
        charset: n.charset,
        resends: n.resends,
      }),
    ),
    ...snapshot.events.map(
      (e): TimelineEntry => ({
        at: e.createdAt,
        type: 'event',
        eventKey: e.eventKey,
        kind: e.kind,
        state: e.state,
        attempts: e.attempts,
        webhookId: e.webhookId,
        deliveredAt: e.deliveredAt,
        deadAt: e.deadAt,
        lastError: e.lastError,
      }),
    ),
    ...snapshot.attempts.map(
      (a): TimelineEntry => ({
        at: a.startedAt,
        type: 'attempt',
        eventKey: a.eventKey,
        attempt: a.attempt,
        status: a.status,
        durationMs: a.durationMs,
        outcome: a.outcome,
        excerpt: a.excerpt,
      }),
    ),
  ];
  // Array.prototype.sort is stable: within a type, the snapshot's own order (receipt, creation, attempt id) stays.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || ORDER[a.type] - ORDER[b.type]);
}
