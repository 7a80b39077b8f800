// The Worker bench:e2e runs: the real gateway (src/index.ts, untouched) plus one route that exists
// only here, never in the deployed Worker. The route is the architecture's floor: the same HTTP
// request (a notification's bytes) reaches a per-order Durable Object that does one SQLite INSERT
// and returns, so "notify / baseline" is what the gateway's own work (verify, decode, classify,
// dedupe, schedule) costs on top of what any per-order durable design must pay.
// Built from a wrangler config generated at run time (bench/e2e/wrangler-config.ts).
import { DurableObject } from 'cloudflare:workers';
import type { GatewayEnv } from '../../src/env';
import { textResponse } from '../../src/http/responses';
import gateway from '../../src/index';
import { BASELINE_PATH } from './baseline-route';

export { AlertDesk, DeliveryGate, OrderLedger, PaymentsIndex } from '../../src/index';


interface BenchEnv extends GatewayEnv {
  readonly BASELINE_ORDER: DurableObjectNamespace<BaselineOrder>;
}

/** One per order key, like OrderLedger: one INSERT per request, answered after the output gate. */
export class BaselineOrder extends DurableObject<BenchEnv> {
  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    // The gateway's ledger creates its schema on first use too; both pay it once per new object.
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS notifications (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL)');
  }

  record(body: Uint8Array): boolean {
    this.ctx.storage.sql.exec('INSERT INTO notifications (received_at, body) VALUES (?, ?)', Date.now(), body.slice().buffer);
    return true;
  }
}

/** POST BASELINE_PATH?order=KEY with any body: the body goes to KEY's object and is stored once. */
async function baseline(request: Request, env: BenchEnv): Promise<Response> {
  const order = new URL(request.url).searchParams.get('order');
  if (request.method !== 'POST' || !order) return textResponse(400, 'POST ?order=KEY');
  const body = new Uint8Array(await request.arrayBuffer());
  await env.BASELINE_ORDER.get(env.BASELINE_ORDER.idFromName(order)).record(body);
  return textResponse(200, 'success');
}

export default {
  fetch(request, env, ctx): Promise<Response> | Response {
    if (new URL(request.url).pathname === BASELINE_PATH) return baseline(request, env);
    // With the request's context, as the deployed Worker gets it (work after the answer uses it).
    return gateway.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
