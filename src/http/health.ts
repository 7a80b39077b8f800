// GET /health: what an operator (or `alipay-notify-edge check URL`) needs to see whether the
// deployment is configured right. The summary was built without secrets in src/config/summary.ts, so this
// only shapes the response; it logs nothing.

import { formatProblem } from '../config/reader';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { gateStatus } from '../orders/gate-view';
import { jsonResponse } from './responses';

/** Whether deliveries are held (and the backlog), as /health shows it: no name, no reason (those are the admin API's). */
export interface DeliveriesHealth {
  readonly held: boolean;
  readonly heldSince: string | null;
  readonly waitingOrders: number;
  readonly drainingUntil: string | null;
}

export function healthResponse(result: ConfigResult, deliveries?: DeliveriesHealth | null): Response {
  if (!result.ok) {
    const body = { ok: false, problems: result.problems.map(formatProblem) };
    return jsonResponse(503, body);
  }
  return jsonResponse(200, { ok: true, ...result.config.summary, ...(deliveries !== undefined ? { deliveries } : {}) });
}

/** The gate gets this long: /health answers with the configuration whatever the gate does. */
const GATE_STATUS_TIMEOUT_MS = 2_000;

/** /health with the delivery hold (null when the gate did not answer in time: the configuration is still shown). */
export async function healthWithDeliveries(result: ConfigResult, env: GatewayEnv): Promise<Response> {
  if (!result.ok) return healthResponse(result);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), GATE_STATUS_TIMEOUT_MS)));
  // The isolate's view of the gate (a few seconds old at most), not a call per request: /health is public.
  const asked = gateStatus(env)
    .then((s): DeliveriesHealth => ({ held: s.held, heldSince: s.heldSince, waitingOrders: s.waitingOrders, drainingUntil: s.drainingUntil }))
    .catch(() => null);
  const deliveries = await Promise.race([asked, timeout]);
  clearTimeout(timer);
  return healthResponse(result, deliveries);
}
