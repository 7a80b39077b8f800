// Running Cloudflare's `wrangler` for init: secret list/put, deploy --dry-run, deploy. Secret
// values travel only on the child's stdin, never as arguments (visible to every process on the
// machine) and never through a file. `wrangler` is found on PATH first (`npx` puts the project's
// node_modules/.bin there; a test puts its stand-in there), then in this project's node_modules.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WranglerRunner {
  /** The command as a person would type it (for messages). */
  readonly display: string;
  run(args: string[], options?: { input?: string; echo?: (chunk: string) => void }): Promise<WranglerResult>;
}

const IS_WINDOWS = process.platform === 'win32';
const PROJECT_BIN = fileURLToPath(new URL('../node_modules/.bin/', import.meta.url));

export function findWrangler(cwd: string, pathValue = process.env['PATH'] ?? ''): string {
  const names = IS_WINDOWS ? ['wrangler.cmd', 'wrangler.exe'] : ['wrangler'];
  const dirs = [...pathValue.split(delimiter).filter(Boolean), join(cwd, 'node_modules', '.bin'), PROJECT_BIN];
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return names[0]!;
}

export function wranglerRunner(cwd: string, command = findWrangler(cwd)): WranglerRunner {
  return {
    display: 'npx wrangler',
    run(args, options = {}) {
      return new Promise((resolve) => {
        // Windows runs .cmd files only through the shell; every argument here is a fixed word or a setting name.
        const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], shell: IS_WINDOWS && command.endsWith('.cmd') });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          options.echo?.(d);
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          options.echo?.(d);
        });
        child.on('error', (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }));
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
        child.stdin.on('error', () => {}); // a wrangler that exits early must not crash init with EPIPE
        child.stdin.end(options.input ?? '');
      });
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
