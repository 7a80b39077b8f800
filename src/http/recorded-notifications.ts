// Notifications this isolate has seen durably recorded, so that a copy of one (Alipay's re-send, or
// a storm of replayed copies) is answered `success` without a round trip to its order's ledger.
//
// The answer means the same as the ledger's: a notify_id its order's ledger has recorded is
// answered `success` (the ledger does the same for any recorded notify_id, see OrderLedger.record).
// A key enters the set only after the ledger answered ok for it, and the ledger's answer leaves its
// Durable Object only once the write is durable (the output gate), so no copy is ever answered
// before the first copy is durable. A copy that arrives while the first copy's call is still in
// flight waits for that call; if it fails, the copy asks the ledger itself, as before.
//
// Copies answered here are counted, and the counts go to the ledger (its `resends` and
// `last_seen_at`) and to one log line per notify_id, after the answers (a request's waitUntil), a
// second after the first uncounted copy: a storm of copies costs one call and one log line instead
// of one each. As with the ledger's own re-send counts, a crash may lose a count, never a
// notification.
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import type { AcceptResult } from '../orders/ledger-types';

/** Keys remembered per isolate (oldest forgotten first): at most ~200 ASCII characters each, verified notifications only. */
const MAX_REMEMBERED = 4_096;
/** Counts gather this long after the first copy answered here, then go out in one call per order. */
const FLUSH_AFTER_MS = 1_000;
/** A copy waits at most this long for the first copy's call; then it asks the ledger itself. */
const MAX_WAIT_FOR_FIRST_MS = 5_000;
/**
 * A flush still waiting this many flush periods after it was started is taken for dead (the
 * request that kept it alive was cut off), and the next copy starts another.
 */
const STALE_FLUSH_PERIODS = 10;

/** Which notification: its order's ledger, and its notify_id there. */
export interface CopyKey {
  readonly orderKey: string;
  readonly notifyId: string;
}

/** Copies answered here since the last flush, for one notification. `context`: the log fields of the first. */
interface CopyCount {
  readonly key: CopyKey;
  readonly context: Readonly<Record<string, unknown>>;
  copies: number;
  firstAt: number;
  lastAt: number;
}

type WaitUntil = Pick<ExecutionContext, 'waitUntil'>;

export class RecordedNotifications {
  private readonly recorded = new Set<string>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly counts = new Map<string, CopyCount>();
  /** The flush that will take the counts (started at `since`), or null: the next copy starts one. */
  private waitingFlush: { readonly since: number } | null = null;

  constructor(
    private readonly maxRemembered = MAX_REMEMBERED,
    private readonly flushAfterMs = FLUSH_AFTER_MS,
    private readonly maxWaitMs = MAX_WAIT_FOR_FIRST_MS,
  ) {}

  /**
   * Whether this notification is known to be durably recorded: remembered, or the first copy's
   * call (in flight) ends ok. False: the caller asks the ledger.
   */
  async isRecorded(key: CopyKey): Promise<boolean> {
    const id = idOf(key);
    if (this.recorded.has(id)) return true;
    const first = this.inFlight.get(id);
    if (first === undefined) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.maxWaitMs)));
    try {
      const ok = await Promise.race([first, giveUp]);
      // A call that never ends (its request was cancelled) must not hold up later copies too.
      if (!ok && this.inFlight.get(id) === first) this.inFlight.delete(id);
      return ok;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The ledger call for a copy not known yet: copies arriving meanwhile wait for it, and an ok answer is remembered. */
  track(key: CopyKey, call: Promise<AcceptResult>): void {
    const id = idOf(key);
    if (this.recorded.has(id) || this.inFlight.has(id)) return;
    const recorded = call.then(
      (result) => result.ok,
      () => false,
    );
    this.inFlight.set(id, recorded);
    void recorded.then((ok) => {
      // Only this call's entry: a copy that gave up waiting may have started a newer call since.
      if (this.inFlight.get(id) === recorded) this.inFlight.delete(id);
      if (ok) this.remember(id);
    });
  }

  /**
   * Counts one copy answered here; the count and its log line go out after the answer. Each flush
   * takes the counts once, a second after it started, in the request that started it: the copy
   * counted after that starts the next one, so no count is left behind and no request is kept
   * alive by copies that came after it. Two flushes never take the same count (the map is emptied
   * in the turn it is read), so none is sent twice.
   */
  countCopy(key: CopyKey, context: Readonly<Record<string, unknown>>, env: GatewayEnv, ctx: WaitUntil, now = Date.now()): void {
    const id = idOf(key);
    const count = this.counts.get(id);
    if (count) {
      count.copies += 1;
      count.lastAt = Math.max(count.lastAt, now);
    } else if (this.counts.size < this.maxRemembered) {
      this.counts.set(id, { key, context, copies: 1, firstAt: now, lastAt: now });
    }
    const waiting = this.waitingFlush;
    if (waiting === null || now - waiting.since > STALE_FLUSH_PERIODS * this.flushAfterMs) {
      const flush = { since: now };
      this.waitingFlush = flush;
      ctx.waitUntil(this.flushLater(env, flush));
    }
  }

  private remember(id: string): void {
    this.recorded.delete(id); // re-inserted last: the oldest are forgotten first
    this.recorded.add(id);
    if (this.recorded.size > this.maxRemembered) this.recorded.delete(this.recorded.values().next().value!);
  }

  private async flushLater(env: GatewayEnv, flush: { readonly since: number }): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.flushAfterMs));
    // In the same turn as taking the counts: a copy counted from here on starts the next flush.
    if (this.waitingFlush === flush) this.waitingFlush = null;
    const batch = [...this.counts.values()];
    this.counts.clear();
    await Promise.all(batch.map((count) => flushOne(env, count)));
  }
}

async function flushOne(env: GatewayEnv, count: CopyCount): Promise<void> {
  const { key, copies, firstAt, lastAt } = count;
  logLine({
    msg: 'notification',
    outcome: 'duplicate',
    status: 200,
    duplicate: 'notify-id',
    // Answered by this isolate (the notification was recorded), counted over the window below.
    answered: 'isolate',
    copies,
    first_at: new Date(firstAt).toISOString(),
    last_at: new Date(lastAt).toISOString(),
    ...count.context,
  });
  try {
    const ledger = env.ORDER_LEDGER.get(env.ORDER_LEDGER.idFromName(key.orderKey));
    await ledger.countResends(key.notifyId, copies, lastAt);
  } catch (error) {
    logLine({ level: 'warn', msg: 're-send count not recorded', order: key.orderKey, notify_id: key.notifyId, copies, error });
  }
}

function idOf(key: CopyKey): string {
  // Order keys and notify_ids hold no line feed (src/orders/order-key.ts, src/alipay/fields.ts).
  return `${key.orderKey}\n${key.notifyId}`;
}

/** The isolate's own (module state: one per isolate, like the config memo). */
export const recordedNotifications = new RecordedNotifications();
