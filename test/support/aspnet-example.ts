// The ASP.NET example (examples/aspnet/*.cs) compiled with Mono as C# 5, together with the driver
// test/node/aspnet-example/Driver.cs, which runs the example's own code one request per line (see
// its header for the requests). Used by test/node/aspnet-example.test.ts (the example's rules) and
// test/e2e/aspnet-example.test.ts (the gateway's real deliveries checked by the example's code).
// Mono comes from Debian (scripts/install-mono.mjs, installed here when missing, as root).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installMono } from '../../scripts/install-mono.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE_DIR = join(ROOT, 'examples', 'aspnet');
const DRIVER = join(ROOT, 'test', 'node', 'aspnet-example', 'Driver.cs');

/** How long a beforeAll that compiles may take: an install may wait for another suite's to finish. */
export const COMPILE_HOOK_TIMEOUT_MS = 15 * 60_000;

export interface CompiledExample {
  /** What mcs printed (warnings); empty for a clean compile. */
  compilerOutput: string;
  /** One answer per request line (fields joined by tabs), from one run of the driver. */
  ask(requests: (string | number)[][]): string[];
  remove(): void;
}

export function compileAspnetExample(): CompiledExample {
  if (installMono() !== 0) {
    throw new Error('the ASP.NET example tests need Mono: run `node scripts/install-mono.mjs` as root (or apt-get install mono-mcs libmono-system-web4.0-cil libmono-i18n-cjk4.0-cil)');
  }
  const workDir = mkdtempSync(join(tmpdir(), 'aspnet-example-'));
  const exe = join(workDir, 'driver.exe');
  const sources = readdirSync(EXAMPLE_DIR).filter((name) => name.endsWith('.cs')).map((name) => join(EXAMPLE_DIR, name));
  const compiled = spawnSync('mcs', ['-langversion:5', `-out:${exe}`, '-r:System.Web', '-r:System.Configuration', '-r:System.Data', ...sources, DRIVER], { encoding: 'utf8' });
  const compilerOutput = `${compiled.stdout}${compiled.stderr}`.trim();
  if (compiled.status !== 0) throw new Error(`mcs could not compile the example:\n${compilerOutput}`);
  return {
    compilerOutput,
    ask(requests) {
      const run = spawnSync('mono', [exe], { input: `${requests.map((fields) => fields.join('\t')).join('\n')}\n`, encoding: 'utf8', timeout: 60_000 });
      if (run.status !== 0) throw new Error(`mono exited ${run.status}: ${run.stderr}`);
      const answers = run.stdout.trimEnd().split('\n');
      if (answers.length !== requests.length) throw new Error(`the driver gave ${answers.length} answers to ${requests.length} requests:\n${run.stdout}`);
      return answers;
    },
    remove: () => rmSync(workDir, { recursive: true, force: true }),
  };
}

export const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

/** The driver's "fields k:v ..." answer as an object (k and v base64 of UTF-8). */
export function fieldsOf(answer: string): Record<string, string> {
  if (!answer.startsWith('fields ')) throw new Error(`not a parse answer: ${answer}`);
  return Object.fromEntries(
    answer
      .slice('fields '.length)
      .split(' ')
      .filter((pair) => pair !== '')
      .map((pair) => pair.split(':').map((part) => Buffer.from(part, 'base64').toString('utf8')) as [string, string]),
  );
}
