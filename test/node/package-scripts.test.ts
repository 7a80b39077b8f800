// Every npm script runs the same on Windows (cmd.exe, where ASP merchants work), macOS and Linux:
// npm hands a script to cmd.exe there, and cmd.exe has no `VAR=value cmd`, no single quotes, no
// `$VAR`, no globbing, and none of sh's utilities. So a script is one command, a node program
// (node, npm, npx, or a binary the dev dependencies install) with plain arguments; anything more
// (environment variables, several steps) belongs in a small node script such as scripts/dev-worker.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const RULES: readonly [RegExp, string][] = [
  [/(?:^|\s)[A-Za-z_][A-Za-z0-9_]*=/, 'sets an environment variable as VAR=value (cmd.exe would run "VAR=value" as a program)'],
  [/^\s*(?:export|set|source|cd)\s/, 'starts with a shell built-in'],
  [/&&|\|\||[;|&<>`]|\$\(/, 'chains, pipes or redirects commands, which depends on the shell'],
  [/\$\{?[A-Za-z_]|%[A-Za-z_][A-Za-z0-9_]*%/, 'expands a variable, which sh and cmd.exe spell differently'],
  [/'/, 'uses single quotes, which cmd.exe passes on as part of the argument'],
  [/[*?]|\[[^\]]*\]/, 'uses a glob, which sh expands and cmd.exe does not'],
];

const PORTABLE_PROGRAMS = new Set(['node', 'npm', 'npx']);

/** What makes `command` shell-specific; empty when it runs the same under sh and cmd.exe. */
function shellSpecific(command: string): string[] {
  const problems = RULES.filter(([pattern]) => pattern.test(command)).map(([, why]) => why);
  const program = command.trim().split(/\s+/)[0] ?? '';
  const installed = existsSync(join(ROOT, 'node_modules', '.bin', program));
  if (!PORTABLE_PROGRAMS.has(program) && !installed && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(program)) {
    problems.push(`runs "${program}", which is neither node, npm, npx nor a binary of the dev dependencies (no rm, cp, cat, ... on Windows)`);
  }
  return problems;
}

describe('package.json scripts', () => {
  it.each(Object.entries(scripts))('"%s" runs the same under cmd.exe and sh', (_name, command) => {
    expect(shellSpecific(command)).toEqual([]);
  });

  it('dev:worker is a node script (it sets the environment and the port itself)', () => {
    expect(scripts['dev:worker']).toBe('node scripts/dev-worker.mjs');
  });

  // The check itself can fail: each of these is something a POSIX-minded contributor writes.
  it.each([
    'WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false wrangler dev --ip 127.0.0.1',
    'export CI=1; vitest run',
    'rm -rf .wrangler && vitest run',
    'vitest run test/node/*.test.ts',
    "node -e 'console.log(1)'",
    'node scripts/dev.mjs > dev.log 2>&1',
    'node $HOME/x.mjs',
    'wrangler dev | tee out.txt',
    'cat README.md',
  ])('flags %j', (command) => {
    expect(shellSpecific(command).length).toBeGreaterThan(0);
  });

  it.each(['node scripts/dev.mjs', 'vitest run --config vitest.e2e.config.ts', 'node --import tsx bench/verify.ts', 'tsc --noEmit', 'npx wrangler deploy'])(
    'accepts %j',
    (command) => {
      expect(shellSpecific(command)).toEqual([]);
    },
  );
});
