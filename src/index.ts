// Worker entry. The Worker is stateless: it verifies and routes; each order's state lives in its
// OrderLedger Durable Object. Routes:
//   POST NOTIFY_PATH (default /alipay/notify)   Alipay's notifications (src/http/notify.ts)
//   GET  /health                               configuration summary or problems (src/http/health.ts)
//   GET  /alipay/return                        return_url bridge when ORIGIN_RETURN_URL is set (src/http/return-page.ts)
//   GET  /alipay/status                        the buyer's payment status (JSON or WebSocket) when STATUS_SECRET is set (src/http/status.ts)
//   POST /alipay/orders                        the merchant's site registers an order it expects, when STATUS_SECRET is set (src/http/orders.ts)
//   GET  /alipay/status.js                     the buyer's payment status widget (src/http/status-script.ts)
//   /admin/, /admin/assets/*, /admin/session*  operator console and its sign-in (src/http/console.ts, admin-sign-in.ts)
//   /admin/*                                   operator API when ADMIN_TOKEN is set (src/http/admin.ts)
// and the cron trigger's scheduled work (src/cron.ts).
import { Router, type IRequest } from 'itty-router';
import { handleScheduled } from './cron';
import { handleAdmin } from './http/admin';
import { isAdminPath, plainHttpAdminRefusal } from './http/admin-transport';
import { handleSignIn, handleSignOut } from './http/admin-sign-in';
import { handleConsoleAsset, handleConsolePage } from './http/console';
import { ORDERS_PATH, RETURN_PATH, STATUS_PATH } from './config/names';
import { loadConfig } from './config/load';
import type { ConfigResult } from './config/types';
import type { GatewayEnv } from './env';
import { healthWithDeliveries } from './http/health';
import { handleNotify } from './http/notify';
import { handleOrders } from './http/orders';
import { methodNotAllowed, notFound } from './http/responses';
import { handleReturn } from './http/return-page';
import { handleStatus } from './http/status';
import { handleStatusScript, STATUS_SCRIPT_PATH } from './http/status-script';

export { AlertDesk } from './alerts/alert-desk';
export { DeliveryGate } from './orders/delivery-gate';
export { OrderLedger } from './orders/ledger';
export { PaymentsIndex } from './payments/payments-index';

/** The request's waitUntil: work that goes on after the answer (never what the answer waits for). */
type Later = Pick<ExecutionContext, 'waitUntil'> | undefined;

const router = Router<IRequest, [GatewayEnv, ConfigResult, Later]>()
  .get('/health', (_r, env, config) => healthWithDeliveries(config, env))
  .all('/health', () => methodNotAllowed('GET'))
  .all(RETURN_PATH, (r, env, config, later) => handleReturn(r, config, env, later))
  .all(STATUS_PATH, (r, env, config, later) => handleStatus(r, env, config, later))
  .all(ORDERS_PATH, (r, env, config) => handleOrders(r, env, config))
  .all(STATUS_SCRIPT_PATH, (r) => handleStatusScript(r))
  // itty-router ignores a trailing slash: this is /admin and /admin/.
  .all('/admin/', (r, env, config) => handleConsolePage(r, config, env.ADMIN_API_LIMITER))
  .all('/admin/assets/:file', (r, _env, config) => handleConsoleAsset(r, config, r.params['file']))
  .all('/admin/session', (r, env, config) => handleSignIn(r, env, config))
  .all('/admin/session/logout', (r, _env, config) => handleSignOut(r, config))
  .all('/admin/*', (r, env, config) => handleAdmin(r, env, config));

/**
 * The notify path comes from config; while config is broken the configured (or default) path
 * still answers, with 503, so Alipay keeps its notifications until the problem is fixed.
 */
function notifyPathOf(config: ConfigResult): string {
  return config.ok ? config.config.notifyPath : config.routes.notifyPath;
}

export default {
  async fetch(request, env, ctx?: ExecutionContext): Promise<Response> {
    const config = await loadConfig(env);
    const { pathname } = new URL(request.url);
    if (pathname === notifyPathOf(config)) return handleNotify(request, env, config, ctx);
    if (isAdminPath(pathname)) {
      const refusal = plainHttpAdminRefusal(request);
      if (refusal !== null) return refusal;
    }
    return ((await router.fetch(request, env, config, ctx)) as Response | undefined) ?? notFound();
  },
  async scheduled(controller, env): Promise<void> {
    await handleScheduled(controller, env);
  },
} satisfies ExportedHandler<GatewayEnv>;
