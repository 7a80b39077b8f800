// One order's story for the order page: every notification (with the scheme and key that
// verified it), every event, every delivery attempt (status, duration, the origin's answer),
// in time order. Built from the (already masked) ledger snapshot; it adds no buyer data.
// Each entry is its time, its type and a named subset of the snapshot's own row.
import type { AttemptView, EventView, LedgerSnapshot, NotificationView } from './ledger-types';

const NOTIFICATION_FIELDS = [
  'notifyId',
  'eventKey',
  'tradeStatus',
  'notifyType',
  'signType',
  'contentRule',
  'keyFingerprint',
  'charset',
  'resends',
] as const satisfies readonly (keyof NotificationView)[];
const EVENT_FIELDS = ['eventKey', 'kind', 'state', 'attempts', 'webhookId', 'deliveredAt', 'deadAt', 'lastError'] as const satisfies readonly (keyof EventView)[];
const ATTEMPT_FIELDS = ['eventKey', 'attempt', 'status', 'durationMs', 'outcome', 'excerpt'] as const satisfies readonly (keyof AttemptView)[];

type Entry<Type extends string, Row, Field extends keyof Row> = { at: string; type: Type } & Pick<Row, Field>;

export type TimelineEntry =
  | Entry<'notification', NotificationView, (typeof NOTIFICATION_FIELDS)[number]>
  | Entry<'event', EventView, (typeof EVENT_FIELDS)[number]>
  | Entry<'attempt', AttemptView, (typeof ATTEMPT_FIELDS)[number]>;

/** Same instant: the notification comes before the event it created, the event before its first attempt. */
const ORDER: Record<TimelineEntry['type'], number> = { notification: 0, event: 1, attempt: 2 };

function pick<Row, Field extends keyof Row>(row: Row, fields: readonly Field[]): Pick<Row, Field> {
  const picked = {} as Pick<Row, Field>;
  for (const field of fields) picked[field] = row[field];
  return picked;
}

export function timelineOf(snapshot: LedgerSnapshot): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...snapshot.notifications.map((n): TimelineEntry => ({ at: n.receivedAt, type: 'notification', ...pick(n, NOTIFICATION_FIELDS) })),
    ...snapshot.events.map((e): TimelineEntry => ({ at: e.createdAt, type: 'event', ...pick(e, EVENT_FIELDS) })),
    ...snapshot.attempts.map((a): TimelineEntry => ({ at: a.startedAt, type: 'attempt', ...pick(a, ATTEMPT_FIELDS) })),
  ];
  // Array.prototype.sort is stable: within a type, the snapshot's own order (receipt, creation, attempt id) stays.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || ORDER[a.type] - ORDER[b.type]);
}
