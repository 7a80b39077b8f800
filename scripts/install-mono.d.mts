// Types for install-mono.mjs (a plain node script, like install-browser.mjs).
/** What is missing, as Debian package names; empty: ready. */
export function missingMonoPackages(): string[];
/** Installs what is missing (as root, with apt-get); the exit code. */
export function installMono(): number;
