// Rate limits count a client by the address Cloudflare saw, an IPv6 client by its /64.
import { expect, it } from 'vitest';
import { clientAddressKey } from '../src/http/client-address';

const from = (ip?: string) => clientAddressKey(new Request('https://gateway.test/', { headers: ip === undefined ? {} : { 'cf-connecting-ip': ip } }));

it('IPv4 as it is; IPv6 by its /64 however it is written; none locally', () => {
  expect(from('203.0.113.7')).toBe('203.0.113.7');
  expect(from('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
  expect(from('2001:0DB8:0001:0002::9')).toBe('2001:db8:1:2::/64');
  expect(from('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(from('2001:db8:0:0:ffff::1')).toBe(from('2001:db8::2'));
  expect(from('2001:db8:1::1')).not.toBe(from('2001:db8:2::1'));
  expect(from('::1')).toBe('0:0:0:0::/64');
  expect(from('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  expect(from('not:an:address')).toBe('not:an:address');
  expect(from()).toBeNull();
  expect(from('')).toBeNull();
});
