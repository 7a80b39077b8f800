// `init --dev-vars`: the settings go into .dev.vars (what `wrangler dev` and `npm start` read) for
// a local trial, instead of Cloudflare. Lines init does not set are kept as they are. The file
// holds secrets, so it is written with mode 0600 and only when git ignores it. It is read and
// written as wrangler reads it (dotenv: cli/dev-config.ts), so every value comes back as given.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_VARS_FILE, devVarsEntries, normalizeLineBreaks, parseDevVars } from './dev-config';

export async function readDevVarsText(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, DEV_VARS_FILE), 'utf8');
  } catch {
    return null;
  }
}

type Written = { ok: true; text: string } | { ok: false; message: string };

/**
 * `NAME="value"` (line breaks as \n, which dotenv turns back) when that reads back as it is: no
 * double quote (dotenv keeps \" as it is) and no backslash (a path's \n would become a line break).
 * Else '…' or `…`, read literally (line breaks as they are), with a quote the value does not hold.
 */
function devVarsLine(name: string, value: string): Written {
  if (!/["\\]/.test(value)) return { ok: true, text: `${name}="${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"` };
  // A carriage return would be read as a line break; a backslash just before the closing quote would escape it.
  const quote = ["'", '`'].find((q) => !value.includes(q) && !value.includes('\r') && !value.endsWith('\\'));
  if (quote !== undefined) return { ok: true, text: `${name}=${quote}${value}${quote}` };
  return { ok: false, message: `${name}: this value cannot be written to ${DEV_VARS_FILE} so that wrangler reads it back as it is (it mixes ", ' and \` with a backslash or a line break); set it there by hand` };
}

/**
 * The text with `changes` applied: each existing `NAME=…` (a multi-line value whole, its inline
 * comment kept) replaced in place, new ones appended. Line breaks come out as \n.
 */
export function mergeDevVars(text: string | null, changes: Record<string, string>, header: string): Written {
  let merged = text === null ? `${header}\n` : normalizeLineBreaks(text);
  for (const [name, value] of Object.entries(changes)) {
    const line = devVarsLine(name, value);
    if (!line.ok) return line;
    // Every line for the name (a later one wins in dotenv), last first so earlier positions hold.
    const found = devVarsEntries(merged).filter((e) => e.name === name).reverse();
    for (const entry of found) merged = `${merged.slice(0, entry.start)}${line.text}${merged.slice(entry.end)}`;
    if (found.length === 0) merged = `${merged}${merged === '' || merged.endsWith('\n') ? '' : '\n'}${line.text}\n`;
  }
  return { ok: true, text: merged.endsWith('\n') ? merged : `${merged}\n` };
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

/**
 * Written to a new file made with mode 0600 and moved over .dev.vars: the secrets are never in a
 * file others may read, not even for a moment (an existing .dev.vars may have a wider mode). The
 * temporary name matches .gitignore's `.dev.vars.*`.
 */
export async function writeDevVars(dir: string, text: string): Promise<string> {
  const path = join(dir, DEV_VARS_FILE);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return path;
}
