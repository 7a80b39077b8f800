// init's line-based wrangler.toml edit: what it writes is read back by wrangler's own config reader
// (experimental_readRawConfig, an independent TOML parser), and every line it did not mean to touch
// (comments, unknown keys and tables, multi-line values) is still there, byte for byte.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToml, readWranglerLayout, renderToml, setRootValue, setRoute, setVars } from '../../cli/init-toml';

let dir: string;
let readRawConfig: (args: { config: string }) => { rawConfig: Record<string, unknown> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'init-toml-'));
  ({ experimental_readRawConfig: readRawConfig } = (await import('wrangler')) as unknown as { experimental_readRawConfig: typeof readRawConfig });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** wrangler's reading of a TOML text. */
async function wranglerReads(text: string): Promise<Record<string, unknown>> {
  const path = join(dir, `w${Math.random().toString(36).slice(2)}.toml`);
  await writeFile(path, text);
  return readRawConfig({ config: path }).rawConfig;
}

const TRICKY = `# top comment
name = "shop-gateway" # inline comment
main = "src/index.ts"
compatibility_date = "2026-04-26"
unknown_root_key = [
  "a ] # not a comment",
  'b',
]
description = """
A multi-line string
[vars]
NOT_A_VAR = "inside a string"
"""

[observability]
enabled = true # stays

[vars]
# Your app id:
# ALIPAY_APP_ID = "2021000000000000"
NOTIFY_PATH = "/alipay/notify"   # where Alipay posts
"QUOTED_KEY" = 'literal \\ value'
MULTI = """
line one
line two"""
CUSTOM_THING = "the user's own"

[[durable_objects.bindings]]
name = "ORDER_LEDGER"
class_name = "OrderLedger"

[env.staging.vars]
NOTIFY_PATH = "/staging"
`;

