// Schema versions are tracked in a table (no PRAGMA user_version in Durable Objects); each
// migration applies exactly once. A new ledger gets the chain folded into one script
// (src/orders/schema-fold.ts), which must leave exactly what the chain leaves.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { foldMigrations } from '../src/orders/schema-fold';
import { LEDGER_MIGRATIONS, migrate, type Migration } from '../src/orders/schema';
import { ledger, mockOrigin, orderKeyOf, postNotify } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';

describe('ledger schema', () => {
  it('a new ledger has no tables until its first write, then all of them at the latest version', async () => {
    mockOrigin();
    const params = tradeParams();
    const stub = ledger(orderKeyOf(params));
    const tablesOf = () =>
      runInDurableObject(stub, (_i, state) => ({
        versions: tableNames(state.storage.sql).includes('schema_versions')
          ? state.storage.sql.exec<{ version: number }>('SELECT version FROM schema_versions').toArray().map((r) => r.version)
          : [],
        names: tableNames(state.storage.sql),
      }));
    // Read as an unknown order is (its page, the admin search): nothing written.
    expect(await stub.snapshot()).toBeNull();
    expect(await stub.indexRow()).toBeNull();
    expect(await tablesOf()).toEqual({ versions: [], names: [] });
    await postNotify(await signedNotification(params));
    const tables = await tablesOf();
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

  it("a new ledger's folded schema is the one the migrations leave, table by table", async () => {
    // A new ledger takes the folded path at its first write (here one that records nothing: no
    // delivery waits to be released); the other is rebuilt one migration at a time.
    const first = ledger(uniqueId('schema:'));
    await first.release(Date.now(), 1_000, 1);
    const fresh = await runInDurableObject(first, (_i, state) => schemaOf(state.storage.sql));
    const chained = await runInDurableObject(ledger(uniqueId('schema:')), (_i, state) => {
      dropEverything(state.storage.sql);
      // The first call folds version 1 alone (nothing to fold into); each later one applies one migration.
      LEDGER_MIGRATIONS.forEach((_m, i) => migrate(state.storage, LEDGER_MIGRATIONS.slice(0, i + 1)));
      return schemaOf(state.storage.sql);
    });
    expect(fresh.objects.map((o) => o.name)).toContain('index_owed_asking_ended');
    expect(fresh.columns['notifications']).toContainEqual(expect.objectContaining({ name: 'source', notnull: 1, dflt_value: "'notification'" }));
    expect(fresh).toEqual(chained);
  });

  it('folds ADD COLUMN into its CREATE TABLE and leaves every other statement as it is', () => {
    const chain: Migration[] = [
      { version: 1, statements: ['CREATE TABLE t (\n  a INTEGER PRIMARY KEY\n)', 'CREATE TABLE u (x TEXT) WITHOUT ROWID'] },
      { version: 2, statements: ['ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT \'(b)\'', 'INSERT INTO t (a) VALUES (1);', 'alter table U add x2 TEXT'] },
    ];
    expect(foldMigrations(chain)).toBe(
      "CREATE TABLE t (\n  a INTEGER PRIMARY KEY,\n  b TEXT NOT NULL DEFAULT '(b)'\n)\n;\nCREATE TABLE u (x TEXT,\n  x2 TEXT\n) WITHOUT ROWID\n;\nINSERT INTO t (a) VALUES (1)",
    );
  });

  it('keeps the statements apart when one ends in a comment', async () => {
    const commented: Migration[] = [{ version: 1, statements: ['CREATE TABLE t (a INTEGER) -- the first', 'CREATE TABLE u (b INTEGER)'] }];
    const tables = await runInDurableObject(ledger(uniqueId('schema:')), (_i, state) => {
      dropEverything(state.storage.sql);
      migrate(state.storage, commented);
      return state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE name IN ('t', 'u') ORDER BY name`).toArray().map((r) => r.name);
    });
    expect(tables).toEqual(['t', 'u']);
  });

  it('runs a chain it cannot fold one migration at a time', async () => {
    const unfoldable: Migration[] = [
      { version: 1, statements: ['CREATE TABLE t (a INTEGER)'] },
      { version: 2, statements: ['ALTER TABLE t RENAME COLUMN a TO b'] },
    ];
    expect(foldMigrations(unfoldable)).toBeNull();
    expect(foldMigrations([{ version: 1, statements: ['ALTER TABLE elsewhere ADD COLUMN c TEXT'] }])).toBeNull();
    const result = await runInDurableObject(ledger(uniqueId('schema:')), (_i, state) => {
      dropEverything(state.storage.sql);
      const version = migrate(state.storage, unfoldable);
      return { version, columns: state.storage.sql.exec<{ name: string }>('PRAGMA table_info(t)').toArray().map((c) => c.name) };
    });
    expect(result).toEqual({ version: 2, columns: ['b'] });
  });
});

/** Every table, index and trigger (SQL text with spacing normalized), every table's columns, and the rows a new ledger starts with. */
function schemaOf(sql: SqlStorage) {
  const objects = sql
    .exec<{ type: string; name: string; tbl_name: string; sql: string }>(
      `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY type, name`,
    )
    .toArray()
    .map((o) => ({ ...o, sql: o.sql.replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1') }));
  const columns = Object.fromEntries(
    objects.filter((o) => o.type === 'table').map((t) => [t.name, sql.exec(`PRAGMA table_info(${t.name})`).toArray()]),
  );
  return {
    objects,
    columns,
    versions: sql.exec('SELECT version FROM schema_versions ORDER BY version').toArray(),
    outbox: sql.exec('SELECT * FROM index_outbox').toArray(),
  };
}

function tableNames(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`)
    .toArray()
    .map((r) => r.name)
    .sort();
}

function dropEverything(sql: SqlStorage): void {
  const tables = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`).toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE ${name}`);
}

