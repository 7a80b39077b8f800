// Which Durable Object owns a notification, and how the admin API names it. One object per order
// serialises everything about that order (the lock), and spreads unrelated orders across
// Cloudflare's network. Every order the gateway acknowledges must stay reachable by the admin API,
// so the ids it keys on are bounded here and survive a trip through a URL path (idSegment).
import { MAX_NOTIFY_ID_CHARS, MAX_OUT_TRADE_NO_CHARS } from '../alipay/fields';
import type { Notification } from '../alipay/types';

// The core's format check (src/alipay/fields.ts) already refuses longer ids; the check here keeps
// "acknowledged means addressable" true whatever that check becomes.
export { MAX_NOTIFY_ID_CHARS, MAX_OUT_TRADE_NO_CHARS };

type OrderKeyResult =
  | { ok: true; key: string; app: string; outTradeNo: string | null; notifyId: string }
  | { ok: false; reason: OrderKeyProblem; field: string; hint: string };

export type OrderKeyProblem = 'missing-field' | 'invalid-field';

/** Characters as Alipay counts them (code points, not UTF-16 units). */
export function idLength(id: string): number {
  let n = 0;
  for (const _ of id) n += 1;
  return n;
}

/**
 * `<app_id or seller_id>:<out_trade_no>`. Messages about no trade (app-gateway messages such as
 * servicemarket orders) have no out_trade_no: they get an object of their own,
 * `<app>#notify:<notify_id>`; app ids hold neither ":" nor "#", so the two forms cannot collide.
 */
export function orderKeyFor(n: Notification): OrderKeyResult {
  const app = n.appId ?? n.sellerId;
  if (app === null) return { ok: false, reason: 'missing-field', field: 'app_id', hint: 'the notification has neither app_id nor seller_id' };
  if (n.notifyId === null) {
    return { ok: false, reason: 'missing-field', field: 'notify_id', hint: 'the notification has no notify_id, so re-sends could not be recognised' };
  }
  if (n.outTradeNo !== null) {
    if (idLength(n.outTradeNo) > MAX_OUT_TRADE_NO_CHARS) return tooLong('out_trade_no', MAX_OUT_TRADE_NO_CHARS);
    return { ok: true, key: orderKey(app, n.outTradeNo), app, outTradeNo: n.outTradeNo, notifyId: n.notifyId };
  }
  if (idLength(n.notifyId) > MAX_NOTIFY_ID_CHARS) return tooLong('notify_id', MAX_NOTIFY_ID_CHARS);
  return { ok: true, key: messageKey(app, n.notifyId), app, outTradeNo: null, notifyId: n.notifyId };
}

function tooLong(field: string, max: number): OrderKeyResult {
  return { ok: false, reason: 'invalid-field', field, hint: `${field} is longer than ${max} characters, Alipay's documented limit` };
}

export function orderKey(app: string, outTradeNo: string): string {
  return `${app}:${outTradeNo}`;
}

const MESSAGE_MARK = '#notify:';

export function messageKey(app: string, notifyId: string): string {
  return `${app}${MESSAGE_MARK}${notifyId}`;
}

// ---- ids in admin URLs ------------------------------------------------------

/** Marks an escaped segment; it never starts a percent-encoded id otherwise (idSegment escapes a leading one). */
const ESCAPE = '~';

/**
 * An id as one admin URL path segment, so that idFromSegment gives back exactly the id, whatever
 * the URL parsers on the way do. Percent-encoding keeps `/`, `?`, `#`, `%` and spaces inside the
 * segment. But every WHATWG URL parser (the client's, wrangler's proxy, workerd) resolves `.` and
 * `..` segments, also when written `%2E`, `.%2e` or `%2E%2E`, before the gateway sees the path,
 * and an empty segment does not match a route: those ids, and ids that start with `~`, get a
 * leading `~`, which idFromSegment strips.
 */
export function idSegment(id: string): string {
  const escape = id === '' || id === '.' || id === '..' || id.startsWith(ESCAPE);
  return encodeURIComponent(escape ? `${ESCAPE}${id}` : id);
}

/** The id an idSegment names; null when the segment is not valid percent-encoded UTF-8. */
export function idFromSegment(segment: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return decoded.startsWith(ESCAPE) ? decoded.slice(ESCAPE.length) : decoded;
}

/** The admin API path of a key made by orderKey or messageKey. */
export function adminPathOf(key: string): string {
  // App ids hold neither ":" nor "#": the first of them ends the app and tells the two forms apart.
  const end = key.search(/[:#]/);
  if (end < 0) return `/admin/orders/${idSegment(key)}`;
  const app = idSegment(key.slice(0, end));
  if (key.startsWith(MESSAGE_MARK, end)) return `/admin/messages/${app}/${idSegment(key.slice(end + MESSAGE_MARK.length))}`;
  return `/admin/orders/${app}/${idSegment(key.slice(end + 1))}`;
}
