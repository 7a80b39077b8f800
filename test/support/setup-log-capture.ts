// A vitest setup file (both projects, see vitest.config.ts): the gateway's JSON log lines are kept
// per test and printed only for a failed test, or all of them with DEBUG set (test/support/json-logs.ts).
import { afterEach, beforeEach, inject } from 'vitest';
import { endCapture, installLogCapture, startCapture } from './json-logs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DEBUG was set for this run: print the gateway's log lines as they come. */
    printGatewayLogs: boolean;
  }
}

installLogCapture(inject('printGatewayLogs'));

beforeEach(() => startCapture());
// Registered first, so it runs after the test file's own afterEach hooks (vitest runs them as a
// stack) and sees a failure in any of them too.
afterEach((context) => endCapture(context.task.result?.state === 'fail'));
