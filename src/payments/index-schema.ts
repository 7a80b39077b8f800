// The payments index's SQLite schema (one PaymentsIndex object per month × shard). Appended to,
// never edited once deployed (see src/orders/schema.ts for how migrations are applied).
import type { Migration } from '../orders/schema';

export const INDEX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      // One row per order (or orderless message, out_trade_no NULL), as its ledger last pushed it.
      // `version` is the ledger's change counter: a push older than the row is ignored.
      `CREATE TABLE payments (
        order_key TEXT PRIMARY KEY,
        app_id TEXT NOT NULL,
        out_trade_no TEXT,
        trade_no TEXT,
        subject TEXT,
        total_cents INTEGER,
        status TEXT NOT NULL,
        refunded_cents INTEGER NOT NULL,
        delivery TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        paid_at INTEGER,
        updated_at INTEGER NOT NULL,
        last_error TEXT,
        version INTEGER NOT NULL
      )`,
      `CREATE INDEX payments_by_time ON payments (first_seen_at, order_key)`,
      `CREATE INDEX payments_by_trade_no ON payments (trade_no) WHERE trade_no IS NOT NULL`,
      // The dead-letter view: the order's dead events, replaced with every newer push of its row.
      `CREATE TABLE dead_events (
        order_key TEXT NOT NULL,
        event_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT,
        died_at INTEGER NOT NULL,
        redeliverable INTEGER NOT NULL,
        PRIMARY KEY (order_key, event_key)
      )`,
      `CREATE INDEX dead_events_by_time ON dead_events (died_at)`,
      // Rejected notifications, counted per hour and reason (shard 0 of the hour's month only).
      `CREATE TABLE rejections (
        hour INTEGER NOT NULL,
        reason TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (hour, reason)
      )`,
    ],
  },
];