describe('setVars', () => {
  it('sets, adds and removes [vars] entries; wrangler reads exactly that, and every other line is kept', async () => {
    const doc = parseToml(TRICKY);
    const result = setVars(doc, {
      NOTIFY_PATH: '/pay/alipay_notify.asp',
      ALIPAY_APP_ID: '2021000123456789',
      FORWARD_EVENTS: 'paid,refund',
      MULTI: 'now "one" line \\ with a backslash',
      CUSTOM_THING: undefined,
    });
    expect(result.ok).toBe(true);
    const text = renderToml(doc);

    const raw = await wranglerReads(text);
    expect(raw['vars']).toEqual({
      NOTIFY_PATH: '/pay/alipay_notify.asp',
      QUOTED_KEY: 'literal \\ value',
      ALIPAY_APP_ID: '2021000123456789',
      MULTI: 'now "one" line \\ with a backslash',
      FORWARD_EVENTS: 'paid,refund',
    });
    expect(raw['name']).toBe('shop-gateway');
    expect(raw['unknown_root_key']).toEqual(['a ] # not a comment', 'b']);
    expect(raw['description']).toBe('A multi-line string\n[vars]\nNOT_A_VAR = "inside a string"\n');
    expect((raw['env'] as { staging: { vars: unknown } }).staging.vars).toEqual({ NOTIFY_PATH: '/staging' });
    expect(raw['observability']).toEqual({ enabled: true });

    // Untouched lines survive byte for byte; the changed one keeps its comment; the new app id
    // goes right under its commented-out example.
    for (const line of ['# top comment', 'name = "shop-gateway" # inline comment', 'enabled = true # stays', '# Your app id:', '  "a ] # not a comment",', '[env.staging.vars]']) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toContain('NOTIFY_PATH = "/pay/alipay_notify.asp"   # where Alipay posts');
    expect(text).toContain('# ALIPAY_APP_ID = "2021000000000000"\nALIPAY_APP_ID = "2021000123456789"\n');
    expect(text).not.toContain('CUSTOM_THING');
    expect(text).not.toContain('line two');
    // The string that only looks like a [vars] table was not edited.
    expect(text).toContain('NOT_A_VAR = "inside a string"');
  });

  it('creates a [vars] table when there is none, after the other tables', async () => {
    const doc = parseToml('name = "x"\nmain = "src/index.ts"\n\n[observability]\nenabled = true\n');
    setVars(doc, { ALIPAY_APP_ID: '2021000123456789' });
    const raw = await wranglerReads(renderToml(doc));
    expect(raw['vars']).toEqual({ ALIPAY_APP_ID: '2021000123456789' });
    expect(raw['observability']).toEqual({ enabled: true });
  });

  it('keeps CRLF line endings', () => {
    const doc = parseToml('name = "x"\r\n\r\n[vars]\r\nA = "1"\r\n');
    setVars(doc, { A: '2', B: '3' });
    expect(renderToml(doc)).toBe('name = "x"\r\n\r\n[vars]\r\nA = "2"\r\nB = "3"\r\n');
  });

  it.each([
    ['vars = { A = "1" }\n', 'top level'],
    ['vars.A = "1"\n', 'top level'],
    ['[vars]\nA = "1"\n[vars]\nB = "2"\n', 'more than one'],
  ])('refuses a layout it cannot edit safely: %j', (text, why) => {
    const doc = parseToml(text);
    const result = setVars(doc, { A: '2' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(why);
    expect(renderToml(doc)).toBe(text);
  });
});

describe('routes and workers_dev', () => {
  it('adds routes and workers_dev as root keys, above the first table', async () => {
    const doc = parseToml(TRICKY);
    setRoute(doc, { pattern: 'shop.example.com/pay/alipay_notify.asp', zoneName: 'example.com' }, 'replaced');
    setRootValue(doc, 'workers_dev', 'true');
    const raw = await wranglerReads(renderToml(doc));
    expect(raw['routes']).toEqual([{ pattern: 'shop.example.com/pay/alipay_notify.asp', zone_name: 'example.com' }]);
    expect(raw['workers_dev']).toBe(true);
    expect(raw['vars']).toMatchObject({ NOTIFY_PATH: '/alipay/notify' });
    expect(readWranglerLayout(doc).routes).toEqual(['shop.example.com/pay/alipay_notify.asp']);
  });

  it('replaces an existing route, keeping the old one as a comment', async () => {
    const text = 'name = "x"\nroute = { pattern = "old.example.com/notify*", zone_id = "abc" }\nworkers_dev = false\n\n[vars]\nA = "1"\n';
    const doc = parseToml(text);
    expect(readWranglerLayout(doc)).toMatchObject({ routes: ['old.example.com/notify*'], workersDev: false });
    setRoute(doc, { pattern: 'shop.example.com/n.asp', zoneName: 'example.com' }, 'replaced by init; it was:');
    const out = renderToml(doc);
    expect(out).toContain('# replaced by init; it was:\n# route = { pattern = "old.example.com/notify*", zone_id = "abc" }\nroutes = [');
    const raw = await wranglerReads(out);
    expect(raw['route']).toBeUndefined();
    expect(raw['routes']).toEqual([{ pattern: 'shop.example.com/n.asp', zone_name: 'example.com' }]);
    expect(raw['workers_dev']).toBe(false);

    // Setting the same route again changes nothing.
    setRoute(doc, { pattern: 'shop.example.com/n.asp', zoneName: 'example.com' }, 'again');
    expect(renderToml(doc)).toBe(out);
  });

  it('reads every route form wrangler accepts', () => {
    expect(readWranglerLayout(parseToml('routes = ["a.example.com/*", "b.example.com/x"]\n')).routes).toEqual(['a.example.com/*', 'b.example.com/x']);
    expect(readWranglerLayout(parseToml('routes = [\n  { pattern = "a.example.com/p", zone_name = "example.com" },\n]\n')).routes).toEqual(['a.example.com/p']);
    expect(readWranglerLayout(parseToml('route = "a.example.com/*"\n')).routes).toEqual(['a.example.com/*']);
  });
});
