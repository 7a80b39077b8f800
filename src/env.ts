// The Worker's env: configuration strings (see src/config/) plus the Durable Object bindings
// declared in wrangler.toml.
import type { AlertDesk } from './alerts/alert-desk';
import type { ConfigEnv } from './config/names';
import type { DeliveryGate } from './orders/delivery-gate';
import type { OrderLedger } from './orders/ledger';
import type { PaymentsIndex } from './payments/payments-index';

export interface GatewayEnv extends ConfigEnv {
  readonly ORDER_LEDGER: DurableObjectNamespace<OrderLedger>;
  readonly PAYMENTS_INDEX: DurableObjectNamespace<PaymentsIndex>;
  readonly ALERT_DESK: DurableObjectNamespace<AlertDesk>;
  readonly DELIVERY_GATE: DurableObjectNamespace<DeliveryGate>;
}
