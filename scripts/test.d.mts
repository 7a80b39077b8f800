// Types for test.mjs (`npm test`).
/** Suite name -> the package.json script that runs it. */
export const SUITES: Record<'typecheck' | 'unit' | 'e2e' | 'browser', string>;
/** Settings every suite runs with (wrangler's metrics and location request off). */
export const OFFLINE_ENV: Record<string, string>;
/** Suites run at a lower priority (they compute, with nothing timed). */
export const BACKGROUND: Set<string>;
export interface Suite {
  name: string;
  command: string;
  args: string[];
  shell?: boolean;
  /** Run this much lower in priority than `npm test` itself (os.setPriority), e.g. 10. */
  nice?: number;
}
export interface SuiteResult {
  name: string;
  ok: boolean;
  /** `passed`, `failed (exit N)`, `stopped by SIGNAL` or `could not start (...)`. */
  status: string;
  /** From the start of the run to this suite's end. */
  ms: number;
  output: string;
}
/** The command that runs an npm script, through the npm that started this process when there is one. */
export function npmRun(script: string): Omit<Suite, 'name'>;
/** Runs the suites at once; writes each passing one's output as a block when it ends, the failed ones' after all ended, then a summary naming the failed tests. */
export function runSuites(suites: Suite[], options?: { env?: Record<string, string>; write?: (text: string) => void; color?: boolean }): Promise<SuiteResult[]>;
/** The `FAIL  file > test` lines of vitest's output, each followed by its error's first line (at most 20 lines). */
export function failedTests(output: string): string[];
