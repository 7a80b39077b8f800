// The soak: many notifications over fewer orders, as Alipay sends them (re-sends of the same
// notify_id, TRADE_SUCCESS then TRADE_FINISHED, waiting and partial refunds), at a fixed
// concurrency, while the origin fails a share of deliveries at random. Then it waits for the
// origin to have every acknowledged event and counts: sent / acknowledged / delivered / lost /
// doubled / dead. Run by bench:soak (1,000 notifications) and, smaller, by test:e2e.
//
// The counting does not trust the gateway: which events are owed comes from what was sent and
// acknowledged (the event keys DESIGN.md documents: `waiting`, `paid`, `refund:<out_biz_no>`),
// and what arrived comes from the test origin's record of every request, matched back through the
// notify_id in the delivered body (FORWARD_FORMAT=form forwards Alipay's original bytes).
import { formatBeijingTime } from '../../src/alipay/beijing-time';
import { TEST_APP_ID } from '../fixtures/gateway-test-keys';
import { signedNotification, tradeParams, uniqueId } from '../support/notifications';
import { isProxyLoss, originClient, sendPastProxyLosses, sleep, type OriginDelivery, type OriginStats, type StackInfo } from './harness';
import { seededRandom } from '../support/seeded-random.mjs';

export interface SoakPlan {
  notifications: number;
  orders: number;
  concurrency: number;
  /** Share of the notifications that re-send an earlier one (same notify_id, new notify_time). */
  resendPercent: number;
  /** Share of deliveries the origin fails (500) at random. */
  originFailPercent: number;
  /** How long to wait, after the last reply, for the origin to have every owed event. */
  drainTimeoutMs: number;
  /** For a reproducible shape; the order ids are new each run. */
  seed: number;
  /** The gateway's FORWARD_EVENTS: `all` (SOAK_SETTINGS) or the default `paid`, where waiting and refunds are recorded only. */
  forwarded: 'all' | 'paid';
}

/** What the gateway needs for the soak's checks: every kind forwarded, retries that outlast a flaky origin. */
export const SOAK_SETTINGS: Readonly<Record<string, string>> = {
  FORWARD_EVENTS: 'all',
  RETRY_SCHEDULE: '1s,1s,2s,2s,3s,3s,5s,5s,5s,5s',
};

export interface SoakResult {
  sent: number;
  acknowledged: number;
  /** Notifications sent again because wrangler dev's proxy answered for a connection it lost. */
  proxyResends: number;
  /** Replies other than `success`, by `status body`. */
  refused: Map<string, number>;
  /** Events owed: forwarded kinds carried by at least one acknowledged notification. */
  owed: number;
  delivered: number;
  /** Owed, neither delivered nor dead once the drain ended. */
  lost: number;
  /** Events the origin accepted more than once, or under more than one webhook-id. */
  doubled: number;
  dead: number;
  /** Accepted deliveries that match no owed event. */
  unexpected: number;
  originRequests: number;
  originFailedAtRandom: number;
  sendMs: number;
  drainMs: number;
  /** A few owed events that did not arrive, for the report. */
  lostExamples: string[];
}

interface Sendable {
  order: string;
  notifyId: string;
  /** The event this notification carries (DESIGN.md's key); null when it is not forwarded. */
  event: string;
  body: Uint8Array;
  resend: boolean;
}


interface Draft {
  order: string;
  event: string;
  params: Record<string, string>;
}

/** Each order: maybe WAIT_BUYER_PAY, TRADE_SUCCESS, maybe TRADE_FINISHED; the rest of the distinct budget are partial refunds. */
function draftNotifications(plan: SoakPlan, random: () => number): Draft[][] {
  const distinct = Math.max(plan.orders, Math.round(plan.notifications * (1 - plan.resendPercent / 100)));
  const now = Date.now();
  const perOrder: Draft[][] = [];
  for (let i = 0; i < plan.orders; i++) {
    const order = uniqueId('S');
    const base = tradeParams({ out_trade_no: order, total_amount: '100.00' });
    const drafts: Draft[] = [];
    if (random() < 0.5) {
      const { gmt_payment: _, ...waiting } = tradeParams({ ...base, notify_id: uniqueId('nid'), trade_status: 'WAIT_BUYER_PAY' });
      drafts.push({ order, event: 'waiting', params: waiting });
    }
    drafts.push({ order, event: 'paid', params: { ...base } });
    if (random() < 0.5) drafts.push({ order, event: 'paid', params: { ...base, notify_id: uniqueId('nid'), trade_status: 'TRADE_FINISHED' } });
    perOrder.push(drafts);
  }
  let count = perOrder.reduce((n, d) => n + d.length, 0);
  while (count < distinct) {
    const drafts = perOrder[Math.floor(random() * perOrder.length)]!;
    const paid = drafts.find((d) => d.event === 'paid')!.params;
    const refunds = drafts.filter((d) => d.event.startsWith('refund:')).length;
    const outBizNo = uniqueId('R');
    drafts.push({
      order: drafts[0]!.order,
      event: `refund:${outBizNo}`,
      params: {
        ...paid,
        notify_id: uniqueId('nid'),
        trade_status: 'TRADE_SUCCESS',
        out_biz_no: outBizNo,
        refund_fee: `${refunds + 1}.00`,
        gmt_refund: formatBeijingTime(now - 1_000),
      },
    });
    count += 1;
  }
  return perOrder;
}

