import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

// The test worker boots with the configuration from vitest.config.ts and reports itself healthy.
it('serves /health from workerd with the test configuration', async () => {
  const res = await SELF.fetch('https://gateway.test/health');
  expect(res.status).toBe(200);
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
});
