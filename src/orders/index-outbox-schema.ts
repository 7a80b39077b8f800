// The ledger tables of the index outbox (src/orders/index-outbox.ts): ledger schema version 2,
// appended to LEDGER_MIGRATIONS. A leaf module, so the schema list needs nothing from the outbox.
import type { Migration } from './schema';

/** The events' states as the index shows them: `delivering` is still `pending` there. */
const VISIBLE_STATE = (row: 'OLD' | 'NEW') => `CASE ${row}.state WHEN 'delivering' THEN 'pending' ELSE ${row}.state END`;
const OWE = 'UPDATE index_outbox SET version = version + 1;';

/** Ledger schema version 2 (appended to LEDGER_MIGRATIONS). */
export const INDEX_OUTBOX_MIGRATION: Migration = {
  version: 2,
  statements: [
    // What the index row and the order page need from a notification, kept when the body is purged.
    'ALTER TABLE notifications ADD COLUMN key_fingerprint TEXT',
    'ALTER TABLE notifications ADD COLUMN trade_no TEXT',
    'ALTER TABLE notifications ADD COLUMN subject TEXT',
    'ALTER TABLE notifications ADD COLUMN total_amount TEXT',
    'ALTER TABLE notifications ADD COLUMN refund_fee TEXT',
    'ALTER TABLE notifications ADD COLUMN gmt_payment TEXT',
    `UPDATE notifications SET
       trade_no = NULLIF(json_extract(params_json, '$.trade_no'), ''),
       subject = NULLIF(json_extract(params_json, '$.subject'), ''),
       total_amount = COALESCE(NULLIF(json_extract(params_json, '$.total_amount'), ''), NULLIF(json_extract(params_json, '$.total_fee'), '')),
       refund_fee = NULLIF(json_extract(params_json, '$.refund_fee'), ''),
       gmt_payment = NULLIF(json_extract(params_json, '$.gmt_payment'), '')
     WHERE params_json IS NOT NULL`,
    `CREATE TABLE index_outbox (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      version INTEGER NOT NULL,
      pushed_version INTEGER NOT NULL,
      index_name TEXT,
      retry_at INTEGER,
      failures INTEGER NOT NULL DEFAULT 0
    )`,
    // A ledger from before the index owes its row from the start.
    `INSERT INTO index_outbox (id, version, pushed_version) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM order_info) THEN 1 ELSE 0 END, 0`,
    `CREATE TRIGGER index_owed_notification AFTER INSERT ON notifications BEGIN ${OWE} END`,
    `CREATE TRIGGER index_owed_purge AFTER UPDATE OF raw_body ON notifications
       WHEN OLD.raw_body IS NOT NULL AND NEW.raw_body IS NULL BEGIN ${OWE} END`,
    `CREATE TRIGGER index_owed_event AFTER INSERT ON events BEGIN ${OWE} END`,
    `CREATE TRIGGER index_owed_event_change AFTER UPDATE ON events
       WHEN ${VISIBLE_STATE('OLD')} IS NOT ${VISIBLE_STATE('NEW')} OR OLD.last_error IS NOT NEW.last_error BEGIN ${OWE} END`,
  ],
};
