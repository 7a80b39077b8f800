// The Worker bench:e2e runs: the real gateway (src/index.ts, untouched) plus one route that exists
// only here, never in the deployed Worker. The route is the architecture's floor: the same HTTP
// request (a notification's bytes) reaches a per-order Durable Object that does one SQLite INSERT
// and returns, so "notify / baseline" is what the gateway's own work (verify, decode, classify,
// dedupe, schedule) costs on top of what any per-order durable design must pay. With `index=1` the
// floor also keeps a per-month index through an outbox and the object's alarm, as the ledger does
// (informational: whether that belongs in the floor is issue 9's open question).
// Built from a wrangler config generated at run time (bench/e2e/wrangler-config.ts).
import { DurableObject } from 'cloudflare:workers';
import type { GatewayEnv } from '../../src/env';
import { textResponse } from '../../src/http/responses';
import gateway from '../../src/index';
import { BASELINE_PATH } from './baseline-route';

export { AlertDesk, DeliveryGate, OrderLedger, PaymentsIndex } from '../../src/index';


interface BenchEnv extends GatewayEnv {
  readonly BASELINE_ORDER: DurableObjectNamespace<BaselineOrder>;
  readonly BASELINE_INDEX: DurableObjectNamespace<BaselineIndex>;
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

  /**
   * The floor with an index beside it, the way the ledger's outbox keeps one (issue 9 asks whether
   * the floor should include it): the INSERT and an "index owed" mark in one transaction, an alarm
   * set for now, and the alarm pushing a row to the month's index object. Informational.
   */
  async recordAndOweIndex(body: Uint8Array, order: string): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    // Here, not in the constructor, so the plain floor's new objects do not pay for it; every
    // request of this workload is a new object, so it runs once per object, like a ledger's schema.
    sql.exec('CREATE TABLE IF NOT EXISTS index_owed (id INTEGER PRIMARY KEY CHECK (id = 1), order_key TEXT NOT NULL, version INTEGER NOT NULL, pushed INTEGER NOT NULL)');
    this.ctx.storage.transactionSync(() => {
      this.record(body);
      sql.exec('INSERT INTO index_owed (id, order_key, version, pushed) VALUES (1, ?, 1, 0) ON CONFLICT (id) DO UPDATE SET version = version + 1', order);
    });
    await this.ctx.storage.setAlarm(Date.now());
    return true;
  }

  override async alarm(): Promise<void> {
    const owed = this.ctx.storage.sql.exec<{ order_key: string; version: number; pushed: number }>('SELECT order_key, version, pushed FROM index_owed').toArray()[0];
    if (owed === undefined || owed.version <= owed.pushed) return;
    const month = new Date().toISOString().slice(0, 7);
    await this.env.BASELINE_INDEX.get(this.env.BASELINE_INDEX.idFromName(month)).upsert(owed.order_key, owed.version, Date.now());
    this.ctx.storage.sql.exec('UPDATE index_owed SET pushed = ?', owed.version);
  }
}

/** One per month, like PaymentsIndex: a row per order, the newest version kept. */
export class BaselineIndex extends DurableObject<BenchEnv> {
  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS rows (order_key TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at INTEGER NOT NULL)');
  }

  upsert(orderKey: string, version: number, at: number): void {
    this.ctx.storage.sql.exec(
      'INSERT INTO rows (order_key, version, updated_at) VALUES (?, ?, ?) ON CONFLICT (order_key) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at WHERE excluded.version > rows.version',
      orderKey,
      version,
      at,
    );
  }
}

/** POST BASELINE_PATH?order=KEY[&index=1] with any body: the body goes to KEY's object and is stored once (and, with index=1, owed to the index). */
async function baseline(request: Request, env: BenchEnv): Promise<Response> {
  const url = new URL(request.url);
  const order = url.searchParams.get('order');
  if (request.method !== 'POST' || !order) return textResponse(400, 'POST ?order=KEY');
  const body = new Uint8Array(await request.arrayBuffer());
  const stub = env.BASELINE_ORDER.get(env.BASELINE_ORDER.idFromName(order));
  if (url.searchParams.get('index') === '1') await stub.recordAndOweIndex(body, order);
  else await stub.record(body);
  return textResponse(200, 'success');
}

export default {
  fetch(request, env, ctx): Promise<Response> | Response {
    if (new URL(request.url).pathname === BASELINE_PATH) return baseline(request, env);
    // With the request's context, as the deployed Worker gets it (work after the answer uses it).
    return gateway.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
