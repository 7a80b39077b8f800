// `simulate` and the local Alipay stand-in: the gateway's /health (whom it asks about unpaid
// orders), a simulated trade told to the stand-in as it is sent (so "ask Alipay" finds it, as a real
// Alipay would), and `--lost`: a trade paid at the stand-in with no notification, registered with a
// local gateway as the merchant's site would register it.

import { adminCurl, isLocalGateway } from './admin-curl';
import { standInClient } from './alipay-standin';
import { DEV_STANDIN_PORT } from './dev-config';
import { describeFetchError, explainHealth, fetchHealth, healthUrlOf, type HealthSummary } from './health-check';
import { answerText, EXIT, printError } from './io';
import type { NotificationPlan } from './notification-builder';
import type { DevDefaults } from './simulate-dev-defaults';
import { ORDERS_PATH } from '../src/config/names';
import { LOOPBACK_HOSTS } from '../src/config/values';
import { signOrderRegistration } from '../src/http/order-registration';

const HEALTH_TIMEOUT_MS = 5_000;

/** Where simulate sends: the gateway's notify URL, and the stand-in `--standin` names (if any). */
interface Target {
  url: string;
  standInUrl?: string | undefined;
}

/** The gateway's /health summary, or null when it gives none (not a gateway, unreachable, problems). */
export async function gatewayHealth(gatewayUrl: string): Promise<HealthSummary | null> {
  const health = healthUrlOf(gatewayUrl);
  if (!health.ok) return null;
  const answer = await fetchHealth(health.url, HEALTH_TIMEOUT_MS);
  return answer.kind === 'healthy' ? answer.summary : null;
}

/**
 * A real Alipay knows every trade it notifies about, so "ask Alipay" finds it; the local stand-in
 * knows only what it is told. So for a gateway on this machine that asks the stand-in (its /health
 * says so), the trade is told to the stand-in as it is sent: its status (a full refund is
 * TRADE_CLOSED, a partial one stays TRADE_SUCCESS: the stand-in has no refund fields). Quietly:
 * without a stand-in, simulate is what it always was. A mapi order is never asked about.
 */
export async function tellLocalStandIn(plan: NotificationPlan, s: Target, dev: DevDefaults, health: Promise<HealthSummary | null>): Promise<void> {
  if (plan.appId === null || !isLocalGateway(s.url)) return;
  const base = dev.standInUrl ?? `http://127.0.0.1:${DEV_STANDIN_PORT}`;
  const reconcile = (await health)?.reconcile;
  if (!reconcile?.enabled || !isStandIn(reconcile.gateway, base, true)) return;
  try {
    await standInClient(base, 2_000).registerTrade({ out_trade_no: plan.outTradeNo, total_amount: plan.totalAmount, trade_status: plan.status, trade_no: plan.tradeNo });
    process.stderr.write(`simulate: the local Alipay stand-in knows the trade too (${plan.status}), so asking Alipay about order ${plan.outTradeNo} finds it\n`);
  } catch {
    // Not running, or an older stand-in: the notification is what matters here.
  }
}

/**
 * `--lost`: the trade is paid at the stand-in (what Alipay would then answer to alipay.trade.query)
 * and no notification is sent. Prints one JSON line: the trade as the stand-in now knows it.
 * Exit 1 when the gateway cannot find the payment this way: it asks another Alipay (its
 * ALIPAY_GATEWAY_URL is not this stand-in), asks none, or refused the order's registration.
 */
export async function payWithoutNotifying(plan: NotificationPlan, s: Target, dev: DevDefaults): Promise<number> {
  const base = (s.standInUrl ?? dev.standInUrl ?? `http://127.0.0.1:${DEV_STANDIN_PORT}`).replace(/\/$/, '');
  const status = plan.status;
  let trade;
  try {
    trade = await standInClient(base).registerTrade({ out_trade_no: plan.outTradeNo, total_amount: plan.totalAmount, trade_status: status, trade_no: plan.tradeNo });
  } catch (error) {
    printError(
      `could not pay order ${plan.outTradeNo} at the Alipay stand-in ${base}: ${describeFetchError(error, 5_000)}. ` +
        'Is `npm start` running (it starts the stand-in), or `npx alipay-notify-edge standin`?',
    );
    return EXIT.notValid;
  }
  const asking = await whomGatewayAsks(s.url, base);
  const registered = asking.kind === 'stand-in' || asking.kind === 'unknown' ? await registerWithGateway(plan, s, dev) : null;
  process.stdout.write(`${JSON.stringify({ lost: true, standin: base, ...trade, registered })}\n`);
  process.stderr.write(
    `simulate: order ${plan.outTradeNo} is ${status} at the Alipay stand-in (${plan.totalAmount} CNY, trade_no ${plan.tradeNo}); ` +
      `no notification was sent to ${s.url}. The gateway hears of it only by asking Alipay.\n`,
  );
  if (asking.kind === 'never' || asking.kind === 'elsewhere') {
    process.stderr.write(`simulate: warning: ${asking.kind === 'never' ? 'the gateway does not ask Alipay at all (ALIPAY_APP_PRIVATE_KEY is not set)' : `the gateway asks ${asking.gateway}, not this stand-in (${base})`}: it will never find this payment. --lost plays out only with a gateway whose ALIPAY_GATEWAY_URL is the stand-in (as \`npm start\` sets it up).\n`);
    return EXIT.notValid;
  }
  if (asking.kind === 'unknown') process.stderr.write(`simulate: whether the gateway asks this stand-in is not known: ${asking.why}\n`);
  if (registered?.ok) {
    process.stderr.write(
      `simulate: the order is registered with the gateway, as your site would register it (POST /alipay/orders): it asks Alipay at ${registered.nextQueryAt ?? 'its next query'}, ` +
        'finds the payment and forwards it (header x-alipay-event-source: query).\n',
    );
    return EXIT.ok;
  }
  const token = isLocalGateway(s.url) ? dev.adminToken : null;
  process.stderr.write(
    `simulate: ${registered ? `the gateway did not take the registration (${registered.error ?? 'no reason given'}). ` : ''}` +
      `Ask Alipay about it from the admin API: ${adminCurl({ gatewayUrl: s.url, appId: plan.appId ?? plan.sellerId, outTradeNo: plan.outTradeNo, token }).replace(/^curl /, 'curl -X POST ')}/ask\n`,
  );
  return registered ? EXIT.notValid : EXIT.ok;
}

