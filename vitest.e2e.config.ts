import { defineConfig } from 'vitest/config';

// The end-to-end suite (`npm run test:e2e`): real `wrangler dev` (local mode) and a real origin
// process on 127.0.0.1, started once by test/e2e/global-setup.ts and shared by the files that only
// need the default settings, each with orders of its own. A file whose gateway needs other settings
// (fixed at start-up), or whose traffic must not meet other files' (soak.test.ts: the origin's
// random failures and counts; abuse.test.ts: slow bodies, heap readings; oversize-bodies.test.ts:
// its flood of oversize bodies), starts a stack of its own (ownStack() in client.ts, or harness.ts
// directly). A stack that cannot start is started once more (harness.ts, STACK_START_LIMIT_MS).
// Files run three at a time: they mostly wait (on wrangler's start-up, retry schedules, read
// deadlines), so this is what keeps the suite short beside the others `npm test` runs.
export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    maxWorkers: 3,
    testTimeout: 45_000,
    // Above the harness's STACK_START_LIMIT_MS, so a stack that cannot start says why.
    hookTimeout: 180_000,
  },
});