/** Signed, interleaved across orders (each order's own notifications in order), re-sends placed after their original. */
async function buildQueue(plan: SoakPlan, random: () => number): Promise<Sendable[]> {
  const perOrder = draftNotifications(plan, random);
  const interleaved: Draft[] = [];
  const cursors = perOrder.map(() => 0);
  let live = perOrder.map((_, i) => i);
  while (live.length > 0) {
    const pick = Math.floor(random() * live.length);
    const index = live[pick]!;
    interleaved.push(perOrder[index]![cursors[index]!]!);
    cursors[index]! += 1;
    if (cursors[index] === perOrder[index]!.length) live = live.filter((i) => i !== index);
  }
  const resends = Math.max(0, plan.notifications - interleaved.length);
  const placed: Array<{ at: number; draft: Draft; resend: boolean }> = interleaved.map((draft, at) => ({ at, draft, resend: false }));
  for (let i = 0; i < resends; i++) {
    const original = Math.floor(random() * interleaved.length);
    const at = original + 0.5 + random() * (interleaved.length - original);
    const draft = interleaved[original]!;
    // Alipay's re-send: the same notify_id, a later notify_time, signed again.
    placed.push({ at, draft: { ...draft, params: { ...draft.params, notify_time: formatBeijingTime(Date.now() + (1 + (i % 30)) * 1000) } }, resend: true });
  }
  placed.sort((a, b) => a.at - b.at);

  const queue: Sendable[] = [];
  const batch = 64;
  for (let i = 0; i < placed.length; i += batch) {
    const signed = await Promise.all(
      placed.slice(i, i + batch).map(async ({ draft, resend }) => ({
        order: draft.order,
        notifyId: draft.params['notify_id']!,
        event: draft.event,
        body: await signedNotification(draft.params),
        resend,
      })),
    );
    queue.push(...signed);
  }
  return queue;
}

/** The value of one field of a form body the test built (ASCII keys; values percent-decoded). */
function formField(body: Uint8Array, name: string): string | null {
  for (const part of Buffer.from(body).toString('latin1').split('&')) {
    if (part.startsWith(`${name}=`)) {
      try {
        return decodeURIComponent(part.slice(name.length + 1).replace(/\+/g, ' '));
      } catch {
        return null;
      }
    }
  }
  return null;
}

export async function runSoak(info: StackInfo, plan: SoakPlan, progress: (line: string) => void = () => {}): Promise<SoakResult> {
  const origin = originClient(info.originControlUrl);
  const random = seededRandom(plan.seed);
  progress(`signing ${plan.notifications} notifications ...`);
  const queue = await buildQueue(plan, random);
  const before = await origin.stats();
  await origin.flaky(plan.originFailPercent, plan.seed);
  try {
    return await soak(info, plan, queue, before, progress);
  } finally {
    await origin.flaky(0);
  }
}

