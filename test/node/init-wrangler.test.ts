// How init runs wrangler: node runs the wrangler script itself, with no shell in between (so a
// project path with a space, or an argument a shell would read, arrives as it is, and Windows'
// .cmd shims are not needed), secrets only on stdin, and Ctrl-C stops wrangler and what it started
// instead of leaving it running after init is gone.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interrupted } from '../../cli/init-prompt';
import { findWrangler, wranglerRunner, wranglerScriptIn } from '../../cli/init-wrangler';
import { alive, allGone, eventually } from '../support/processes';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'init wrangler '));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A node script that prints its arguments and stdin as JSON. */
const ECHO = `#!/usr/bin/env node
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
  process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), stdin: Buffer.concat(chunks).toString(), cwd: process.cwd() }));
});
`;

async function file(path: string, text: string, mode = 0o644): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}


describe('finding wrangler', () => {
  it('runs a wrangler script on PATH with node: no execute bit needed, a space in every path, arguments and stdin as they are', async () => {
    const bin = join(root, 'John Smith', 'bin');
    // Not executable: as on Windows, where nothing has an execute bit; node runs it all the same.
    await file(join(bin, 'wrangler'), ECHO, 0o644);
    const project = join(root, 'My Shop');
    await mkdir(project, { recursive: true });
    const script = findWrangler(project, bin);
    expect(script).toBe(join(bin, 'wrangler'));
    const result = await wranglerRunner(project, script).run(['secret', 'put', 'A "quoted" & $(odd) name'], { input: 'whsec_value' });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ argv: ['secret', 'put', 'A "quoted" & $(odd) name'], stdin: 'whsec_value', cwd: project });
  });

  it('behind a shell or .cmd shim (Windows, pnpm) runs the package script the shim would start', async () => {
    const modules = join(root, 'shim project', 'node_modules');
    const packageScript = await file(join(modules, 'wrangler', 'bin', 'wrangler.js'), ECHO);
    await file(join(modules, '.bin', 'wrangler'), '#!/bin/sh\nexit 9\n', 0o755);
    expect(wranglerScriptIn(join(modules, '.bin'))).toBe(packageScript);
    const result = await wranglerRunner(root, wranglerScriptIn(join(modules, '.bin'))).run(['--version']);
    expect(JSON.parse(result.stdout).argv).toEqual(['--version']);

    // Only npm's .cmd shim (Windows), in node_modules/.bin or a global npm prefix.
    const cmdOnly = join(root, 'cmd project', 'node_modules');
    const cmdScript = await file(join(cmdOnly, 'wrangler', 'bin', 'wrangler.js'), ECHO);
    await file(join(cmdOnly, '.bin', 'wrangler.cmd'), '@"%~dp0\\..\\wrangler\\bin\\wrangler.js" %*\r\n');
    expect(wranglerScriptIn(join(cmdOnly, '.bin'))).toBe(cmdScript);
    const prefix = join(root, 'npm prefix');
    const globalScript = await file(join(prefix, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), ECHO);
    await file(join(prefix, 'wrangler.cmd'), '@node "%~dp0\\node_modules\\wrangler\\bin\\wrangler.js" %*\r\n');
    expect(findWrangler(root, prefix)).toBe(globalScript);
  });

  it('a PATH entry without wrangler is skipped, and the project\'s own wrangler is found', () => {
    const found = findWrangler(root, join(root, 'nothing here'));
    expect(found).toMatch(/node_modules[\\/]wrangler[\\/]bin[\\/]wrangler\.js$/);
  });
});

describe('Ctrl-C while wrangler runs', () => {
  it('stops wrangler and the processes it started, and the run ends as Interrupted', async () => {
    // A wrangler that starts a child of its own (as deploy starts esbuild, dev starts workerd) and hangs.
    const pids = join(root, 'pids.json');
    const script = await file(
      join(root, 'hang', 'wrangler'),
      `#!/usr/bin/env node
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
require('node:fs').writeFileSync(${JSON.stringify(pids)}, JSON.stringify({ wrangler: process.pid, child: child.pid }));
setInterval(() => {}, 1000);
`,
    );
    const runner = wranglerRunner(root, script);
    expect(runner.interrupt()).toBe(false); // nothing running yet
    const run = runner.run(['deploy']);
    const started = await eventually(async () => JSON.parse(await readFile(pids, 'utf8')) as { wrangler: number; child: number });
    expect(alive(started.wrangler) && alive(started.child)).toBe(true);

    expect(runner.interrupt()).toBe(true);
    await expect(run).rejects.toBeInstanceOf(Interrupted);
    expect(await allGone([started.wrangler, started.child])).toBe(true);
  }, 20_000);
});

