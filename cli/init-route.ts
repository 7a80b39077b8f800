// The legacy notify URL -> a Cloudflare route over exactly that page, the zone it belongs to and
// the gateway's NOTIFY_PATH; plus what else such a route would catch. Pure: the warnings are
// reasons, the wording is init-i18n.ts's.
//
// Route facts (Cloudflare's "Routes" documentation): a pattern is host + path, `*` is the only
// operator and only at the end (or at the start of the host); matching considers the whole URL
// including the query string, so a pattern without `*` does not match the page with `?...`;
// patterns are case sensitive; without a scheme a pattern matches http and https.

import { parseNotifyPath } from '../src/config/parsers';

export interface RoutePlan {
  /** `shop.example.com/pay/notify.asp`, with a trailing `*` when the URL has a query string. */
  pattern: string;
  zoneName: string;
  notifyPath: string;
  host: string;
  wildcard: boolean;
  warnings: RouteWarning[];
}

export type RouteWarning =
  /** The pattern ends in `*`: every URL that starts with it goes to the gateway (which answers them 404). */
  | { kind: 'wildcard-covers-more'; prefix: string }
  /** Route patterns are case sensitive while IIS is not: Alipay must post to exactly this spelling. */
  | { kind: 'case-sensitive'; path: string }
  /** The old notify URL is plain http: fine for the route, but the receiving page must be https. */
  | { kind: 'plain-http' };

export type RouteProblem =
  | { kind: 'not-a-url' }
  | { kind: 'not-http' }
  | { kind: 'ip-address' }
  | { kind: 'site-root' }
  | { kind: 'bad-path'; message: string }
  /** The receiving page (ORIGIN_URL) would be caught by the route: deliveries would loop back. */
  | { kind: 'covers-origin'; originUrl: string };

export type RoutePlanResult = { ok: true; plan: RoutePlan } | { ok: false; problem: RouteProblem };

// Public suffixes with two labels that Chinese and nearby merchants use; the zone is one label more.
// A guess offered as the default answer, never applied silently (the question shows it).
const TWO_LABEL_SUFFIXES = new Set([
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn', 'ac.cn', 'ah.cn', 'bj.cn', 'sh.cn', 'gd.cn', 'zj.cn', 'js.cn',
  'com.hk', 'net.hk', 'org.hk', 'com.mo', 'com.tw', 'net.tw', 'org.tw', 'com.sg', 'com.my',
  'co.uk', 'org.uk', 'co.jp', 'ne.jp', 'or.jp', 'co.kr', 'com.au', 'net.au', 'co.nz',
]);

/** The zone a host probably belongs to: its registrable domain. */
export function guessZoneName(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const keep = labels.length >= 3 && TWO_LABEL_SUFFIXES.has(labels.slice(-2).join('.')) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Whether `host` is in the zone `zoneName`: the zone itself or a name under it (`myexample.com` is not in `example.com`). */
export function hostInZone(host: string, zoneName: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const zone = zoneName.toLowerCase().replace(/\.$/, '');
  return zone !== '' && (h === zone || h.endsWith(`.${zone}`));
}

export function planRoute(notifyUrl: string, options: { zoneName?: string; originUrl?: string } = {}): RoutePlanResult {
  let url: URL;
  try {
    url = new URL(notifyUrl.trim());
  } catch {
    return { ok: false, problem: { kind: 'not-a-url' } };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: { kind: 'not-http' } };
  const host = url.hostname;
  if (/^[\d.]+$/.test(host) || host.startsWith('[') || !host.includes('.')) return { ok: false, problem: { kind: 'ip-address' } };
  if (url.pathname === '/' || url.pathname === '') return { ok: false, problem: { kind: 'site-root' } };

  let pathMessage = '';
  const notifyPath = parseNotifyPath(url.pathname, (m) => (pathMessage = m));
  if (notifyPath === null) return { ok: false, problem: { kind: 'bad-path', message: pathMessage } };

  const wildcard = url.search !== '';
  const prefix = `${host}${url.pathname}`;
  const pattern = wildcard ? `${prefix}*` : prefix;
  if (options.originUrl !== undefined && routeCovers(pattern, options.originUrl)) {
    return { ok: false, problem: { kind: 'covers-origin', originUrl: options.originUrl } };
  }

  const warnings: RouteWarning[] = [];
  if (wildcard) warnings.push({ kind: 'wildcard-covers-more', prefix });
  if (/[A-Z]/.test(url.pathname)) warnings.push({ kind: 'case-sensitive', path: url.pathname });
  if (url.protocol === 'http:') warnings.push({ kind: 'plain-http' });
  return { ok: true, plan: { pattern, zoneName: options.zoneName ?? guessZoneName(host), notifyPath, host, wildcard, warnings } };
}

/** Whether a route pattern (host/path, `*` only at the end or at the host's start) matches `url`. */
export function routeCovers(pattern: string, url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const withoutScheme = pattern.replace(/^https?:\/\//, '');
  const slash = withoutScheme.indexOf('/');
  const hostPattern = slash === -1 ? withoutScheme : withoutScheme.slice(0, slash);
  const pathPattern = slash === -1 ? '/' : withoutScheme.slice(slash);
  const host = target.hostname.toLowerCase();
  const bare = hostPattern.replace(/^\*\.?/, '').toLowerCase();
  const hostOk = !hostPattern.startsWith('*')
    ? host === bare
    : host.endsWith(`.${bare}`) || (!hostPattern.startsWith('*.') && host === bare);
  if (!hostOk) return false;
  const full = `${target.pathname}${target.search}`;
  return pathPattern.endsWith('*') ? full.startsWith(pathPattern.slice(0, -1)) : full === pathPattern;
}
