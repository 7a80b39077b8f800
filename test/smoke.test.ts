import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
import vector from '../../shared/vectors/legacy_md5_notify_test.json';
it('runs in workerd', async () => {
  const res = await SELF.fetch('https://x/health');
  expect(await res.text()).toBe('ok');
  const md5 = await crypto.subtle.digest('MD5', new TextEncoder().encode('a'));
  expect(md5.byteLength).toBe(16);
  expect(vector.md5_key).toBeTruthy();
  expect(new TextDecoder('gbk').decode(new Uint8Array([0xb2, 0xe2]))).toBe('测');
});
