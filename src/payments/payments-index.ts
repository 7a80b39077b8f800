// PaymentsIndex: one SQLite Durable Object per UTC month × shard (`2026-05/0`), holding one summary
// row per order for history, search, totals, charts and the dead-letter view, plus the month's
// rejection counters (shard 0). Ledgers write it through their outbox (src/orders/index-outbox.ts);
// the admin API reads it (src/payments/queries.ts). It is never the source of truth: every row
// can be rebuilt from its ledger, and a newer ledger version always wins.
import { DurableObject } from 'cloudflare:workers';
import type { GatewayEnv } from '../env';
import { migrate } from '../orders/schema';
import { INDEX_MIGRATIONS } from './index-schema';
import {
  IndexStore,
  type Bucket,
  type DeadLetter,
  type IndexedPayment,
  type PageQuery,
  type PaymentFilter,
  type RejectionCount,
  type SeriesPoint,
  type Totals,
} from './index-store';
import type { IndexRow } from './types';

export class PaymentsIndex extends DurableObject<GatewayEnv> {
  private readonly store: IndexStore;

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    this.store = new IndexStore(ctx.storage);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, INDEX_MIGRATIONS);
    });
  }

  /** Idempotent and versioned: false when this version (or a newer one) is already there. */
  upsert(row: IndexRow, version: number): boolean {
    return this.store.upsert(row, version);
  }

  page(query: PageQuery): IndexedPayment[] {
    return this.store.page(query);
  }

  totals(filter: PaymentFilter): Totals {
    return this.store.totals(filter);
  }

  series(from: number, to: number, bucket: Bucket): SeriesPoint[] {
    return this.store.series(from, to, bucket);
  }

  byTradeNo(tradeNo: string): IndexedPayment[] {
    return this.store.byTradeNo(tradeNo);
  }

  deadLetters(limit: number): DeadLetter[] {
    return this.store.deadLetters(limit);
  }

  deadSince(since: number, limit: number): { deadLetters: DeadLetter[]; total: number } {
    return this.store.deadSince(since, limit);
  }

  addRejections(counts: RejectionCount[]): void {
    this.store.addRejections(counts);
  }

  rejections(from: number, to: number): RejectionCount[] {
    return this.store.rejections(from, to);
  }
}
