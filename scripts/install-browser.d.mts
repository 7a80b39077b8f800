// Types for install-browser.mjs (a plain node script, run before any dependency is needed).
export const DEBIAN_CHROMIUM: string;
export const CHINESE_FONT: string;
/** CHROMIUM_PATH, else the Debian package's binary. */
export function chromiumPath(): string;
/** What is missing (package names, or CHROMIUM_PATH when it points nowhere); empty: ready. */
export function missingPackages(): string[];
/** Installs what is missing (as root, with apt-get); the exit code. */
export function installBrowser(): number;
