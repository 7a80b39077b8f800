import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the operator console and the status widget in Debian's Chromium
// (playwright-core), against real `wrangler dev`, the test origin and the demo origin, started
// once by test/browser/global-setup.ts. Files run one after another: they share the stack and
// a 2-core machine has no spare cores for two browsers and workerd.
export default defineConfig({
  test: {
    name: 'browser',
    environment: 'node',
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
