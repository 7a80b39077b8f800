// When an order's ledger asks Alipay next (RECONCILE_SCHEDULE): the n-th entry is the wait after
// the n-th query (the first entry: after asking began), like RETRY_SCHEDULE for deliveries. An
// order that can expire gets one last query a little after its expiry (a payment made in its last
// minute still counts), and none after that; one that cannot stops when the schedule ends. Asking
// stops at once when the order is paid or closed (the ledger's business). Pure.

/** The last query comes this long after the order's expiry: Alipay closes the trade at expiry. */
export const FINAL_QUERY_AFTER_EXPIRY_MS = 5 * 60_000;

export interface QueryPlan {
  /** Scheduled queries made so far (queries someone asked for outside the schedule do not count). */
  readonly done: number;
  /** When the last scheduled query was made, or when asking began. Epoch ms. */
  readonly since: number;
  /** When the order can no longer be paid; null when nobody said. */
  readonly expiresAt: number | null;
}

/** The time of the next scheduled query, or null: no more. */
export function nextQueryAt(scheduleMs: readonly number[], plan: QueryPlan): number | null {
  const delay = scheduleMs[plan.done];
  const scheduled = delay === undefined ? null : plan.since + delay;
  if (plan.expiresAt === null) return scheduled;
  const final = plan.expiresAt + FINAL_QUERY_AFTER_EXPIRY_MS;
  if (plan.since >= final) return null;
  return scheduled === null || scheduled > final ? final : scheduled;
}
