// The gateway's structured log lines (src/log.ts: one JSON object per console.log, `level` first)
// are captured per test instead of printed: a passing run shows only the test names. A failing
// test gets its lines printed after it, and DEBUG=1 prints every line as it comes. Installed for
// every test file by test/support/setup-log-capture.ts; tests that assert on log lines read them
// with captureJsonLogs(). Anything else written with console.log is printed as usual.

export interface JsonLogs {
  /** This test's JSON lines so far, oldest first. */
  readonly lines: Record<string, unknown>[];
  /** The same lines exactly as written. */
  readonly texts: string[];
}

const GATEWAY_LINE = /^\{"level":"(?:debug|info|warn|error)"/;

let installed = false;
/** console.log as it was before any capture: this module is evaluated again for each test file (test/support/fresh-runtime.ts). */
const CONSOLE_LOG = Symbol.for('alipay-notify-edge.console.log');
let printAll = false;
let print: (text: string) => void = () => {};
let current: { text: string; json: Record<string, unknown> }[] = [];

function gatewayLine(args: unknown[]): Record<string, unknown> | null {
  if (args.length !== 1 || typeof args[0] !== 'string' || !GATEWAY_LINE.test(args[0])) return null;
  try {
    return JSON.parse(args[0]) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Replaces console.log once (not with a spy: a test's own vi.spyOn(console, 'log') and its
 * mockRestore() then sit on top of this and give it back). `debug`: print every line as well.
 */
export function installLogCapture(debug: boolean): void {
  if (installed) return;
  installed = true;
  printAll = debug;
  const saved = globalThis as { [CONSOLE_LOG]?: typeof console.log };
  const original = (saved[CONSOLE_LOG] ??= console.log.bind(console));
  print = (text) => original(text);
  console.log = (...args: unknown[]) => {
    const json = gatewayLine(args);
    if (json === null) return original(...args);
    current.push({ text: args[0] as string, json });
    if (printAll) original(args[0]);
  };
}

/** A test starts: its lines start from none. */
export function startCapture(): void {
  current = [];
}

/** A test ended: print what it logged if it failed (unless already printed), then forget it. */
export function endCapture(failed: boolean): void {
  if (failed && !printAll && current.length > 0) {
    print(`--- ${current.length} gateway log line(s) of this failed test ---`);
    for (const line of current) print(line.text);
  }
  current = [];
}

/** The JSON lines of the running test, for tests that assert on them. */
export function captureJsonLogs(): JsonLogs {
  installLogCapture(false);
  return {
    get lines() {
      return current.map((line) => line.json);
    },
    get texts() {
      return current.map((line) => line.text);
    },
  };
}
