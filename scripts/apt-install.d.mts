// Types for apt-install.mjs (a plain node script, run before any dependency is needed).
export interface DebianPackages {
  /** Prefix of every line printed, e.g. "install-browser". */
  tag: string;
  packages: string[];
  /** What is absent (empty: nothing to do). */
  missing: () => string[];
  /** What is ready, in words. */
  ready: string;
  /** What to do on a system without apt-get. */
  elsewhere: string;
}
/** Installs `packages` (as root, with apt-get) when something is missing; the exit code. */
export function installDebianPackages(options: DebianPackages): number;
/** Waits for the install lock (installs take turns); returns its release. */
export function takeTurn(tag: string, lock?: string, timeoutSeconds?: number): () => void;
