// The Worker's env: configuration strings (see src/config/) plus the Durable Object bindings
// declared in wrangler.toml.
import type { AlertDesk } from './alerts/alert-desk';
import type { ConfigEnv } from './config/names';
import type { DeadLetterIndex } from './orders/dead-letters';
import type { OrderLedger } from './orders/ledger';

export interface GatewayEnv extends ConfigEnv {
  readonly ORDER_LEDGER: DurableObjectNamespace<OrderLedger>;
  readonly DEAD_LETTERS: DurableObjectNamespace<DeadLetterIndex>;
  readonly ALERT_DESK: DurableObjectNamespace<AlertDesk>;
}
