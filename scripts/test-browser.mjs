#!/usr/bin/env node
// `npm run test:browser`: makes sure the browser is there (scripts/install-browser.mjs installs
// Debian's Chromium only when it is missing, and only as root), then runs the browser tests
// (vitest.browser.config.ts). Extra arguments go to vitest, e.g. a test file.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installBrowser } from './install-browser.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const installed = installBrowser();
if (installed !== 0) process.exit(installed);
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.browser.config.ts', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
});
process.exit(result.status ?? 1);
