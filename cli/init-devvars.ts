// `init --dev-vars`: the settings go into .dev.vars (what `wrangler dev` and `npm start` read) for
// a local trial, instead of Cloudflare. Lines init does not set are kept as they are. The file
// holds secrets, so it is written with mode 0600 and only when git ignores it.

import { spawnSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_VARS_FILE, parseDevVars } from './dev-config';

export async function readDevVarsText(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, DEV_VARS_FILE), 'utf8');
  } catch {
    return null;
  }
}

/** `NAME="value"` with line breaks as \n, which wrangler's dotenv reader (and parseDevVars) turn back. */
function devVarsLine(name: string, value: string): string {
  if (value.includes('"')) throw new Error(`${name}: a value with a double quote cannot be written to ${DEV_VARS_FILE}`);
  return `${name}="${value.replace(/\r?\n/g, '\\n')}"`;
}

/** The text with `changes` applied: existing lines replaced in place, new ones appended. */
export function mergeDevVars(text: string | null, changes: Record<string, string>, header: string): string {
  const lines = text === null ? [header] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  for (const [name, value] of Object.entries(changes)) {
    const at = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=`).test(l));
    if (at === -1) lines.push(devVarsLine(name, value));
    else lines.splice(at, 1, devVarsLine(name, value));
  }
  return `${lines.join('\n')}\n`;
}

export function devVarsValues(text: string | null): Record<string, string> {
  return text === null ? {} : parseDevVars(text);
}

/** false when `dir` is a git work tree that would NOT ignore .dev.vars (or git says so). */
export function gitIgnoresDevVars(dir: string): boolean {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, encoding: 'utf8' });
  if (inside.status !== 0) return true; // not a repository (or no git): nothing could commit it
  return spawnSync('git', ['check-ignore', '-q', DEV_VARS_FILE], { cwd: dir }).status === 0;
}

export async function writeDevVars(dir: string, text: string): Promise<string> {
  const path = join(dir, DEV_VARS_FILE);
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}
