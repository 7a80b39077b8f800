// The deployment's alert desk by name. A leaf (type-only import of the class), so code that runs
// outside workerd too (the notify path, imported by Node tests) can report to it.
import type { GatewayEnv } from '../env';
import type { AlertDesk } from './alert-desk';

export const ALERT_DESK_NAME = 'alerts';

export function alertDesk(env: GatewayEnv): DurableObjectStub<AlertDesk> {
  return env.ALERT_DESK.get(env.ALERT_DESK.idFromName(ALERT_DESK_NAME));
}
