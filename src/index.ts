// Worker entry. The Worker is stateless: it verifies and routes; each order's state lives in its
// OrderLedger Durable Object. Routes:
//   POST NOTIFY_PATH (default /alipay/notify)   Alipay's notifications (src/notify.ts)
//   GET  /health                               configuration summary or problems (src/health.ts)
//   GET  /alipay/return                        return_url bridge when ORIGIN_RETURN_URL is set (src/return-page.ts)
//   /admin/*                                   operator API when ADMIN_TOKEN is set (src/admin.ts)
import { Router, type IRequest } from 'itty-router';
import { handleAdmin } from './admin';
import { RETURN_PATH, loadConfig, type ConfigResult } from './config';
import type { GatewayEnv } from './env';
import { healthResponse } from './health';
import { handleNotify } from './notify';
import { handleReturn } from './return-page';

export { DeadLetterIndex } from './orders/dead-letters';
export { OrderLedger } from './orders/ledger';

const notFound = () => new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

const router = Router<IRequest, [GatewayEnv, ConfigResult]>()
  .get('/health', (_r, _env, config) => healthResponse(config))
  .all('/health', () => new Response('method not allowed', { status: 405, headers: { allow: 'GET' } }))
  .all(RETURN_PATH, (r, _env, config) => handleReturn(r, config))
  .all('/admin/*', (r, env, config) => handleAdmin(r, env, config));

/**
 * The notify path comes from config; while config is broken the configured (or default) path
 * still answers, with 503, so Alipay keeps its notifications until the problem is fixed.
 */
function notifyPathOf(config: ConfigResult): string {
  return config.ok ? config.config.notifyPath : config.routes.notifyPath;
}

export default {
  async fetch(request, env): Promise<Response> {
    const config = await loadConfig(env);
    if (new URL(request.url).pathname === notifyPathOf(config)) return handleNotify(request, env, config);
    return ((await router.fetch(request, env, config)) as Response | undefined) ?? notFound();
  },
} satisfies ExportedHandler<GatewayEnv>;
