// Installs Debian packages that a test suite needs and the npm registry cannot give (Chromium for
// the browser tests, Mono for the ASP.NET example), only when something is missing and only as
// root (CI). Suites run at the same time, so installs take turns: a lock directory of our own
// around `apt-get update` + `apt-get install` (apt's own locks make a second `apt-get update` fail
// at once rather than wait), plus apt's lock timeout for anything else holding the package manager.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_TIMEOUT_SECONDS = 600;
const TURN_LOCK = join(tmpdir(), 'alipay-notify-edge-apt.lock');
/** A lock without a pid this long after it was taken was left by a process that died taking it. */
const PID_WRITE_GRACE_MS = 10_000;

function run(tag, command, args) {
  process.stdout.write(`[${tag}] ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** Running, and not a zombie (finished, its exit status not yet collected by its parent). */
function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "PID (name) STATE ..."; the name may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true; // no /proc (not Linux): the signal check is all there is
  }
}

/**
 * A lock whose holder died: its pid is not running, or it never wrote one (it died right after
 * taking the lock) and the lock is older than that could take. A lock just released counts as free.
 */
function heldByNoOne(lock) {
  try {
    const holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    return !(holder > 0 && processAlive(holder));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    try {
      return Date.now() - statSync(lock).mtimeMs > PID_WRITE_GRACE_MS;
    } catch {
      return true; // released meanwhile
    }
  }
}

/**
 * Waits (synchronously, like the installs) for our turn; a lock left by a process that died is
 * taken over. Returns the release. `lock` and `timeoutSeconds` are for tests.
 */
export function takeTurn(tag, lock = TURN_LOCK, timeoutSeconds = LOCK_TIMEOUT_SECONDS) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let said = false; ; ) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (heldByNoOne(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`[${tag}] another install still holds ${lock} after ${timeoutSeconds} s`);
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
    // Anything else holding the package manager (an unattended upgrade) is waited for too.
    const waitForDpkg = `-oDPkg::Lock::Timeout=${LOCK_TIMEOUT_SECONDS}`;
    // The package lists may be stale or absent on a fresh CI image; a failed update is not fatal
    // (the install says what is wrong if the lists really are unusable).
    run(tag, 'apt-get', [waitForDpkg, 'update']);
    const status = run(tag, 'apt-get', [waitForDpkg, 'install', '-y', ...packages]);
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
