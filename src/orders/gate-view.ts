// Whether deliveries are held, as an order's ledger sees it: the DeliveryGate's answer, kept for a
// few seconds per isolate, so a ledger about to deliver asks the gate at most once in that time.
// A hold takes effect within GATE_VIEW_MS. An unreachable gate counts as "not held": a hold is a
// courtesy to the origin, and delivering is what the gateway is for.

import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { deliveryGate } from './gate-stub';

export const GATE_VIEW_MS = 3_000;

let view: { held: boolean; at: number } | null = null;

export async function deliveriesHeld(env: GatewayEnv, now = Date.now()): Promise<boolean> {
  if (view !== null && now - view.at < GATE_VIEW_MS) return view.held;
  try {
    const held = (await deliveryGate(env).status()).held;
    view = { held, at: now };
    return held;
  } catch (error) {
    logLine({ level: 'warn', msg: 'the delivery gate could not be reached; delivering', error });
    return false;
  }
}

/** The gate changed in this isolate (hold or resume through the admin API): look again at once. */
export function forgetGateView(): void {
  view = null;
}
