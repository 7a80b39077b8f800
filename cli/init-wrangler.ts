// Running Cloudflare's `wrangler` for init: secret list/put, deploy --dry-run, deploy. Secret
// values travel only on the child's stdin, never as arguments (visible to every process on the
// machine) and never through a file. wrangler is a Node script, and node runs it here directly,
// as scripts/wrangler.mjs does for `npm start`: no shell, so a project path with a space in it
// (C:\Users\John Smith\...) or any other character a shell would read is passed as it is.
// The script is found on PATH first (`npx` puts the project's node_modules/.bin there; a test
// puts its stand-in there), then in this project's node_modules.
//
// Ctrl-C while wrangler runs: wrangler runs in a process group of its own (POSIX), so the
// terminal's Ctrl-C reaches init only; init then stops wrangler and everything it started
// (interrupt()), instead of leaving a deploy running after init is gone.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, realpathSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopTree } from '../scripts/wrangler.mjs';
import { Interrupted } from './init-prompt';

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WranglerRunner {
  /** The command as a person would type it (for messages). */
  readonly display: string;
  /** Rejects with Interrupted when interrupt() stopped it. */
  run(args: string[], options?: { input?: string; echo?: (chunk: string) => void }): Promise<WranglerResult>;
  /** Stops the wrangler that is running (and what it started); false when none is. */
  interrupt(): boolean;
}

const IS_WINDOWS = process.platform === 'win32';
const PROJECT_BIN = fileURLToPath(new URL('../node_modules/.bin/', import.meta.url));
/** After Ctrl-C, how long wrangler gets to stop by itself before it is killed. */
const STOP_GRACE_MS = 3_000;
const NOT_FOUND = 'wrangler is not installed here: run `npm ci` in the project directory.';

/** The wrangler script node runs: on PATH, else in `cwd`'s node_modules, else in this project's; null when there is none. */
export function findWrangler(cwd: string, pathValue = process.env['PATH'] ?? ''): string | null {
  const dirs = [...pathValue.split(delimiter).filter(Boolean), join(cwd, 'node_modules', '.bin'), PROJECT_BIN];
  for (const dir of dirs) {
    const script = wranglerScriptIn(dir);
    if (script !== null) return script;
  }
  return null;
}

/**
 * The script behind a `wrangler` command in `dir`: npm links .bin/wrangler to the package's
 * bin/wrangler.js (a stand-in may be a node script itself); where the command is a shell or .cmd
 * shim instead (Windows, pnpm), the package file the shim would start: next to .bin, or under a
 * global npm prefix.
 */
