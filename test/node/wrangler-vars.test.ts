// wrangler.toml's [vars] are the operator's visible knobs and repeat the code's defaults
// (src/config/names.ts DEFAULTS). A deployment reads the file, not the code, so the two must not drift.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { DEFAULTS, SETTING_NAMES } from '../../src/config/names';

/** `NAME = "value"` lines of the [vars] table (comments and other tables skipped). */
function wranglerVars(): Record<string, string> {
  const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
  const vars: Record<string, string> = {};
  let inVars = false;
  for (const line of toml.split('\n')) {
    const table = /^\s*\[+([^\]]+)\]+/.exec(line);
    if (table) inVars = table[1]!.trim() === 'vars';
    const entry = /^\s*([A-Z_]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (inVars && entry) vars[entry[1]!] = entry[2]!;
  }
  return vars;
}

test('every var in wrangler.toml is a known setting holding its code default', () => {
  const vars = wranglerVars();
  expect(Object.keys(vars).length).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(vars)) {
    expect(SETTING_NAMES).toContain(name);
    expect([name, value]).toEqual([name, DEFAULTS[name as keyof typeof DEFAULTS]]);
  }
});

test('invocation logs are off: they would record full request URLs, buyer identities in return_url queries included', () => {
  const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
  const table = /^\[observability\.logs\]\n((?:(?!\[).*\n)*)/m.exec(toml);
  expect(table?.[1]).toMatch(/^invocation_logs = false$/m);
  expect(toml).toMatch(/^\[observability\]\nenabled = true$/m); // the gateway's own lines still go to Workers Logs
});
