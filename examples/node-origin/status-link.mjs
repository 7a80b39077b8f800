// Showing the buyer the live payment status on your own page ("thank you, waiting for
// payment..." that turns into "paid ✓ 88.88" the moment Alipay's notification reaches the
// gateway), with the gateway's drop-in widget: one element and one script tag.
//
// Your page signs which order the buyer may watch, and until when, with STATUS_SECRET (the
// gateway's secret of that name):
//   sig = lowercase hex HMAC-SHA256(key = UTF-8 of STATUS_SECRET, message = app_id "." out_trade_no "." exp)
// exp is a Unix time in seconds. The gateway answers only for a valid, unexpired link, and never
// says anything about the buyer. Sign only orders that belong to the visitor's own session.
import { createHmac } from 'node:crypto';

const DEFAULT_TTL_SECONDS = 2 * 60 * 60; // long enough to pay, short enough that a shared link goes stale

/**
 * @param {{ secret: string, appId: string, outTradeNo: string, ttlSeconds?: number, nowSeconds?: number }} options
 * @returns {{ appId: string, outTradeNo: string, exp: number, sig: string }}
 */
export function signStatusLink({ secret, appId, outTradeNo, ttlSeconds = DEFAULT_TTL_SECONDS, nowSeconds = Math.floor(Date.now() / 1000) }) {
  const key = String(secret ?? '').trim(); // the gateway trims STATUS_SECRET too
  if (!key) throw new Error('signStatusLink: STATUS_SECRET is required');
  const exp = nowSeconds + ttlSeconds;
  const sig = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${appId}.${outTradeNo}.${exp}`, 'utf8').digest('hex');
  return { appId, outTradeNo, exp, sig };
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * The markup to put in your page: the element the widget fills, and the script from the gateway.
 * @param {{ gatewayUrl: string, link: ReturnType<typeof signStatusLink>, lang?: 'zh' | 'en' }} options
 */
export function statusWidgetHtml({ gatewayUrl, link, lang }) {
  const base = gatewayUrl.replace(/\/+$/, '');
  return (
    `<span data-alipay-status data-app-id="${escapeHtml(link.appId)}" data-out-trade-no="${escapeHtml(link.outTradeNo)}"` +
    ` data-exp="${link.exp}" data-sig="${link.sig}"${lang ? ` data-lang="${lang}"` : ''}></span>\n` +
    `<script src="${escapeHtml(base)}/alipay/status.js" async></script>`
  );
}

/**
 * The demo origin's sample "thank you" page (GET /thank-you?out_trade_no=...): what a merchant's
 * return page would show after checkout.
 * @param {{ gatewayUrl: string, link: ReturnType<typeof signStatusLink>, lang?: 'zh' | 'en' }} options
 */
export function thankYouPage({ gatewayUrl, link, lang = 'zh' }) {
  const text =
    lang === 'en'
      ? { title: 'Thank you for your order', order: 'Order', status: 'Payment status' }
      : { title: '感谢您的订购', order: '订单号', status: '支付状态' };
  return `<!doctype html>
<html lang="${lang === 'en' ? 'en' : 'zh-CN'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${text.title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36em; margin: 3em auto; line-height: 1.6">
<h1>${text.title}</h1>
<p>${text.order}: <code>${escapeHtml(link.outTradeNo)}</code></p>
<p>${text.status}: ${statusWidgetHtml({ gatewayUrl, link, lang })}</p>
</body>
</html>
`;
}
