// The README and the reference pages in docs/ stay true to the code they describe: the two
// commands come first, the layout names what is really there, the settings table is the settings
// code's list with its defaults, the CLI page covers every command and option, and every link resolves.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, SETTING_NAMES } from '../../src/config/names';
import { runInProcess } from '../support/cli-run';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
/** The pages this suite keeps true; the others (ARCHITECTURE, ALIPAY, DEPLOY) are checked for links only. */
const REFERENCE_PAGES = ['docs/CLI.md', 'docs/CONFIGURATION.md', 'docs/HTTP.md'];

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe('README', () => {
  it('starts with the two commands, exactly, before anything else', () => {
    const firstSection = README.indexOf('\n## ');
    expect(README.slice(firstSection)).toMatch(/^\n## Two commands\n/);
    const block = /```sh\n([\s\S]*?)```/.exec(section(README, 'Two commands'))![1]!;
    expect(block.split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, ''))).toEqual(['npm ci && npm start', 'npm test']);
  });

  it('describes the layout as it is: every path it names exists, every folder is named', () => {
    const layout = /```\n([\s\S]*?)```/.exec(section(README, 'Layout'))![1]!;
    const named = layout
      .split('\n')
      .map((line) => /^(\S+)\s/.exec(line)?.[1])
      .filter((p): p is string => p !== undefined);
    for (const path of named) {
      if (path.includes('*')) continue; // test/*.test.ts
      expect(existsSync(join(ROOT, path)), `${path} (README layout)`).toBe(true);
    }
    const folders = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => statSync(join(ROOT, dir, f)).isDirectory()).map((f) => `${dir}/${f}/`);
    for (const folder of [...folders('src'), ...folders('test').filter((f) => f !== 'test/node/'), 'cli/', 'scripts/', 'bench/', 'examples/', 'docs/']) {
      expect(named, `${folder} in the README layout`).toContain(folder);
    }
    expect(named).toContain('test/node/');
  });
});

describe('docs/CONFIGURATION.md', () => {
  // One row per setting, or per pair of settings that go together (`A`, `B`).
  const rows = read('docs/CONFIGURATION.md')
    .split('\n')
    .map((line) => /^\| ((?:`[A-Z0-9_]+`(?:, )?)+) \| [^|]+ \| ([^|]+) \|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .flatMap((m) => [...m[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((name) => [name[1]!, m[2]!.trim()] as const));

  it('lists every setting, in the code order', () => {
    expect(rows.map(([name]) => name)).toEqual([...SETTING_NAMES]);
  });

  it("gives each default as the code's own", () => {
    for (const [name, cell] of rows) {
      const fallback = DEFAULTS[name as keyof typeof DEFAULTS] as string | undefined;
      if (fallback !== undefined) expect(cell, name).toBe(`\`${fallback}\``);
    }
  });
});

describe('docs/CLI.md', () => {
  const page = read('docs/CLI.md');

  it('covers every command, and every option each one has', async () => {
    const help = await runInProcess(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const command of commands) {
      const text = section(page, command);
      const usage = await runInProcess([command, '--help']);
      const options = new Set([...usage.stdout.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]).filter((o) => o !== '--help'));
      for (const option of options) expect(text, `${command} ${option}`).toContain(`\`${option}`);
    }
  });
});

describe('docs/HTTP.md', () => {
  it('names the headers the gateway sends the origin', () => {
    const sent = [...read('src/delivery/payload.ts').matchAll(/'(x-[a-z-]+)':/g)].map((m) => m[1]!);
    expect(sent.length).toBeGreaterThan(3);
    for (const header of sent) expect(read('docs/HTTP.md')).toContain(`\`${header}\``);
  });
});

describe('links', () => {
  it.each(['README.md', ...REFERENCE_PAGES])('every relative link in %s resolves', (page) => {
    for (const match of read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      expect(existsSync(join(ROOT, dirname(page), target)), `${page} -> ${target}`).toBe(true);
    }
  });
});
