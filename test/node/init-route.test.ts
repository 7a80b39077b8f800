// From the merchant's current notify_url to a Cloudflare route, its zone and NOTIFY_PATH, with the
// warnings that matter (what else a `*` pattern catches, case, a receiving page under the route).
import { describe, expect, it } from 'vitest';
import { guessZoneName, hostInZone, planRoute, routeCovers } from '../../cli/init-route';

describe('planRoute', () => {
  it('an exact pattern over the notify page, its zone and NOTIFY_PATH', () => {
    const result = planRoute('https://shop.example.com/pay/alipay_notify.asp');
    expect(result).toEqual({
      ok: true,
      plan: {
        pattern: 'shop.example.com/pay/alipay_notify.asp',
        zoneName: 'example.com',
        notifyPath: '/pay/alipay_notify.asp',
        host: 'shop.example.com',
        wildcard: false,
        warnings: [],
      },
    });
  });

  it('a notify_url with a query string needs a trailing *, and says what else it covers', () => {
    const result = planRoute('http://www.shop.com.cn/Pay/Notify.asp?site=2');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.pattern).toBe('www.shop.com.cn/Pay/Notify.asp*');
    expect(result.plan.zoneName).toBe('shop.com.cn');
    expect(result.plan.notifyPath).toBe('/Pay/Notify.asp');
    expect(result.plan.warnings.map((w) => w.kind)).toEqual(['wildcard-covers-more', 'case-sensitive', 'plain-http']);
  });

  it('refuses what a route cannot or must not cover', () => {
    expect(planRoute('not a url')).toEqual({ ok: false, problem: { kind: 'not-a-url' } });
    expect(planRoute('ftp://shop.example.com/n')).toEqual({ ok: false, problem: { kind: 'not-http' } });
    expect(planRoute('http://203.0.113.7/notify.asp')).toEqual({ ok: false, problem: { kind: 'ip-address' } });
    expect(planRoute('https://shop.example.com/')).toEqual({ ok: false, problem: { kind: 'site-root' } });
    // The gateway's own NOTIFY_PATH parser has the last word on the path.
    expect(planRoute('https://shop.example.com/health')).toMatchObject({ ok: false, problem: { kind: 'bad-path', message: expect.stringContaining('/health') } });
  });

  it('refuses a route that would catch the receiving page too (deliveries would loop back)', () => {
    const origin = 'https://shop.example.com/pay/alipay_notify.asp_origin.asp';
    expect(planRoute('https://shop.example.com/pay/alipay_notify.asp?x=1', { originUrl: origin })).toEqual({
      ok: false,
      problem: { kind: 'covers-origin', originUrl: origin },
    });
    // Without the *, the same page is not covered.
    expect(planRoute('https://shop.example.com/pay/alipay_notify.asp', { originUrl: origin }).ok).toBe(true);
  });

  it('takes the zone when given', () => {
    const result = planRoute('https://pay.shop.example.co.uk/n.asp', { zoneName: 'shop.example.co.uk' });
    expect(result.ok && result.plan.zoneName).toBe('shop.example.co.uk');
  });
});

describe('routeCovers (Cloudflare route matching)', () => {
  it.each([
    ['shop.example.com/pay/n.asp', 'https://shop.example.com/pay/n.asp', true],
    ['shop.example.com/pay/n.asp', 'http://shop.example.com/pay/n.asp', true],
    ['shop.example.com/pay/n.asp', 'https://shop.example.com/pay/n.asp?x=1', false],
    ['shop.example.com/pay/n.asp*', 'https://shop.example.com/pay/n.asp?x=1', true],
    ['shop.example.com/pay/n.asp*', 'https://shop.example.com/pay/n.aspx', true],
    ['shop.example.com/pay/n.asp*', 'https://shop.example.com/pay/n_origin.asp', false],
    ['shop.example.com/pay/n.asp', 'https://SHOP.example.com/pay/n.asp', true],
    ['shop.example.com/pay/n.asp', 'https://shop.example.com/Pay/n.asp', false],
    ['*.example.com/*', 'https://shop.example.com/a', true],
    ['*.example.com/*', 'https://example.com/a', false],
    ['*example.com/*', 'https://example.com/a', true],
    ['https://shop.example.com/*', 'https://origin.example.com/a', false],
  ])('%s covers %s: %s', (pattern, url, covered) => {
    expect(routeCovers(pattern, url)).toBe(covered);
  });
});

describe('guessZoneName', () => {
  it.each([
    ['shop.example.com', 'example.com'],
    ['example.com', 'example.com'],
    ['www.shop.com.cn', 'shop.com.cn'],
    ['a.b.shop.co.uk', 'shop.co.uk'],
    ['pay.shop.cn', 'shop.cn'],
  ])('%s -> %s', (host, zone) => {
    expect(guessZoneName(host)).toBe(zone);
  });
});

describe('hostInZone', () => {
  it('the zone itself and names under it; not a name that merely ends with the same letters', () => {
    expect(hostInZone('example.com', 'example.com')).toBe(true);
    expect(hostInZone('shop.example.com', 'example.com')).toBe(true);
    expect(hostInZone('Shop.Example.COM.', 'example.com')).toBe(true);
    expect(hostInZone('myexample.com', 'example.com')).toBe(false);
    expect(hostInZone('shop.myexample.com', 'example.com')).toBe(false);
    expect(hostInZone('example.com', 'shop.example.com')).toBe(false);
    expect(hostInZone('example.com', '')).toBe(false);
  });
});
