import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { SETTING_NAMES } from './src/config/names.ts';
import {
  TEST_ALERT_URL,
  TEST_APP_ID,
  TEST_ONLY_ADMIN_TOKEN,
  TEST_ONLY_ALERT_SECRET,
  TEST_ONLY_ALIPAY_PUBLIC_KEYS,
  TEST_ONLY_FORWARD_SECRETS,
  TEST_ORIGIN_URL,
} from './test/fixtures/gateway-test-keys.ts';
import { TEST_ALIPAY_GATEWAY_URL, TEST_ONLY_APP_PRIVATE_KEY_PEM, TEST_ONLY_STATUS_SECRET_FOR_ORDERS } from './test/fixtures/reconcile-test-keys.ts';

// Every setting starts out unset (empty means "use the default"), so a developer's .dev.vars
// (written by `npm start`) can never leak into the tests: the pool reads .dev.vars too.
const EVERY_SETTING_UNSET = Object.fromEntries(SETTING_NAMES.map((name) => [name, '']));

// The gateway's JSON log lines are printed only for failed tests, unless DEBUG is set
// (test/support/setup-log-capture.ts).
const PRINT_GATEWAY_LOGS = Boolean(process.env['DEBUG']);

/** A valid gateway config for the workerd tests, from the TEST-ONLY fixtures. */
const GATEWAY_BINDINGS = {
  ...EVERY_SETTING_UNSET,
  // Two keys (the fixture key, then the GBK vector's): rotation in effect.
  ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_PUBLIC_KEYS,
  ALIPAY_APP_ID: TEST_APP_ID,
  ORIGIN_URL: TEST_ORIGIN_URL,
  FORWARD_SECRET: TEST_ONLY_FORWARD_SECRETS.join(' '),
  // Long enough that no retry fires by itself during a test: tests drive retries with runDurableObjectAlarm.
  RETRY_SCHEDULE: '30s,60s,90s',
  DELIVERY_TIMEOUT: '1s',
  ADMIN_TOKEN: TEST_ONLY_ADMIN_TOKEN,
  // Alerts go to a receiver the tests play (test/support/gateway.ts mockAlertReceiver).
  ALERT_URL: TEST_ALERT_URL,
  ALERT_SECRET: TEST_ONLY_ALERT_SECRET,
};

const WORKERS_TEST = {
  testTimeout: 20_000,
  setupFiles: ['test/support/setup-log-capture.ts'],
  provide: { printGatewayLogs: PRINT_GATEWAY_LOGS },
  globalSetup: ['test/support/drop-pool-noise.ts'],
};

// Three projects: `workers` runs inside workerd with the real (SQLite-backed) Durable Objects
// from wrangler.toml; `reconcile` is the same with asking Alipay switched on (an app private key,
// a gateway the tests play, STATUS_SECRET for registering orders), so no other test's ledger asks
// Alipay; `node` runs the command-line tool and other Node-side code.
// The end-to-end suite (real `wrangler dev`) has its own config: vitest.e2e.config.ts.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: GATEWAY_BINDINGS } })],
        test: { name: 'workers', include: ['test/**/*.test.ts'], exclude: ['test/node/**', 'test/e2e/**', 'test/browser/**', 'test/reconcile/**'], ...WORKERS_TEST },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ...GATEWAY_BINDINGS,
                ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM,
                ALIPAY_GATEWAY_URL: TEST_ALIPAY_GATEWAY_URL,
                // Short, so a test sees the schedule move; tests still drive the alarms themselves.
                RECONCILE_SCHEDULE: '30s,60s,90s',
                STATUS_SECRET: TEST_ONLY_STATUS_SECRET_FOR_ORDERS,
              },
            },
          }),
        ],
        test: { name: 'reconcile', include: ['test/reconcile/**/*.test.ts'], ...WORKERS_TEST },
      },
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          setupFiles: ['test/support/setup-log-capture.ts'],
          provide: { printGatewayLogs: PRINT_GATEWAY_LOGS },
        },
      },
    ],
  },
});
