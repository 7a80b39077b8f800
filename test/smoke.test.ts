import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
const vectors = import.meta.glob('../../shared/vectors/*.json', { eager: true, import: 'default' });
it('runs in workerd', async () => {
  const res = await SELF.fetch('https://x/health');
  expect(await res.text()).toBe('ok');
  expect(Object.keys(vectors).length).toBeGreaterThan(10);
});
