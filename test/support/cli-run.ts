// Two ways to run the command-line tool in tests: as a user does (`node cli/bin.mjs ...`, one
// process per call, which proves the tsx entry point works) and in-process through `main()`
// (same code, no process start-up, for the many small option and output cases).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../cli/main';

export const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

type CliOptions = { stdin?: Uint8Array | string; cwd?: string; env?: Record<string, string> };

/** `env` is added to this process's environment. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const { code, stdout, stderr } = await startCli(args, options).done;
  return { code, stdout, stderr };
}

export interface StartedCli {
  child: ChildProcess;
  /** The output so far. */
  stdout(): string;
  /** The end: exit code (null when a signal ended it) and the signal. */
  done: Promise<CliRun & { signal: NodeJS.Signals | null }>;
}

/** Like runCli, for a test that acts while the command runs (e.g. sends it Ctrl-C's SIGINT). */
export function startCli(args: string[], options: CliOptions = {}): StartedCli {
  const env = options.env ? { ...process.env, ...options.env } : undefined;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  child.stdin.end(options.stdin ?? '');
  return { child, stdout: () => stdout, done };
}

/** `main(args)` with stdout and stderr captured. Not for stdin input, and not concurrently. */
export async function runInProcess(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `work` with process.platform saying win32: what a command prints for Windows, tested anywhere. */
export async function onWindows<T>(work: () => Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { ...original, value: 'win32' });
  try {
    return await work();
  } finally {
    Object.defineProperty(process, 'platform', original);
  }
}
