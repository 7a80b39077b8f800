// What bench:e2e, bench:soak and bench:abuse share: the report's first lines, the test origin and `wrangler
// dev` started once (test/e2e/harness.ts) and stopped on every way out (the end, Ctrl-C, the time
// limit), the goal's verdict, and exit status 1 when the goal was missed or the run failed.
import { startStack, type RunningStack } from '../test/e2e/harness';
import { machineLine, print, progress } from './common';

export interface StackRun {
  /** Lines printed after the machine line, before the stack starts. */
  readonly header?: readonly string[];
  readonly stack: Parameters<typeof startStack>[0];
  readonly timeLimitS: number;
  /** Runs the load and prints its report; true when the goal was met. */
  readonly run: (stack: RunningStack) => Promise<boolean>;
}

/**
 * `name` (e.g. bench:soak) titles the report and prefixes a failure; `prepare` reads the command
 * line (a bad option is such a failure) and says what to run.
 */
export function runOnStack(name: string, prepare: () => StackRun | Promise<StackRun>): void {
  runBench(name, prepare).catch((error) => {
    process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

async function runBench(name: string, prepare: () => StackRun | Promise<StackRun>): Promise<void> {
  const bench = await prepare();
  const startedAt = performance.now();
  print(`${name}  (alipay-notify-edge)`);
  print(machineLine());
  for (const line of bench.header ?? []) print(line);

  progress('starting the test origin and wrangler dev ...');
  const stack = await startStack(bench.stack);
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= stack.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));
  const limit = setTimeout(() => {
    process.stderr.write(`time limit of ${bench.timeLimitS}s reached; stopping\n`);
    void stopAll().then(() => process.exit(1));
  }, bench.timeLimitS * 1000);
  limit.unref();

  let ok = false;
  try {
    ok = await bench.run(stack);
  } finally {
    clearTimeout(limit);
    await stopAll();
  }
  print(`total ${((performance.now() - startedAt) / 1000).toFixed(1)} s, all processes stopped`);
  if (!ok) process.exitCode = 1;
}