type Asking =
  | { kind: 'stand-in' }
  /** Its ALIPAY_GATEWAY_URL is another address (Alipay itself, or a stand-in on the gateway's own machine). */
  | { kind: 'elsewhere'; gateway: string }
  /** Reconciliation is off: it never asks. */
  | { kind: 'never' }
  /** No health report to tell (not reachable, not a gateway, an older gateway). */
  | { kind: 'unknown'; why: string };

/** Whom the gateway at `gatewayUrl` asks about unpaid orders, from its /health. */
async function whomGatewayAsks(gatewayUrl: string, standIn: string): Promise<Asking> {
  const health = healthUrlOf(gatewayUrl);
  if (!health.ok) return { kind: 'unknown', why: health.message };
  const answer = await fetchHealth(health.url, HEALTH_TIMEOUT_MS);
  if (answer.kind !== 'healthy') return { kind: 'unknown', why: explainHealth(answer)[0]! };
  const reconcile = answer.summary.reconcile;
  if (!reconcile) return { kind: 'unknown', why: `${health.url} does not say where it asks Alipay` };
  if (!reconcile.enabled) return { kind: 'never' };
  return isStandIn(reconcile.gateway, standIn, isLocalGateway(gatewayUrl)) ? { kind: 'stand-in' } : { kind: 'elsewhere', gateway: reconcile.gateway };
}

/**
 * Whether the address a gateway asks is this stand-in: the same address, or, for a gateway on this
 * machine, the same port under any loopback name (127.0.0.1 and localhost). A remote gateway's
 * 127.0.0.1 is its own machine, never this one.
 */
function isStandIn(asked: string, standIn: string, gatewayIsLocal: boolean): boolean {
  try {
    const a = new URL(asked);
    const b = new URL(standIn);
    if (LOOPBACK_HOSTS.has(a.hostname) && LOOPBACK_HOSTS.has(b.hostname)) return gatewayIsLocal && a.protocol === b.protocol && a.port === b.port;
    return a.origin === b.origin;
  } catch {
    return false;
  }
}

/** How long a simulated lost order stays payable: the gateway asks about it until then. */
const LOST_ORDER_PAYABLE_S = 30 * 60;

type Registration = { ok: boolean; nextQueryAt?: string | null; error?: string };

/**
 * Registers the order with a local gateway as the merchant's site would (POST /alipay/orders,
 * signed with STATUS_SECRET from .dev.vars), so the gateway asks Alipay about it on its schedule.
 * Null when that is not possible here (not a local gateway, or no STATUS_SECRET).
 */
async function registerWithGateway(plan: NotificationPlan, s: Target, dev: DevDefaults): Promise<Registration | null> {
  // Orders are registered by app_id: a mapi order (which --lost refuses anyway) has none.
  if (plan.appId === null || !isLocalGateway(s.url) || dev.statusSecret === null || !/^\d+\.\d{2}$/.test(plan.totalAmount)) return null;
  const expire = Math.floor(Date.now() / 1000) + LOST_ORDER_PAYABLE_S;
  const sig = await signOrderRegistration(new TextEncoder().encode(dev.statusSecret), plan.appId, plan.outTradeNo, plan.totalAmount, expire);
  const form = new URLSearchParams({ app_id: plan.appId, out_trade_no: plan.outTradeNo, total_amount: plan.totalAmount, expire: String(expire), sig });
  let response: Response;
  let text: string;
  try {
    response = await fetch(new URL(ORDERS_PATH, s.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(5_000),
    });
    text = await answerText(response);
  } catch (error) {
    return { ok: false, error: describeFetchError(error, 5_000) };
  }
  return registrationAnswer(response.status, text);
}

/** The gateway's JSON answer; anything else (a 404 page, a proxy's HTML) said for what it is. */
function registrationAnswer(status: number, text: string): Registration {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (typeof body === 'object' && body !== null && typeof (body as Registration).ok === 'boolean') return body as Registration;
  const shown = text.trim().replace(/\s+/g, ' ').slice(0, 100);
  const where = status === 404 ? `: nothing takes registrations at ${ORDERS_PATH} there (is --to the gateway?)` : '';
  return { ok: false, error: `it answered ${status} with something that is not the gateway's JSON${shown ? ` ("${shown}")` : ''}${where}` };
}
