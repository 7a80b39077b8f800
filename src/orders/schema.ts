// The ledger's SQLite schema. Durable Objects have no `PRAGMA user_version`, so applied versions
// live in a table; a migration is appended here, never edited once deployed.
import { INDEX_OUTBOX_MIGRATION } from './index-outbox-schema';
import { ASKING_ENDED_MIGRATION, RECONCILE_MIGRATION } from './reconcile-schema';
import { foldMigrations } from './schema-fold';

export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      // Which order this object is (a Durable Object does not know the name it was addressed by).
      `CREATE TABLE order_info (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        order_key TEXT NOT NULL,
        app TEXT NOT NULL,
        out_trade_no TEXT,
        created_at INTEGER NOT NULL
      )`,
      // One row per notify_id. raw_body/params_json are cleared after the retention period;
      // the row stays so a late re-send is still recognised.
      `CREATE TABLE notifications (
        notify_id TEXT PRIMARY KEY,
        event_key TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        resends INTEGER NOT NULL DEFAULT 0,
        notify_time TEXT,
        notify_type TEXT,
        trade_status TEXT,
        sign_type TEXT NOT NULL,
        content_rule TEXT NOT NULL,
        charset TEXT NOT NULL,
        content_type TEXT,
        body_bytes INTEGER NOT NULL,
        raw_body BLOB,
        params_json TEXT,
        body_purged_at INTEGER
      )`,
      // One row per event key. state: recorded (not forwarded) | pending | delivering | delivered | dead
      // (and, from version 3, held | refused: a payment of another amount than the one registered).
      // attempts counts every attempt; cycle_attempts restarts at a redelivery (position in RETRY_SCHEDULE).
      `CREATE TABLE events (
        event_key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        notify_id TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        cycle_attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        lease_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER,
        dead_at INTEGER,
        dead_indexed INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms INTEGER,
        status INTEGER,
        outcome TEXT NOT NULL,
        excerpt TEXT,
        retry_after_ms INTEGER
      )`,
      `CREATE INDEX attempts_by_event ON attempts (event_key, id)`,
    ],
  },
  INDEX_OUTBOX_MIGRATION,
  RECONCILE_MIGRATION,
  ASKING_ENDED_MIGRATION,
];

/**
 * Applies every migration not yet recorded, each in its own transaction. Returns the current version.
 *
 * A new object (no version recorded yet) gets the whole chain folded into one script
 * (schema-fold.ts) and run in one transaction instead, `schema_versions` included: every order's
 * first notification creates a ledger, and one script costs about half of what two dozen
 * statements in four transactions do. A first creation that fails leaves nothing behind, not even
 * an empty `schema_versions`. The result is the same schema, which test/ledger-schema.test.ts
 * checks table by table.
 */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[] = LEDGER_MIGRATIONS): number {
  const sql = storage.sql;
  const applied = new Set(hasVersionsTable(storage) ? sql.exec<{ version: number }>('SELECT version FROM schema_versions').toArray().map((r) => r.version) : []);
  const folded = applied.size === 0 ? foldMigrations(migrations) : null;
  if (folded !== null && migrations.length > 0) {
    const now = Date.now();
    storage.transactionSync(() => {
      sql.exec(VERSIONS_TABLE);
      sql.exec(folded);
      for (const migration of migrations) sql.exec('INSERT INTO schema_versions (version, applied_at) VALUES (?, ?)', migration.version, now);
    });
    return Math.max(...migrations.map((m) => m.version));
  }
  let current = applied.size === 0 ? 0 : Math.max(...applied);
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    storage.transactionSync(() => {
      sql.exec(VERSIONS_TABLE);
      for (const statement of migration.statements) sql.exec(statement);
      sql.exec('INSERT INTO schema_versions (version, applied_at) VALUES (?, ?)', migration.version, Date.now());
    });
    current = Math.max(current, migration.version);
  }
  return current;
}

const VERSIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)';

function hasVersionsTable(storage: DurableObjectStorage): boolean {
  return storage.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'`).toArray().length > 0;
}

/**
 * Whether this object's database has the ledger's schema: a migration recorded. (An empty
 * `schema_versions`, which versions before this one could leave behind when a first creation
 * failed, is no schema.) Reading writes nothing.
 */
export function hasSchema(storage: DurableObjectStorage): boolean {
  return hasVersionsTable(storage) && storage.sql.exec('SELECT 1 FROM schema_versions LIMIT 1').toArray().length > 0;
}
