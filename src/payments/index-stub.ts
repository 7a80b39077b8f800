// Reaching one PaymentsIndex object by name (index-name.ts). Apart from the class, so code that
// only talks to the index (the notify path's rejection counts, which the CLI's tests load in
// Node) never loads the Durable Object runtime module.
import type { GatewayEnv } from '../env';
import type { PaymentsIndex } from './payments-index';

export function paymentsIndex(env: GatewayEnv, name: string): DurableObjectStub<PaymentsIndex> {
  return env.PAYMENTS_INDEX.get(env.PAYMENTS_INDEX.idFromName(name));
}
