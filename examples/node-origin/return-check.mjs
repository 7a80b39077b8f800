// Checking the gateway's verdict on a return_url redirect (GET /alipay/return, ORIGIN_RETURN_URL).
//
// The gateway checked Alipay's signature on the buyer's return query and redirected the browser
// to your return page with that query unchanged, followed by
//   gw_verified=1|0 [&gw_reason=<reason>] &gw_ts=<Unix seconds> &gw_sig=<base64url HMAC-SHA256>
// signed with the first FORWARD_SECRET entry over
//   "gw-return-v1" LF <query before "&gw_verified="> LF <verified> LF <reason or ""> LF <ts>
//
// A return is only for what the buyer SEES ("thank you, we are confirming your payment"). Never
// credit an order from it: a buyer can replay or share the URL. Only the webhook credits orders.
//
// WebCrypto only (Node 18+, browsers, Workers): copy the file, no dependency needed.

const CONTEXT = 'gw-return-v1';
const TRAILER = 'gw_verified=';
const DEFAULT_TOLERANCE_SECONDS = 10 * 60; // the browser follows the redirect at once

/**
 * @param {string} query the raw query string your page received, without "?"
 *   (Node: `req.url.slice(req.url.indexOf('?') + 1)`; never a re-serialized URLSearchParams)
 * @param {string} secrets FORWARD_SECRET: one `whsec_` secret, or several separated by spaces
 * @param {{ nowSeconds?: number, toleranceSeconds?: number }} [options]
 * @returns {Promise<import('./return-check.d.mts').ReturnVerdict>}
 */
export async function checkReturn(query, secrets, options = {}) {
  const { nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = options;
  const at = query.lastIndexOf(TRAILER);
  if (at < 0 || (at > 0 && query[at - 1] !== '&')) return { ok: false, reason: 'not-from-gateway' };
  const covered = at === 0 ? '' : query.slice(0, at - 1);
  const trailer = new URLSearchParams(query.slice(at));
  const verified = trailer.get('gw_verified');
  const reason = trailer.get('gw_reason') ?? '';
  const ts = trailer.get('gw_ts') ?? '';
  const sig = trailer.get('gw_sig') ?? '';
  if ((verified !== '1' && verified !== '0') || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'not-from-gateway' };
  if (Math.abs(nowSeconds - Number(ts)) > toleranceSeconds) return { ok: false, reason: 'expired' };

  const canonical = [CONTEXT, covered, verified, verified === '1' ? '' : reason, ts].join('\n');
  let matched = false;
  for (const secret of secrets.trim().split(/\s+/)) {
    if (!secret.startsWith('whsec_')) continue;
    const expected = await hmacBase64Url(Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0)), canonical);
    if (constantTimeEqual(expected, sig)) matched = true; // look at every secret, never stop early
  }
  if (!matched) return { ok: false, reason: 'signature-mismatch' };
  // The verdict is the gateway's. `params` (the return's own parameters, covered by gw_sig) are
  // for display only: look the order up in your database for its real state.
  const params = new URLSearchParams(covered);
  return verified === '1' ? { ok: true, verified: true, params } : { ok: true, verified: false, reason, params };
}

async function hmacBase64Url(key, text) {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...mac)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
