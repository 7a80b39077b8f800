// The DeliveryGate's status as this isolate sees it: the gate's answer, kept for a few seconds.
// Ledgers about to deliver and GET /health (which anyone may call) read it here, so the one gate
// object hears from an isolate about once per GATE_VIEW_MS however often it is asked: a flood of
// /health cannot overload the gate and make ledgers take it for unreachable (and deliver).
// A hold takes effect within GATE_VIEW_MS. An unreachable gate counts as "not held": a hold is a
// courtesy to the origin, and delivering is what the gateway is for.

import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import type { GateStatus } from './delivery-gate';
import { deliveryGate } from './gate-stub';

export const GATE_VIEW_MS = 3_000;

let view: { status: GateStatus; at: number } | null = null;

/**
 * The gate's status, at most GATE_VIEW_MS old; rejects when the gate cannot be reached. Only the
 * answer is shared, not a call in flight: in the Worker a promise from one request's I/O may never
 * settle for another request (the first one can be cancelled), so each caller awaits its own call.
 */
export async function gateStatus(env: GatewayEnv, now = Date.now()): Promise<GateStatus> {
  if (view !== null && now - view.at < GATE_VIEW_MS) return view.status;
  const status = await deliveryGate(env).status();
  view = { status, at: Date.now() };
  return status;
}

export async function deliveriesHeld(env: GatewayEnv, now = Date.now()): Promise<boolean> {
  try {
    return (await gateStatus(env, now)).held;
  } catch (error) {
    logLine({ level: 'warn', msg: 'the delivery gate could not be reached; delivering', error });
    return false;
  }
}

/** The gate changed in this isolate (hold or resume through the admin API): look again at once. */
export function forgetGateView(): void {
  view = null;
}
