// The README and the pages in docs/ stay true to the code they describe: the two commands come
// first, the layout names what is really there, the settings table is the settings code's list with
// its defaults, every setting-like name in the docs is a setting, the CLI page covers every command
// and option, the one table of notify answers is the code's, the limits and the deploy's migrations,
// crons and rate limiter are those of the code and wrangler.toml, and every link resolves.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_NOTIFY_ID_CHARS, MAX_OUT_TRADE_NO_CHARS } from '../../src/alipay/fields';
import { MAX_FORM_BYTES, MAX_FORM_PAIRS } from '../../src/alipay/parse';
import { DEFAULTS, SETTING_NAMES } from '../../src/config/names';
import { runInProcess } from '../support/cli-run';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const DOC_PAGES = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const DEPLOY = read('docs/DEPLOY.md');

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

describe('settings named in the docs', () => {
  // Names of the settings' own families (ALIPAY_…, ORIGIN_…, …) that are not settings: the
  // bindings of wrangler.toml, environment variables of the dev launcher and the examples, code
  // constants the docs quote.
  const bindings = [...read('wrangler.toml').matchAll(/^name = "([A-Z_]+)"$/gm)].map((m) => m[1]!);
  const NOT_SETTINGS = new Set([...bindings, 'ORIGIN_PORT', 'STATUS_APP_ID', 'MAX_OUT_TRADE_NO_CHARS', 'MAX_NOTIFY_ID_CHARS', 'MAX_FORM_BYTES', 'MAX_FORM_PAIRS']);
  const families = new Set(SETTING_NAMES.map((name) => name.split('_')[0]!));

  it.each(['README.md', ...DOC_PAGES])('%s names no setting that does not exist', (page) => {
    for (const match of read(page).matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:[ =][^`]*)?`/g)) {
      const name = match[1]!;
      if (!families.has(name.split('_')[0]!) || NOT_SETTINGS.has(name)) continue;
      expect(SETTING_NAMES, `${page}: ${match[0]}`).toContain(name);
    }
  });

  it('DEPLOY.md, the guide, names every setting', () => {
    for (const name of SETTING_NAMES) expect(DEPLOY, name).toContain(`\`${name}\``);
  });
});

describe('docs/DEPLOY.md', () => {
  /** `'reason': 400,` entries of a `const NAME = { … }` table in src/http/notify.ts. */
  function statusTable(name: string): [string, number][] {
    const source = read('src/http/notify.ts');
    const body = new RegExp(`const ${name} = \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1];
    expect(body, name).toBeDefined();
    return [...body!.matchAll(/^\s*'?([a-z-]+)'?: (\d{3}),/gm)].map((m) => [m[1]!, Number(m[2])]);
  }

  it('the answers table has every reason of the notify path, with the status the code gives it', () => {
    const rows = new Map(
      section(DEPLOY, '11. Troubleshooting')
        .split('\n')
        .map((line) => /^\| `([a-z-]+)` \| (\d{3}) \|/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, Number(m[2])]),
    );
    const code = [...statusTable('REJECTION_STATUS'), ...statusTable('BODY_STATUS')];
    expect(code.length).toBeGreaterThan(15);
    for (const [reason, status] of code) expect(rows.get(reason), reason).toBe(status);
  });

  it("describes wrangler.toml's migrations, crons and rate limiter", () => {
    const toml = read('wrangler.toml');
    const first = section(DEPLOY, '4. First deploy');
    for (const [, tag] of toml.matchAll(/^tag = "([^"]+)"/gm)) expect(first, `migration ${tag}`).toContain(`\`${tag}\``);
    for (const [, list] of toml.matchAll(/^(?:new_sqlite_classes|deleted_classes) = \[([^\]]*)\]/gm)) {
      for (const [, name] of list!.matchAll(/"([A-Za-z]+)"/g)) expect(first, `class ${name}`).toContain(`\`${name}\``);
    }
    const crons = /^crons = \[([^\]]*)\]/m.exec(toml)![1]!;
    for (const [, cron] of crons.matchAll(/"([^"]+)"/g)) expect(first, `cron ${cron}`).toContain(`\`${cron}\``);
    const limiter = /\[\[ratelimits\]\]\nname = "([A-Z_]+)"\nnamespace_id = "(\d+)"/.exec(toml)!;
    expect(first).toContain(`\`${limiter[1]}\``);
    expect(first).toContain(`namespace_id = "${limiter[2]}"`);
  });
});

describe('docs/ALIPAY.md', () => {
  it("states the parser's and the field checks' limits as the code has them", () => {
    const page = read('docs/ALIPAY.md');
    expect(MAX_FORM_BYTES % 1024).toBe(0);
    expect(page).toContain(`${MAX_FORM_BYTES / 1024} KiB (\`MAX_FORM_BYTES\`)`);
    expect(page).toContain(`${MAX_FORM_PAIRS} parameters (\`MAX_FORM_PAIRS\``);
    expect(page).toContain(`at most ${MAX_OUT_TRADE_NO_CHARS} characters (\`MAX_OUT_TRADE_NO_CHARS\``);
    expect(page).toContain(`at most ${MAX_NOTIFY_ID_CHARS} characters (\`MAX_NOTIFY_ID_CHARS\``);
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
  it.each(['README.md', ...DOC_PAGES])('every relative link in %s resolves', (page) => {
    for (const match of read(page).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      expect(existsSync(join(ROOT, dirname(page), target)), `${page} -> ${target}`).toBe(true);
    }
  });
});
