// The demo origin's sample "thank you" page: GET /thank-you?out_trade_no=...[&lang=en] shows the
// order with the gateway's live payment status widget (status-link.mjs). A real shop renders this
// on its return page, and signs only the order of the visitor's own session; the demo signs
// whatever order is asked for, since it has no sessions.
import { signStatusLink, thankYouPage } from './status-link.mjs';

// Alipay's out_trade_no: up to 64 letters, digits and underscores (the simulator also uses '-').
const OUT_TRADE_NO = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {import('./origin.d.mts').StatusPageOptions} options
 */
export function serveThankYou(req, res, options) {
  const url = new URL(req.url ?? '/', 'http://origin.invalid');
  if (url.pathname !== '/thank-you') return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  const outTradeNo = url.searchParams.get('out_trade_no') ?? '';
  if (!OUT_TRADE_NO.test(outTradeNo)) return send(res, 400, 'text/plain; charset=utf-8', 'out_trade_no is missing or malformed');
  const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'zh';
  const link = signStatusLink({ secret: options.secret, appId: options.appId, outTradeNo });
  return send(res, 200, 'text/html; charset=utf-8', thankYouPage({ gatewayUrl: options.gatewayUrl, link, lang }));
}

function send(res, status, contentType, body) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
