#!/usr/bin/env node
// Entry point of `npx alipay-notify-edge`. The tool is TypeScript that shares the Worker's core
// (src/alipay/), so tsx compiles it on the fly: a fresh clone works right after `npm ci`, with no
// build step. tsx is told which tsconfig to use so a tsconfig in the caller's directory cannot interfere.
import { fileURLToPath } from 'node:url';

let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write('alipay-notify-edge: dependencies are missing; run `npm ci` in the project directory first.\n');
  process.exit(2);
}
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
