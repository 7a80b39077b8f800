// The deployment's delivery gate by name. A leaf (type-only import of the class), so the HTTP
// edge (health, admin) reaches it without loading the Durable Object runtime module.
import type { GatewayEnv } from '../env';
import type { DeliveryGate } from './delivery-gate';

export const DELIVERY_GATE_NAME = 'deliveries';

export function deliveryGate(env: GatewayEnv): DurableObjectStub<DeliveryGate> {
  return env.DELIVERY_GATE.get(env.DELIVERY_GATE.idFromName(DELIVERY_GATE_NAME));
}
