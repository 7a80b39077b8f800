#!/usr/bin/env node
// `npm test`: every suite at once, each in its own process: the type check, the vitest projects
// (workerd and Node), the end-to-end suite (real `wrangler dev`) and the browser tests. The
// end-to-end and browser suites mostly wait (on wrangler's start-up, retry schedules, a browser),
// so running them beside the CPU-bound suites is what keeps the whole run short. Each suite's
// output is printed as one block: a passing suite's when it ends, a failed one's after all ended,
// followed by a summary that names the failed tests; the exit status is 1 when any suite failed.
//
// `npm test -- e2e browser` runs only the suites named. Each suite is also an npm script of its
// own (SUITES below names it), which is what this runs, so a part and the whole run the same way.
// Wrangler's metrics and its request for Cloudflare's location data are off for every suite,
// so `npm test` needs no network. Types: test.d.mts.
import { spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';

/** Suite name -> the package.json script that runs it. */
export const SUITES = {
  typecheck: 'typecheck',
  unit: 'test:unit',
  e2e: 'test:e2e',
  browser: 'test:browser',
};

/**
 * Suites that only compute, with nothing timed: they run at a lower priority, so on a busy machine
 * the suites that wait on timers and deadlines (end to end, browser) get the CPU when they need it.
 */
export const BACKGROUND = new Set(['typecheck']);

/** Settings every suite runs with: nothing phones home. */
export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** The command that runs an npm script: through the npm that started us when there is one. */
export function npmRun(script) {
  const npm = process.env.npm_execpath;
  if (npm && /\.[cm]?js$/.test(npm)) return { command: process.execPath, args: [npm, 'run', '--silent', script] };
  return { command: 'npm', args: ['run', '--silent', script], shell: process.platform === 'win32' };
}

/** "12.3 s" */
function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** ANSI colour codes, which a forced-colour suite writes around its words. */
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The failed tests vitest names in a suite's output (its `FAIL  file > test` lines), each with the
 * first line of its error, at most 20 lines: the summary repeats them where a short log tail shows them.
 */
export function failedTests(output) {
  const lines = output.replace(ANSI, '').split('\n');
  const found = [];
  for (let i = 0; i < lines.length && found.length < 20; i++) {
    const fail = lines[i].match(/^\s*FAIL\s+(.*\S)/);
    if (!fail || found.includes(fail[1])) continue;
    found.push(fail[1]);
    const error = lines.slice(i + 1, i + 4).find((line) => line.trim() !== '' && !/^\s*FAIL\s/.test(line));
    if (error !== undefined && found.length < 20) found.push(`  ${error.trim().slice(0, 200)}`);
  }
  return found;
}

/** Runs one suite with its output kept; resolves to its result and that output. */
function runSuite(suite, env, started, children) {
  return new Promise((resolve) => {
    const output = [];
    const child = spawn(suite.command, suite.args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: suite.shell ?? false });
    children.add(child);
    if (suite.nice && child.pid !== undefined) {
      try {
        setPriority(child.pid, Math.min(19, getPriority() + suite.nice)); // before it starts what it runs, which inherits it
      } catch {
        // not allowed here: it runs at the usual priority
      }
    }
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    let problem;
    child.on('error', (error) => (problem = `could not start (${error.message})`));
    child.on('close', (code, signal) => {
      children.delete(child);
      if (signal) problem ??= `stopped by ${signal}`;
      const ok = code === 0 && problem === undefined;
      resolve({ name: suite.name, ok, status: ok ? 'passed' : problem ?? `failed (exit ${code})`, ms: Date.now() - started, output: Buffer.concat(output).toString('utf8') });
    });
  });
}

/**
 * Runs `suites` ({ name, command, args, shell?, nice? }) all at once. Each one's output is written as a
 * block when it ends, then a summary; resolves to the results ({ name, ok, status, ms, output })
 * in the order given. A SIGTERM is passed on to the suites (Ctrl-C reaches them from the terminal).
 */
export async function runSuites(suites, { env = {}, write = (text) => process.stdout.write(text), color = false } = {}) {
  const started = Date.now();
  const childEnv = { ...process.env, ...(color ? { FORCE_COLOR: '1' } : {}), ...env };
  const children = new Set();
  const passOn = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGTERM', passOn);
  write(`Running ${suites.map((s) => s.name).join(', ')} at once; each prints its output when it ends.\n`);
  try {
    const block = (result) => {
      const text = result.output === '' || result.output.endsWith('\n') ? result.output : `${result.output}\n`;
      write(`\n──── ${result.name}: ${result.status} after ${seconds(result.ms)} ────\n${text}`);
    };
    // A suite that passed is written when it ends; one that failed is held back and written after
    // the others, so the end of the log (all a CI page may keep) shows what failed.
    const results = await Promise.all(
      suites.map(async (suite) => {
        const result = await runSuite(suite, childEnv, started, children);
        if (result.ok) block(result);
        return result;
      }),
    );
    for (const r of results) if (!r.ok) block(r);
    const width = Math.max(...results.map((r) => r.name.length));
    write(`\n──── ${results.every((r) => r.ok) ? 'all passed' : 'FAILED'} in ${seconds(Date.now() - started)} ────\n`);
    for (const r of results) {
      write(`  ${r.ok ? 'ok    ' : 'FAILED'}  ${r.name.padEnd(width)}  ${seconds(r.ms)}${r.ok ? '' : `  ${r.status}`}\n`);
      if (!r.ok) for (const line of failedTests(r.output)) write(`          ${line}\n`);
    }
    return results;
  } finally {
    process.off('SIGTERM', passOn);
  }
}

async function main(names) {
  const unknown = names.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(
      `npm test: no suite ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the suites are ${Object.keys(SUITES).join(', ')}.\n` +
        '  One test file: npx vitest run test/foo.test.ts (add --config vitest.e2e.config.ts for test/e2e/)\n',
    );
    return 2;
  }
  const chosen = names.length > 0 ? Object.keys(SUITES).filter((name) => names.includes(name)) : Object.keys(SUITES);
  const results = await runSuites(
    chosen.map((name) => ({ name, ...npmRun(SUITES[name]), ...(BACKGROUND.has(name) ? { nice: 10 } : {}) })),
    { env: OFFLINE_ENV, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR },
  );
  return results.every((r) => r.ok) ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));
