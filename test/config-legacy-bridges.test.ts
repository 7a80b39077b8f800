// Settings of the legacy bridges: alipay-md5 forwarding only makes sense for a form, an unused
// ORIGIN_MD5_KEY is pointed out, and the notify path cannot take the return page's path.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../src/config/reader';
import { loadConfig } from '../src/config/load';
import type { ConfigEnv } from '../src/config/names';
import { TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64, TEST_ONLY_FORWARD_SECRETS } from './fixtures/gateway-test-keys';

function env(overrides: Partial<Record<keyof ConfigEnv, string>> = {}): ConfigEnv {
  return {
    ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64,
    ALIPAY_APP_ID: '2021000123456789',
    ORIGIN_URL: 'https://shop.example.com/alipay/notify_url.asp',
    FORWARD_SECRET: TEST_ONLY_FORWARD_SECRETS[0],
    ...overrides,
  };
}

async function problemsOf(e: ConfigEnv): Promise<string[]> {
  const result = await loadConfig(e);
  return result.ok ? [] : result.problems.map(formatProblem);
}

/** The 32 letters and digits of Alipay's partner key, which a legacy page usually already has. */
const LEGACY_KEY = 'k3y0abcdefghijklmnopqrstuvwxyz01';

describe('legacy bridge settings', () => {
  it('alipay-md5 with json is a configuration problem', async () => {
    expect(await problemsOf(env({ FORWARD_SIGNING: 'alipay-md5', ORIGIN_MD5_KEY: LEGACY_KEY, FORWARD_FORMAT: 'json' }))).toEqual([
      'FORWARD_SIGNING: alipay-md5 needs FORWARD_FORMAT=form (legacy pages check the MD5 sign of a form, never of JSON)',
    ]);
  });

  it('alipay-md5 with form (the default) loads', async () => {
    const result = await loadConfig(env({ FORWARD_SIGNING: 'alipay-md5', ORIGIN_MD5_KEY: LEGACY_KEY }));
    expect(result.ok && result.config.forward.format).toBe('form');
    expect(result.ok && result.config.forward.signing).toBe('alipay-md5');
  });

  it('warns about an ORIGIN_MD5_KEY that nothing uses, without quoting it', async () => {
    const result = await loadConfig(env({ ORIGIN_MD5_KEY: 'unused-legacy-key' }));
    expect(result.ok).toBe(true);
    const warnings = result.ok ? result.config.summary.warnings : [];
    expect(warnings).toEqual(['ORIGIN_MD5_KEY: set but not used: FORWARD_SIGNING is not alipay-md5']);
  });

  it('refuses NOTIFY_PATH=/alipay/return while the return page is on', async () => {
    expect(await problemsOf(env({ NOTIFY_PATH: '/alipay/return', ORIGIN_RETURN_URL: 'https://shop.example.com/return.asp' }))).toEqual([
      'NOTIFY_PATH: /alipay/return is taken by the return page while ORIGIN_RETURN_URL is set; choose another path',
    ]);
    expect(await problemsOf(env({ NOTIFY_PATH: '/alipay/return' }))).toEqual([]);
  });
});