export function wranglerScriptIn(dir: string): string | null {
  const command = ['wrangler', 'wrangler.cmd'].map((name) => join(dir, name)).find((path) => existsSync(path));
  if (command === undefined) return null;
  const real = realpathSync(command);
  if (isNodeScript(real)) return real;
  const behind = [
    ...(basename(dir) === '.bin' ? [join(dir, '..', 'wrangler', 'bin', 'wrangler.js')] : []),
    join(dir, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
  ];
  return behind.find((path) => existsSync(path)) ?? null;
}

function isNodeScript(path: string): boolean {
  if (/\.[cm]?js$/i.test(path)) return true;
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(128);
    const length = readSync(fd, head, 0, head.length, 0);
    return /^#!.*\bnode\b/.test(head.subarray(0, length).toString('latin1').split('\n')[0]!);
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function wranglerRunner(cwd: string, script = findWrangler(cwd)): WranglerRunner {
  const running = new Set<{ child: ChildProcess; interrupted: boolean }>();
  return {
    display: 'npx wrangler',
    run(args, options = {}) {
      if (script === null) return Promise.resolve({ code: 127, stdout: '', stderr: NOT_FOUND });
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: !IS_WINDOWS, windowsHide: true });
        const entry = { child, interrupted: false };
        running.add(entry);
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          options.echo?.(d);
        });
        child.stderr!.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          options.echo?.(d);
        });
        child.on('error', (error) => {
          running.delete(entry);
          resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` });
        });
        child.on('close', (code) => {
          running.delete(entry);
          if (entry.interrupted) reject(new Interrupted());
          else resolve({ code: code ?? 1, stdout, stderr });
        });
        child.stdin!.on('error', () => {}); // a wrangler that exits early must not crash init with EPIPE
        child.stdin!.end(options.input ?? '');
      });
    },
    interrupt() {
      for (const entry of running) {
        entry.interrupted = true;
        // What the terminal's Ctrl-C would have done, to the whole group (workerd, esbuild); then no more waiting.
        stopTree(entry.child, 'SIGINT');
        setTimeout(() => stopTree(entry.child, 'SIGKILL'), STOP_GRACE_MS).unref();
      }
      return running.size > 0;
    },
  };
}

export type SecretList =
  | { ok: true; names: string[] }
  /** The Worker is not deployed yet: no secrets. */
  | { ok: true; names: []; noWorker: true }
  | { ok: false; reason: 'not-logged-in' | 'failed'; output: string };

export async function listSecrets(wrangler: WranglerRunner): Promise<SecretList> {
  const result = await wrangler.run(['secret', 'list', '--format', 'json']);
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0) {
    if (/not found|does not exist|\[code: 10007\]/i.test(output)) return { ok: true, names: [], noWorker: true };
    if (/CLOUDFLARE_API_TOKEN|not authenticated|wrangler login|not logged in/i.test(output)) return { ok: false, reason: 'not-logged-in', output };
    return { ok: false, reason: 'failed', output };
  }
  // The JSON array starts on a line of its own; anything printed before it (a notice) is skipped.
  const lines = result.stdout.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\[\s*(\{|\]|$)/.test(l.trim()));
  try {
    const list = JSON.parse(start === -1 ? '[]' : lines.slice(start).join('\n')) as { name?: unknown }[];
    return { ok: true, names: list.map((s) => String(s.name)).filter((n) => n !== 'undefined') };
  } catch {
    return { ok: false, reason: 'failed', output };
  }
}

export async function putSecret(wrangler: WranglerRunner, name: string, value: string): Promise<{ ok: true } | { ok: false; output: string }> {
  // wrangler reads a piped value to the end and removes trailing whitespace.
  const result = await wrangler.run(['secret', 'put', name], { input: value });
  return result.code === 0 ? { ok: true } : { ok: false, output: scrub(`${result.stdout}\n${result.stderr}`, value) };
}

/** Just in case a failing wrangler ever printed what it was given: never show the value. */
function scrub(text: string, value: string): string {
  return value.length >= 4 ? text.split(value).join('***') : text;
}

export async function deployDryRun(wrangler: WranglerRunner): Promise<WranglerResult> {
  return wrangler.run(['deploy', '--dry-run']);
}

export async function deploy(wrangler: WranglerRunner, echo?: (chunk: string) => void): Promise<WranglerResult & { url: string | null }> {
  const result = await wrangler.run(['deploy'], { ...(echo ? { echo } : {}) });
  return { ...result, url: deployedUrl(`${result.stdout}\n${result.stderr}`) };
}

/**
 * The Worker's own address, as wrangler lists it under "Deployed <name> triggers" (the workers.dev
 * URL; routes are listed there too, without a scheme).
 */
export function deployedUrl(output: string): string | null {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((l) => /Deployed .* triggers/.test(l));
  if (start !== -1) {
    for (const line of lines.slice(start + 1)) {
      const m = /^\s+(https?:\/\/\S+)\s*$/.exec(line);
      if (m) return m[1]!;
      if (!/^\s/.test(line)) break;
    }
  }
  return /https:\/\/[A-Za-z0-9.-]+\.workers\.dev\b/.exec(output)?.[0] ?? null;
}
