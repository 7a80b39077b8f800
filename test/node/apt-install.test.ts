// scripts/apt-install.mjs lets the suites' Debian installs take turns (the browser suite's Chromium
// and the unit suite's Mono can be missing at once on a fresh CI machine): a lock directory holding
// the holder's pid, taken over when that process is gone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { takeTurn } from '../../scripts/apt-install.mjs';

let dir = '';
let lock = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apt-turn-'));
  lock = join(dir, 'lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A lock as a process would leave it: its pid, or none. */
function lockHeldBy(pid: number | null, ageMs = 0): void {
  mkdirSync(lock);
  if (pid !== null) writeFileSync(join(lock, 'pid'), String(pid));
  const at = new Date(Date.now() - ageMs);
  utimesSync(lock, at, at);
}

it('a free lock is taken at once and released', () => {
  const release = takeTurn('test', lock, 5);
  expect(existsSync(join(lock, 'pid'))).toBe(true);
  release();
  expect(existsSync(lock)).toBe(false);
});

it('a lock whose process is gone is taken over', () => {
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  lockHeldBy(gone);
  takeTurn('test', lock, 5)();
});

it('a lock without a pid is waited for while young, taken over once old', () => {
  lockHeldBy(null, 60_000);
  takeTurn('test', lock, 5)();
  lockHeldBy(null);
  expect(() => takeTurn('test', lock, 1)).toThrow(/another install still holds/);
});

it('a lock held by a running process is waited for, and given up on at the time limit', () => {
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  try {
    lockHeldBy(holder.pid!);
    expect(() => takeTurn('test', lock, 1)).toThrow(/another install still holds/);
  } finally {
    holder.kill();
  }
});

it('the turn comes when the holder is done', () => {
  // The holder lives 800 ms; takeTurn waits synchronously meanwhile (the holder is another process).
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 800)']);
  lockHeldBy(holder.pid!);
  const started = Date.now();
  takeTurn('test', lock, 10)();
  expect(Date.now() - started).toBeGreaterThan(400);
});
