// The ledger tables of reconciliation (src/orders/reconcile-store.ts): ledger schema versions 3
// and 4, appended to LEDGER_MIGRATIONS. A leaf module, like the index outbox's.
import type { Migration } from './schema';

const OWE = 'UPDATE index_outbox SET version = version + 1;';

/** Ledger schema version 3 (appended to LEDGER_MIGRATIONS). */
export const RECONCILE_MIGRATION: Migration = {
  version: 3,
  statements: [
    // `query`: a payment found by asking Alipay, recorded like a notification (notify_id "query <trade_no>",
    // which no notification can have: the core refuses a notify_id with a space).
    `ALTER TABLE notifications ADD COLUMN source TEXT NOT NULL DEFAULT 'notification'`,
    // Asking Alipay about this order, and what the merchant's site said to expect (one row at most).
    // state: asking (queries scheduled) | paid | closed (asking ended with the answer) | expired | exhausted.
    `CREATE TABLE reconcile (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      state TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      first_trigger TEXT NOT NULL,
      expected_amount TEXT,
      expected_cents INTEGER,
      expires_at INTEGER,
      registered_at INTEGER,
      scheduled_done INTEGER NOT NULL DEFAULT 0,
      schedule_since INTEGER NOT NULL,
      next_query_at INTEGER,
      lease_until INTEGER,
      queries INTEGER NOT NULL DEFAULT 0,
      asked_by_buyer INTEGER NOT NULL DEFAULT 0,
      last_query_at INTEGER,
      last_outcome TEXT,
      last_error TEXT,
      failures INTEGER NOT NULL DEFAULT 0
    )`,
    // The index row shows a registered order (waiting, with its expected amount) before any notification.
    `CREATE TRIGGER index_owed_reconcile AFTER INSERT ON reconcile BEGIN ${OWE} END`,
    `CREATE TRIGGER index_owed_expected AFTER UPDATE OF expected_cents ON reconcile
       WHEN OLD.expected_cents IS NOT NEW.expected_cents BEGIN ${OWE} END`,
  ],
};

/**
 * Ledger schema version 4: the index row shows an order as closed once asking Alipay ended
 * without a payment (TRADE_CLOSED, or the last query after its expiry found none), so it leaves
 * the waiting rows the hourly sweep reads. A ledger that had already ended so owes its row once.
 */
export const ASKING_ENDED_MIGRATION: Migration = {
  version: 4,
  statements: [
    `CREATE TRIGGER index_owed_asking_ended AFTER UPDATE OF state ON reconcile
       WHEN OLD.state IS NOT NEW.state AND (NEW.state IN ('closed', 'expired') OR OLD.state IN ('closed', 'expired')) BEGIN ${OWE} END`,
    `UPDATE index_outbox SET version = version + 1 WHERE EXISTS (SELECT 1 FROM reconcile WHERE state IN ('closed', 'expired'))`,
  ],
};
