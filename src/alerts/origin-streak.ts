// "Your site keeps failing": consecutive failed delivery attempts across orders, with no success in
// between. One order failing again and again is that order's problem (its retries and its dead
// letter say so); the same failures across several orders mean the origin itself is down. Pure,
// over a small JSON state the alert desk keeps.

import type { Alert } from './types';

export interface OriginStreak {
  /** Failed attempts since the last success. */
  readonly failures: number;
  /** Distinct orders among them (the first few). */
  readonly orders: readonly string[];
  readonly firstAt: number | null;
  readonly lastError: string | null;
  /** The alert for this streak went out; the next one waits for a success and a new streak. */
  readonly alerted: boolean;
}

export const EMPTY_STREAK: OriginStreak = { failures: 0, orders: [], firstAt: null, lastError: null, alerted: false };

export const ORIGIN_FAILING = { failures: 5, orders: 2 } as const;
const MAX_ORDERS_KEPT = 5;

export interface DeliveryReport {
  readonly ok: boolean;
  readonly orderKey: string;
  /** Epoch ms of the attempt's end. */
  readonly at: number;
  /** Why it failed (the event's last_error): never a secret, buyer identities masked. */
  readonly error?: string;
}

export function noteDelivery(streak: OriginStreak, report: DeliveryReport, thresholds = ORIGIN_FAILING): { streak: OriginStreak; alert: Alert | null } {
  if (report.ok) return { streak: EMPTY_STREAK, alert: null };
  const orders = streak.orders.includes(report.orderKey) || streak.orders.length >= MAX_ORDERS_KEPT ? streak.orders : [...streak.orders, report.orderKey];
  const next: OriginStreak = {
    failures: streak.failures + 1,
    orders,
    firstAt: streak.firstAt ?? report.at,
    lastError: report.error?.slice(0, 200) ?? streak.lastError,
    alerted: streak.alerted,
  };
  if (next.alerted || next.failures < thresholds.failures || next.orders.length < thresholds.orders) return { streak: next, alert: null };
  const alert: Alert = {
    kind: 'origin-failing',
    summary:
      `${next.failures} delivery attempts in a row failed, across ${next.orders.length}${next.orders.length >= MAX_ORDERS_KEPT ? '+' : ''} orders, since ` +
      `${new Date(next.firstAt!).toISOString()}: is your site (ORIGIN_URL) up? Events wait and are retried; nothing is lost.`,
    details: { failures: next.failures, last_error: next.lastError ?? '', orders: next.orders.slice(0, 3).join(' ') },
    at: report.at,
  };
  return { streak: { ...next, alerted: true }, alert };
}
