// `npm test` (scripts/test.mjs) runs every suite at once, prints each suite's output as one block
// when it ends, and fails when any suite fails. The suites here are small node programs.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKGROUND, OFFLINE_ENV, SUITES, runSuites, type Suite } from '../../scripts/test.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'test-runner-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A suite that is a node program: `code` runs with `dir` (a folder both suites can see) and `fs` at hand. */
function nodeSuite(name: string, code: string): Suite {
  const program = `const fs = require('node:fs'); const path = require('node:path'); const dir = ${JSON.stringify(dir)}; (async () => { ${code} })();`;
  return { name, command: process.execPath, args: ['-e', program] };
}

/** Waits (up to 20 s) for a file the other suite writes: it can only appear if both run at the same time. */
const waitFor = (file: string) =>
  `for (let i = 0; !fs.existsSync(path.join(dir, ${JSON.stringify(file)})); i++) { if (i > 400) { console.log('never saw ${file}'); process.exit(3); } await new Promise((r) => setTimeout(r, 50)); }`;

describe('npm test', () => {
  it('runs the suites at the same time, and writes each one\'s output as one block', async () => {
    const written: string[] = [];
    const results = await runSuites(
      [
        nodeSuite('first', `console.log('first: started'); fs.writeFileSync(path.join(dir, 'first'), ''); ${waitFor('second')} console.log('first: saw second');`),
        nodeSuite('second', `console.log('second: started'); ${waitFor('first')} fs.writeFileSync(path.join(dir, 'second'), ''); console.error('second: saw first');`),
      ],
      { write: (text) => void written.push(text) },
    );
    expect(results.map((r) => [r.name, r.ok, r.status])).toEqual([
      ['first', true, 'passed'],
      ['second', true, 'passed'],
    ]);
    const output = written.join('');
    for (const name of ['first', 'second']) {
      const block = new RegExp(`──── ${name}: passed after [\\d.]+ s ────\\n${name}: started\\n${name}: saw (first|second)\\n`);
      expect(output, output).toMatch(block);
    }
    expect(output).toMatch(/──── all passed in [\d.]+ s ────\n {2}ok +first +[\d.]+ s\n {2}ok +second +[\d.]+ s\n$/);
  });

  it('fails when any suite fails, and writes the failed suite last, its failed tests in the summary', async () => {
    const written: string[] = [];
    // The bad suite ends first; its block still comes after the good one's, just before the summary.
    const vitestFailure = [
      ' \u001b[31mFAIL\u001b[39m  e2e  test/e2e/x.test.ts > orders > delivers once',
      'AssertionError: expected 2 to be 1',
      ' FAIL  e2e  test/e2e/x.test.ts > orders > delivers once',
      '',
      ' FAIL  e2e  test/e2e/y.test.ts [ test/e2e/y.test.ts ]',
      '',
      'Error: Hook timed out in 90000ms.',
    ].join('\n');
    const results = await runSuites(
      [
        nodeSuite('good', `${waitFor('bad-done')} console.log('good: done');`),
        nodeSuite('bad', `console.log(${JSON.stringify(vitestFailure)}); fs.writeFileSync(path.join(dir, 'bad-done'), ''); process.exit(4);`),
      ],
      { write: (text) => void written.push(text) },
    );
    expect(results.map((r) => [r.name, r.ok, r.status])).toEqual([
      ['good', true, 'passed'],
      ['bad', false, 'failed (exit 4)'],
    ]);
    const output = written.join('');
    expect(output).toMatch(/──── good: passed after [\d.]+ s ────\ngood: done\n\n──── bad: failed \(exit 4\) after [\d.]+ s ────\n \u001b\[31mFAIL/);
    const summary = [
      'ok +good +[\\d.]+ s',
      'FAILED +bad +[\\d.]+ s {2}failed \\(exit 4\\)',
      ' {8}e2e {2}test/e2e/x\\.test\\.ts > orders > delivers once',
      ' {10}AssertionError: expected 2 to be 1',
      ' {8}e2e {2}test/e2e/y\\.test\\.ts \\[ test/e2e/y\\.test\\.ts \\]',
      ' {10}Error: Hook timed out in 90000ms\\.',
    ];
    expect(output).toMatch(new RegExp(`──── FAILED in [\\d.]+ s ────\\n${summary.map((line) => ` {2}${line}\\n`).join('')}$`));
  });

  it('gives every suite wrangler with its metrics and location request off', async () => {
    const [result] = await runSuites([nodeSuite('env', `console.log(process.env.WRANGLER_SEND_METRICS, process.env.CLOUDFLARE_CF_FETCH_ENABLED);`)], {
      env: OFFLINE_ENV,
      write: () => {},
    });
    expect(result!.output).toBe('false false\n');
  });

  it('runs a background suite at a lower priority, the others at the usual one', async () => {
    const priority = `console.log(require('node:os').getPriority());`;
    const [background, usual] = await runSuites([{ ...nodeSuite('background', priority), nice: 10 }, nodeSuite('usual', priority)], { write: () => {} });
    expect([background!.output, usual!.output]).toEqual([`${Math.min(19, os.getPriority() + 10)}\n`, `${os.getPriority()}\n`]);
    expect([...BACKGROUND]).toEqual(['typecheck']);
  });

  it('runs the npm scripts of the parts: type check, unit, end to end, browser', () => {
    expect(scripts['test']).toBe('node scripts/test.mjs');
    expect(SUITES).toEqual({ typecheck: 'typecheck', unit: 'test:unit', e2e: 'test:e2e', browser: 'test:browser' });
    for (const script of Object.values(SUITES)) expect(scripts[script], script).toBeDefined();
  });

  it('refuses a suite it does not have, naming the ones it has', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/test.mjs'), 'unit', 'test/foo.test.ts'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no suite "test/foo.test.ts"; the suites are typecheck, unit, e2e, browser');
    expect(run.stdout).toBe('');
  });
});