async function soak(info: StackInfo, plan: SoakPlan, queue: Sendable[], before: OriginStats, progress: (line: string) => void): Promise<SoakResult> {
  const origin = originClient(info.originControlUrl);

  const refused = new Map<string, number>();
  /** order -> events acknowledged for it */
  const owed = new Map<string, Set<string>>();
  const eventOfNotifyId = new Map<string, { order: string; event: string }>();
  for (const s of queue) eventOfNotifyId.set(s.notifyId, { order: s.order, event: s.event });
  let acknowledged = 0;
  let proxyResends = 0;
  let next = 0;

  progress(`sending at concurrency ${plan.concurrency} ...`);
  const sendStart = performance.now();
  const worker = async () => {
    while (next < queue.length) {
      const item = queue[next++]!;
      // Sent again after wrangler dev's own 503 for a connection its proxy lost, as Alipay would.
      const answer = await sendPastProxyLosses(
        async () => {
          try {
            const response = await fetch(info.notifyUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
              body: item.body,
            });
            return { status: response.status, body: await response.text() };
          } catch (error) {
            return { status: 0, body: `network ${(error as { cause?: { code?: string } }).cause?.code ?? String(error)}` };
          }
        },
        isProxyLoss,
        () => (proxyResends += 1),
      );
      const label = answer.status === 0 ? answer.body : `${answer.status} ${answer.body.slice(0, 60)}`;
      if (label === '200 success') {
        acknowledged += 1;
        if (plan.forwarded === 'all' || item.event === 'paid') {
          let events = owed.get(item.order);
          if (events === undefined) owed.set(item.order, (events = new Set()));
          events.add(item.event);
        }
      } else {
        refused.set(label, (refused.get(label) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const sendMs = performance.now() - sendStart;

  const owedCount = [...owed.values()].reduce((n, events) => n + events.size, 0);
  const orders = new Set(queue.map((s) => s.order));
  const deadOf = async (): Promise<Set<string>> => {
    const response = await fetch(`${info.gatewayUrl}/admin/dead-letters?limit=500`, { headers: { authorization: `Bearer ${info.adminToken}` } });
    const list = ((await response.json()) as { deadLetters: Array<{ orderKey: string; eventKey: string }> }).deadLetters;
    const prefix = `${TEST_APP_ID}:`;
    return new Set(
      list.filter((d) => d.orderKey.startsWith(prefix) && orders.has(d.orderKey.slice(prefix.length))).map((d) => `${d.orderKey.slice(prefix.length)} ${d.eventKey}`),
    );
  };

  /** event id (`order event`) -> accepted deliveries */
  const tally = (deliveries: OriginDelivery[]) => {
    const accepted = new Map<string, OriginDelivery[]>();
    let unexpected = 0;
    for (const d of deliveries) {
      if (d.outcome !== 'accepted' || d.order === null || !orders.has(d.order)) continue;
      const notifyId = formField(Buffer.from(d.bodyBase64, 'base64'), 'notify_id');
      const event = notifyId === null ? undefined : eventOfNotifyId.get(notifyId);
      if (event === undefined || !owed.get(event.order)?.has(event.event)) {
        unexpected += 1;
        continue;
      }
      const id = `${event.order} ${event.event}`;
      accepted.set(id, [...(accepted.get(id) ?? []), d]);
    }
    return { accepted, unexpected };
  };

  progress(`waiting for the origin to have ${owedCount} events ...`);
  const drainStart = performance.now();
  const owedIds = [...owed].flatMap(([order, events]) => [...events].map((event) => `${order} ${event}`));
  let dead = new Set<string>();
  let seen = tally([]);
  const drainDeadline = Date.now() + plan.drainTimeoutMs;
  for (;;) {
    seen = tally(await origin.allDeliveries());
    if (owedIds.every((id) => seen.accepted.has(id))) break;
    dead = await deadOf();
    if (owedIds.every((id) => seen.accepted.has(id) || dead.has(id)) || Date.now() > drainDeadline) break;
    await sleep(500);
  }
  const drainMs = performance.now() - drainStart;
  // A second delivery of anything would have been started by now; give it time to land.
  await sleep(1_000);
  seen = tally(await origin.allDeliveries());
  dead = await deadOf();
  const after = await origin.stats();

  const lostIds = owedIds.filter((id) => !seen.accepted.has(id) && !dead.has(id));
  const doubled = [...seen.accepted.values()].filter((list) => list.length > 1 || new Set(list.map((d) => d.webhookId)).size > 1).length;
  return {
    sent: queue.length,
    acknowledged,
    proxyResends,
    refused,
    owed: owedCount,
    delivered: owedIds.filter((id) => seen.accepted.has(id)).length,
    lost: lostIds.length,
    doubled,
    dead: owedIds.filter((id) => dead.has(id)).length,
    unexpected: seen.unexpected,
    originRequests: after.requests - before.requests,
    originFailedAtRandom: after.failed - before.failed,
    sendMs,
    drainMs,
    lostExamples: lostIds.slice(0, 5),
  };
}

/** One line per figure, for a report or a failing test's message. */
export function soakReport(plan: SoakPlan, r: SoakResult): string[] {
  const refusals = [...r.refused].map(([what, n]) => `${n} x "${what}"`).join(', ');
  return [
    `plan: ${plan.notifications} notifications over ${plan.orders} orders, concurrency ${plan.concurrency}, ` +
      `${plan.resendPercent} % re-sends, origin failing ${plan.originFailPercent} % at random, FORWARD_EVENTS=${plan.forwarded}, seed ${plan.seed}`,
    `sent ${r.sent}  acknowledged ${r.acknowledged}  owed events ${r.owed}  delivered ${r.delivered}  lost ${r.lost}  doubled ${r.doubled}  dead ${r.dead}` +
      (r.unexpected > 0 ? `  unexpected ${r.unexpected}` : ''),
    `origin: ${r.originRequests} delivery requests, ${r.originFailedAtRandom} failed at random; ` +
      `sending took ${(r.sendMs / 1000).toFixed(1)} s (${Math.round(r.sent / (r.sendMs / 1000))}/s), draining ${(r.drainMs / 1000).toFixed(1)} s`,
    ...(refusals ? [`not acknowledged: ${refusals}`] : []),
    ...(r.proxyResends > 0 ? [`re-sent after wrangler dev's proxy lost a connection: ${r.proxyResends}`] : []),
    ...(r.lostExamples.length > 0 ? [`lost, e.g.: ${r.lostExamples.join('; ')}`] : []),
  ];
}
