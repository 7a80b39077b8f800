import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { SETTING_NAMES } from './src/config/names';

// Every setting starts out unset (empty means "use the default"), so a developer's .dev.vars
// (written by `npm start`) can never leak into the tests: the pool reads .dev.vars too.
const EVERY_SETTING_UNSET = Object.fromEntries(SETTING_NAMES.map((name) => [name, '']));

// Two projects: `workers` runs inside workerd with the real (SQLite-backed) Durable Objects
// from wrangler.toml; `node` runs the command-line tool and other Node-side code.
// The end-to-end suite (real `wrangler dev`) has its own config: vitest.e2e.config.ts.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // A valid gateway config for the tests. TEST-ONLY values, mirrored in
              // test/fixtures/gateway-test-keys.ts (the private keys live there and in the GBK vector).
              bindings: {
                ...EVERY_SETTING_UNSET,
                // The fixture key, then the synthetic GBK vector's key: two keys = rotation in effect.
                ALIPAY_PUBLIC_KEY:
                  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqSNN17qChDDMDB2eTjfY8x+vI2veDxH2CdffnLM91OwBJaR+XSS2zeuslDe3yjCzLGEDRbd0kfFFrCFv6CSXl5cQalwLC3HfSIzzhFYJ4/CkkEM8uonDJy1xLa9jjGPXnMZlBz9SyMj136icv1DJaHXuUw6Egm3r2N9jmYSE3jEYvwwQHytrY34vWiRVBkbod4utkvbJyNllOl9niVl9yFFzCnYo+FXC4Ld7PQWp5NgaFEh5VVlBS8R+m/sxzNuZI3gelKtRzEx9u9V9x6XtywSZa4e57Gv1D+YUZSKl4/XTelshMdV4cq1quAbZtDpVWYRXTE7ZRP31RXcqqO+H9QIDAQAB ' +
                  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtG3d44jYl0g+iIEc1CBSCQPurXnBduGiDSTSTAfMWkGnqU6GzUEvWLfeCGJRK6lgAV/K7trQQJzIY3ACLfRyyt1pbrz59uaeYwno9UJGXPYC7PZZwyaU5PkV3fLvasLp/phUXMow8HdKzA0NDiRJ9AOkLs8a5bDZEprpTvOl0W6TagSU2dm0hoZfZf/tz5Zw/i8yjxusbO/kJsedYHirna8tG061YfUr5mmWMJd9Mbai0edWGyJVi74Uj4Lii+9vIcVsCd0yGKMsMM8H56vvPMZhy/jRg/WNo8vCXEmFPA+SM/CRpkfhlULjPGBSkLbyLJ8fKI5LYHRki19VzRDZ0QIDAQAB',
                ALIPAY_APP_ID: '2021000000000001',
                ORIGIN_URL: 'https://origin.test/alipay/notify',
                FORWARD_SECRET: 'whsec_+6EDSyd9Gg76mHy2XU31xZKzl+rsyntexxsi5KTgIPY= whsec_qkfxDyhOsViEezfOefxkno4c2aO4N4Ng/Uu7Zc6MObk=',
                // Long enough that no retry fires by itself during a test: tests drive retries with runDurableObjectAlarm.
                RETRY_SCHEDULE: '30s,60s,90s',
                DELIVERY_TIMEOUT: '1s',
                ADMIN_TOKEN: 'test-only-admin-token-0123456789',
              },
            },
          }),
        ],
        test: { name: 'workers', include: ['test/**/*.test.ts'], exclude: ['test/node/**', 'test/e2e/**', 'test/browser/**'], testTimeout: 20_000 },
      },
      {
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
    ],
  },
});
