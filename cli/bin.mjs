#!/usr/bin/env node
// Entry point of `npx alipay-notify-edge`. The tool is TypeScript that shares the Worker's core
// (src/alipay/), so tsx compiles it on the fly: a fresh clone works right after `npm ci`, with no
// build step. tsx is told which tsconfig to use so a tsconfig in the caller's directory cannot interfere.
import { fileURLToPath } from 'node:url';

// `npx alipay-notify-edge keys FILE | head -1`: the reader may close the pipe before all is written.
// Like other Unix tools, stop quietly then (exit status 0) instead of dying on an unhandled EPIPE
// with a stack trace. A closed stderr leaves no one to tell, so the command just runs to its end.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.stderr.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

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
