// Schema versions are tracked in a table (no PRAGMA user_version in Durable Objects); each
// migration applies exactly once.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LEDGER_MIGRATIONS, migrate } from '../src/orders/schema';
import { ledger } from './support/gateway';
import { uniqueId } from './support/notifications';

describe('ledger schema', () => {
  it('a new ledger is at the latest version, with its tables', async () => {
    const tables = await runInDurableObject(ledger(uniqueId('schema:')), (_i, state) => ({
      versions: state.storage.sql.exec<{ version: number }>('SELECT version FROM schema_versions').toArray().map((r) => r.version),
      names: state.storage.sql
        .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`)
        .toArray()
        .map((r) => r.name)
        .sort(),
    }));
    expect(tables.versions).toEqual(LEDGER_MIGRATIONS.map((m) => m.version));
    expect(tables.names).toEqual(['attempts', 'events', 'index_outbox', 'notifications', 'order_info', 'reconcile', 'schema_versions']);
  });

  it('applies each migration once, in order', async () => {
    const later = LEDGER_MIGRATIONS.length + 1;
    const next = [...LEDGER_MIGRATIONS, { version: later, statements: ['CREATE TABLE later_addition (x INTEGER)'] }];
    const versions = await runInDurableObject(ledger(uniqueId('schema:')), (_i, state) => {
      const first = migrate(state.storage, next);
      const again = migrate(state.storage, next); // CREATE TABLE would throw if it ran twice
      return [first, again, state.storage.sql.exec('SELECT version FROM schema_versions ORDER BY version').toArray().length];
    });
    expect(versions).toEqual([later, later, later]);
  });
});
