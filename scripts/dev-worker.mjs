#!/usr/bin/env node
// `npm run dev:worker`: plain `wrangler dev` (local mode) with whatever .dev.vars holds, on
// 127.0.0.1:GATEWAY_PORT (default 8787), output untouched. No demo origin, no .dev.vars generation:
// that is `npm start`. Extra arguments go to wrangler: `npm run dev:worker -- --log-level debug`.
import { loadTypeScript, portFromEnv, spawnWrangler, stopTree, wranglerDevArgs } from './wrangler.mjs';

await loadTypeScript('dev:worker');
const { DEV_GATEWAY_PORT } = await import('../cli/dev-config.ts');

const gateway = portFromEnv('GATEWAY_PORT', DEV_GATEWAY_PORT);
if (!gateway.ok) {
  process.stderr.write(`dev:worker: ${gateway.message}\n`);
  process.exit(2);
}

const wrangler = spawnWrangler(wranglerDevArgs(gateway.port, process.argv.slice(2)));
wrangler.on('error', (error) => {
  process.stderr.write(`dev:worker: could not run wrangler (${error.message}); run \`npm ci\` first\n`);
  process.exit(2);
});
wrangler.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
// Ctrl-C in a terminal reaches wrangler too (same process group); a signal sent to this process
// alone (e.g. by a process manager) is passed on.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopTree(wrangler, signal));
