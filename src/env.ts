// The Worker's env: configuration strings (see src/config/) plus the bindings declared in
// wrangler.toml (Durable Objects, the sign-in rate limiter).
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
  /** Attempts at the console's sign-in form per client address (src/http/admin-sign-in.ts); optional. */
  readonly ADMIN_SIGN_IN_LIMITER?: RateLimit;
  /** Requests with a bearer token per client address (src/http/admin-auth.ts); optional. */
  readonly ADMIN_API_LIMITER?: RateLimit;
}
