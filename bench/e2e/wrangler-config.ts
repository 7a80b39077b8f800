// The wrangler config bench:e2e starts `wrangler dev` with: the repository's wrangler.toml, read
// at run time so the gateway's vars, bindings and migrations are the deployed ones, with only
// `main` pointed at bench/e2e/worker.ts and the baseline Durable Objects added (their own bindings
// and their own appended migration). Written to a temporary directory by the caller.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));
const MAIN_LINE = /^main = "src\/index\.ts"$/m;
const FIRST_MIGRATION = /^\[\[migrations\]\]$/m;

export async function benchWranglerConfig(): Promise<string> {
  const deployed = await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8');
  if (!MAIN_LINE.test(deployed) || !FIRST_MIGRATION.test(deployed)) {
    throw new Error('wrangler.toml no longer has the `main = "src/index.ts"` line or a [[migrations]] table; update bench/e2e/wrangler-config.ts');
  }
  const baselineBinding =
    '[[durable_objects.bindings]]\nname = "BASELINE_ORDER"\nclass_name = "BaselineOrder"\n\n' +
    '[[durable_objects.bindings]]\nname = "BASELINE_INDEX"\nclass_name = "BaselineIndex"\n\n';
  return (
    deployed
      // Absolute: the generated file lives in a temporary directory, and wrangler resolves `main` from there.
      .replace(MAIN_LINE, `main = ${JSON.stringify(BENCH_ENTRY)}`)
      .replace(FIRST_MIGRATION, (migrations) => `${baselineBinding}${migrations}`) +
    '\n# bench only\n[[migrations]]\ntag = "bench-baseline"\nnew_sqlite_classes = ["BaselineOrder", "BaselineIndex"]\n'
  );
}
