// GET /health: what an operator (or `alipay-notify-edge check URL`) needs to see whether the
// deployment is configured right. The summary was built without secrets in src/config/summary.ts, so this
// only shapes the response; it logs nothing.

import { formatProblem } from '../config/reader';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { deliveryGate } from '../orders/gate-stub';
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

/** /health with the delivery hold (null when the gate did not answer: the configuration is still shown). */
export async function healthWithDeliveries(result: ConfigResult, env: GatewayEnv): Promise<Response> {
  if (!result.ok) return healthResponse(result);
  let deliveries: DeliveriesHealth | null = null;
  try {
    const s = await deliveryGate(env).status();
    deliveries = { held: s.held, heldSince: s.heldSince, waitingOrders: s.waitingOrders, drainingUntil: s.drainingUntil };
  } catch {
    deliveries = null;
  }
  return healthResponse(result, deliveries);
}
