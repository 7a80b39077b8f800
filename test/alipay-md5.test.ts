import { describe, expect, it } from 'vitest';
import { hexEncode } from '../src/utils/hex';
import { md5 } from '../src/utils/md5';

const hex = (s: string) => hexEncode(md5(new TextEncoder().encode(s)));

describe('md5', () => {
  it('matches the RFC 1321 test suite', () => {
    expect(hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hex('a')).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(hex('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(hex('abcdefghijklmnopqrstuvwxyz')).toBe('c3fcd3d76192e4007dfb496cca67e13b');
    expect(hex('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')).toBe('d174ab98d277d9f5a5611c2c9f419d9f');
    expect(hex('1234567890'.repeat(8))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('equals WebCrypto MD5 for every length around the block and padding boundaries', async () => {
    const data = crypto.getRandomValues(new Uint8Array(300));
    for (let n = 0; n <= 300; n++) {
      const slice = data.subarray(0, n);
      const expected = hexEncode(new Uint8Array(await crypto.subtle.digest('MD5', slice)));
      expect(hexEncode(md5(slice)), `length ${n}`).toBe(expected);
    }
  });

  it('equals WebCrypto MD5 on a large input', async () => {
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    expect(hexEncode(md5(data))).toBe(hexEncode(new Uint8Array(await crypto.subtle.digest('MD5', data))));
  });
});
