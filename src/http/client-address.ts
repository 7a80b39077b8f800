// Who is asking, as a rate limiter's key. Cloudflare sets CF-Connecting-IP on every request a
// deployed Worker gets (a client cannot forge it); locally (`wrangler dev`, tests) there is none.
// An IPv6 client usually holds a whole /64 (and can pick any address in it), so an IPv6 address
// counts by its /64: one budget per subscriber, not one per address.

/** The client's address (IPv6 as its /64), or null when the platform did not say. */
export function clientAddressKey(request: Request): string | null {
  const ip = request.headers.get('cf-connecting-ip')?.trim();
  if (!ip) return null;
  return ip.includes(':') ? ipv6Prefix64(ip) : ip;
}

/** `2001:db8:1:2:3:4:5:6` and `2001:db8:1:2::9` -> `2001:db8:1:2::/64`; anything unparsable is kept whole. */
function ipv6Prefix64(ip: string): string {
  const address = ip.toLowerCase().replace(/%.*$/, ''); // a zone index is not part of the address
  const [head = '', tail] = address.split('::', 2) as [string, string | undefined];
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const tailGroups = tail === '' ? [] : tail.split(':');
    while (groups.length + tailGroups.length < 8) groups.push('0');
    groups.push(...tailGroups);
  }
  if (groups.length < 4 || !groups.slice(0, 4).every((g) => /^[0-9a-f]{1,4}$/.test(g))) return address;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
