import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Two projects: `workers` runs inside workerd with the real (SQLite-backed) Durable Objects
// from wrangler.toml; `node` runs the command-line tool and other Node-side code.
// The end-to-end suite (real `wrangler dev`) has its own config: vitest.e2e.config.ts.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: { name: 'workers', include: ['test/**/*.test.ts'], exclude: ['test/node/**', 'test/e2e/**'], testTimeout: 20_000 },
      },
      {
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
    ],
  },
});
