// Which Durable Object owns a notification. One object per order serialises everything about
// that order (the lock), and spreads unrelated orders across Cloudflare's network.
import type { Notification } from '../alipay/types';

type OrderKeyResult =
  | { ok: true; key: string; app: string; outTradeNo: string | null; notifyId: string }
  | { ok: false; reason: 'missing-field'; hint: string };

/**
 * `<app_id or seller_id>:<out_trade_no>`. Messages about no trade (app-gateway messages such as
 * servicemarket orders) have no out_trade_no: they get an object of their own,
 * `<app>#notify:<notify_id>`; `#` never occurs in an Alipay id, so the two forms cannot collide.
 */
export function orderKeyFor(n: Notification): OrderKeyResult {
  const app = n.appId ?? n.sellerId;
  if (app === null) return { ok: false, reason: 'missing-field', hint: 'the notification has neither app_id nor seller_id' };
  if (n.notifyId === null) {
    return { ok: false, reason: 'missing-field', hint: 'the notification has no notify_id, so re-sends could not be recognised' };
  }
  if (n.outTradeNo !== null) return { ok: true, key: orderKey(app, n.outTradeNo), app, outTradeNo: n.outTradeNo, notifyId: n.notifyId };
  return { ok: true, key: messageKey(app, n.notifyId), app, outTradeNo: null, notifyId: n.notifyId };
}

export function orderKey(app: string, outTradeNo: string): string {
  return `${app}:${outTradeNo}`;
}

const MESSAGE_MARK = '#notify:';

export function messageKey(app: string, notifyId: string): string {
  return `${app}${MESSAGE_MARK}${notifyId}`;
}

/** The admin API path of a key made by orderKey or messageKey (app ids never hold ":" or "#"). */
export function adminPathOf(key: string): string {
  const mark = key.indexOf(MESSAGE_MARK);
  if (mark >= 0) return `/admin/messages/${key.slice(0, mark)}/${encodeURIComponent(key.slice(mark + MESSAGE_MARK.length))}`;
  const colon = key.indexOf(':');
  return `/admin/orders/${key.slice(0, colon)}/${encodeURIComponent(key.slice(colon + 1))}`;
}
