// A migration chain folded into one SQL script for a database that has none of it yet: each
// `ALTER TABLE t ADD COLUMN c` is written into t's `CREATE TABLE` instead (as SQLite itself
// stores it), and every other statement runs as it is, in order. On an empty database that is
// the same schema and the same rows as running the chain, in one `exec` instead of one per
// statement. Each `;` between them stands on its own line, so a statement that ends in a `--`
// comment cannot swallow it.
import type { Migration } from './schema';

const CREATE_TABLE = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(/i;
const ADD_COLUMN = /^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?([\s\S]+?)\s*;?\s*$/i;
const OTHER_ALTER = /^\s*ALTER\s+TABLE\b/i;

const folds = new WeakMap<readonly Migration[], string | null>();

/**
 * The chain as one script, or null when it cannot be folded (an ALTER other than ADD COLUMN, or
 * one whose table the chain did not create): then the migrations run one by one. Memoized per
 * chain, so an isolate folds each chain once.
 */
export function foldMigrations(migrations: readonly Migration[]): string | null {
  if (!folds.has(migrations)) folds.set(migrations, fold(migrations));
  return folds.get(migrations)!;
}

function fold(migrations: readonly Migration[]): string | null {
  const statements: string[] = [];
  /** Where each table's CREATE TABLE sits in `statements`. */
  const createdAt = new Map<string, number>();
  for (const statement of migrations.flatMap((m) => m.statements)) {
    const added = ADD_COLUMN.exec(statement);
    if (added) {
      const at = createdAt.get(added[1]!.toLowerCase());
      if (at === undefined) return null;
      const create = statements[at]!;
      const close = create.lastIndexOf(')');
      statements[at] = `${create.slice(0, close).trimEnd()},\n  ${added[2]}\n${create.slice(close)}`;
      continue;
    }
    if (OTHER_ALTER.test(statement)) return null;
    const created = CREATE_TABLE.exec(statement);
    if (created) createdAt.set(created[1]!.toLowerCase(), statements.length);
    statements.push(statement.trim().replace(/;\s*$/, ''));
  }
  return statements.join('\n;\n');
}
