#!/usr/bin/env node
// Installs what `npm run test:browser` drives: Debian's Chromium and a Chinese font (without it,
// Chinese renders as boxes in the screenshots). Playwright cannot download its own browsers on
// machines without general internet access, so the tests use the distribution's package.
//
// Does nothing when the browser is already there. Otherwise, as root (CI), runs
//   apt-get install -y chromium fonts-wqy-zenhei
// (after apt-get update), waiting for the package manager's lock if another install holds it.
// Not root, or not a Debian/Ubuntu system: prints what to do and exits 1.
//
// CHROMIUM_PATH points the tests at another Chromium binary; then nothing is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The binary the Debian package installs (not the /usr/bin/chromium shell wrapper, which prints a warning). */
export const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';
export const CHINESE_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
const PACKAGES = ['chromium', 'fonts-wqy-zenhei'];
const LOCK_TIMEOUT_SECONDS = 600;

/** The Chromium the browser tests launch. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
}

/** What is missing, as package names (empty: nothing to do). */
export function missingPackages() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? [] : ['CHROMIUM_PATH'];
  return [...(existsSync(DEBIAN_CHROMIUM) ? [] : ['chromium']), ...(existsSync(CHINESE_FONT) ? [] : ['fonts-wqy-zenhei'])];
}

function run(command, args) {
  process.stdout.write(`[install-browser] ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export function installBrowser() {
  const missing = missingPackages();
  if (missing.length === 0) {
    process.stdout.write(`[install-browser] ${chromiumPath()} is installed; nothing to do\n`);
    return 0;
  }
  if (missing.includes('CHROMIUM_PATH')) {
    process.stderr.write(`[install-browser] CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist\n`);
    return 1;
  }
  const command = `apt-get install -y ${PACKAGES.join(' ')}`;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    process.stderr.write(
      `[install-browser] missing: ${missing.join(', ')}. This script installs them on Debian/Ubuntu (${command});\n` +
        '  elsewhere install Chromium yourself and set CHROMIUM_PATH to its binary.\n',
    );
    return 1;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(`[install-browser] missing: ${missing.join(', ')}. Install them as root:\n  sudo ${command}\n`);
    return 1;
  }
  const lock = `-oDPkg::Lock::Timeout=${LOCK_TIMEOUT_SECONDS}`;
  // The package lists may be stale or absent on a fresh CI image; a failed update is not fatal
  // (the install says what is wrong if the lists really are unusable).
  run('apt-get', [lock, 'update']);
  const status = run('apt-get', [lock, 'install', '-y', ...PACKAGES]);
  if (status !== 0) return status;
  const still = missingPackages();
  if (still.length > 0) {
    process.stderr.write(`[install-browser] installed, but still missing: ${still.join(', ')}\n`);
    return 1;
  }
  process.stdout.write(`[install-browser] ${DEBIAN_CHROMIUM} is ready\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(installBrowser());
