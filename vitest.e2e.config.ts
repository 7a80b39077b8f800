import { defineConfig } from 'vitest/config';

// The end-to-end suite (`npm run test:e2e`): real `wrangler dev` (local mode) and a real origin
// process on 127.0.0.1, started once by test/e2e/global-setup.ts and shared by the files, except
// example-origin.test.ts (its own gateway in front of examples/node-origin/server.mjs),
// json-format.test.ts and legacy-md5.test.ts (their own gateways: FORWARD_FORMAT=json,
// FORWARD_SIGNING=alipay-md5), soak.test.ts (FORWARD_EVENTS=all, a flaky origin) and
// crash-recovery.test.ts (a gateway it SIGKILLs and restarts), since a gateway's settings are
// fixed at start-up.
// Files run one after another: most share one gateway, and a 2-core machine has no spare cores
// for parallel workerd load anyway.
export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 45_000,
    hookTimeout: 90_000,
  },
});
