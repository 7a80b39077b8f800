// Installs Debian packages that a test suite needs and the npm registry cannot give (Chromium for
// the browser tests, Mono for the ASP.NET example), only when something is missing and only as
// root (CI). Suites run at the same time, so installs take turns: a lock directory of our own
// around `apt-get update` + `apt-get install` (apt's own locks make a second `apt-get update` fail
// at once rather than wait), plus apt's lock timeout for anything else holding the package manager.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_TIMEOUT_SECONDS = 600;
const TURN_LOCK = join(tmpdir(), 'alipay-notify-edge-apt.lock');

function run(tag, command, args) {
  process.stdout.write(`[${tag}] ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (synchronously, like the installs) for our turn; a lock left by a process that died is taken over. */
function takeTurn(tag) {
  const deadline = Date.now() + LOCK_TIMEOUT_SECONDS * 1000;
  for (let said = false; ; ) {
    try {
      mkdirSync(TURN_LOCK);
      writeFileSync(join(TURN_LOCK, 'pid'), String(process.pid));
      return () => rmSync(TURN_LOCK, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(join(TURN_LOCK, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
    if (holder > 0 && !processAlive(holder)) {
      rmSync(TURN_LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`[${tag}] another install still holds ${TURN_LOCK} after ${LOCK_TIMEOUT_SECONDS} s`);
    if (!said) process.stdout.write(`[${tag}] waiting for another suite's install to finish\n`);
    said = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}

/**
 * `missing()` names what is absent (empty: nothing to do). Installs `packages` when something is,
 * then asks `missing()` again. `elsewhere` says what to do on a system without apt-get.
 * Returns a process exit status: 0 ready, 1 not.
 */
export function installDebianPackages({ tag, packages, missing, ready, elsewhere }) {
  if (missing().length === 0) {
    process.stdout.write(`[${tag}] ${ready} is installed; nothing to do\n`);
    return 0;
  }
  const command = `apt-get install -y ${packages.join(' ')}`;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    process.stderr.write(`[${tag}] missing: ${missing().join(', ')}. This script installs them on Debian/Ubuntu (${command});\n  ${elsewhere}\n`);
    return 1;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(`[${tag}] missing: ${missing().join(', ')}. Install them as root:\n  sudo ${command}\n`);
    return 1;
  }
  const release = takeTurn(tag);
  try {
    // Another suite may have installed them while this one waited.
    if (missing().length === 0) return 0;
    const lock = `-oDPkg::Lock::Timeout=${LOCK_TIMEOUT_SECONDS}`;
    // The package lists may be stale or absent on a fresh CI image; a failed update is not fatal
    // (the install says what is wrong if the lists really are unusable).
    run(tag, 'apt-get', [lock, 'update']);
    const status = run(tag, 'apt-get', [lock, 'install', '-y', ...packages]);
    if (status !== 0) return status;
  } finally {
    release();
  }
  const still = missing();
  if (still.length > 0) {
    process.stderr.write(`[${tag}] installed, but still missing: ${still.join(', ')}\n`);
    return 1;
  }
  process.stdout.write(`[${tag}] ${ready} is ready\n`);
  return 0;
}
