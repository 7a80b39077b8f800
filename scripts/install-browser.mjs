#!/usr/bin/env node
// Installs what `npm run test:browser` drives: Debian's Chromium and a Chinese font (without it,
// Chinese renders as boxes in the screenshots). Playwright cannot download its own browsers on
// machines without general internet access, so the tests use the distribution's package.
//
// Does nothing when the browser is already there. Otherwise, as root (CI), runs
//   apt-get install -y chromium fonts-wqy-zenhei
// (after apt-get update; scripts/apt-install.mjs, which lets installs take turns).
// Not root, or not a Debian/Ubuntu system: prints what to do and exits 1.
//
// CHROMIUM_PATH points the tests at another Chromium binary; then nothing is installed.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { installDebianPackages } from './apt-install.mjs';

/** The binary the Debian package installs (not the /usr/bin/chromium shell wrapper, which prints a warning). */
export const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';
export const CHINESE_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
const PACKAGES = ['chromium', 'fonts-wqy-zenhei'];

/** The Chromium the browser tests launch. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
}

/** What is missing, as package names (empty: nothing to do). */
export function missingPackages() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? [] : ['CHROMIUM_PATH'];
  return [...(existsSync(DEBIAN_CHROMIUM) ? [] : ['chromium']), ...(existsSync(CHINESE_FONT) ? [] : ['fonts-wqy-zenhei'])];
}

export function installBrowser() {
  if (process.env.CHROMIUM_PATH && !existsSync(process.env.CHROMIUM_PATH)) {
    process.stderr.write(`[install-browser] CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist\n`);
    return 1;
  }
  return installDebianPackages({
    tag: 'install-browser',
    packages: PACKAGES,
    missing: missingPackages,
    ready: chromiumPath(),
    elsewhere: 'elsewhere install Chromium yourself and set CHROMIUM_PATH to its binary.',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(installBrowser());
