// Types for wrangler.mjs.
import type { ChildProcess, StdioOptions } from 'node:child_process';

export const ROOT: string;
export const WRANGLER_ENV: Readonly<Record<string, string>>;
export function loadTypeScript(who: string): Promise<void>;
export function portFromEnv(
  name: string,
  fallback: number,
  env?: Readonly<Record<string, string | undefined>>,
): { ok: true; port: number; explicit: boolean } | { ok: false; message: string };
export function wranglerDevArgs(port: number, extra?: readonly string[]): string[];
export function spawnWrangler(args: readonly string[], options?: { stdio?: StdioOptions; ownGroup?: boolean }): ChildProcess;
export function stopTree(child: ChildProcess, signal?: NodeJS.Signals): void;
