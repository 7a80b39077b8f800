// Captures the Worker's structured log lines (one JSON object per console.log) during each test
// of the calling file, and keeps them out of the test output.
import { afterEach, beforeEach, vi } from 'vitest';

export interface JsonLogs {
  /** This test's JSON lines so far, oldest first (non-JSON console output is dropped). */
  readonly lines: Record<string, unknown>[];
}

/** Call once at the top of a test file: installs the capture before each test, removes it after. */
export function captureJsonLogs(): JsonLogs {
  let lines: Record<string, unknown>[] = [];
  let spy: { mockRestore(): void } | undefined;
  beforeEach(() => {
    lines = [];
    spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      const line = args.map(String).join(' ');
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
  });
  afterEach(() => spy?.mockRestore());
  return {
    get lines() {
      return lines;
    },
  };
}
