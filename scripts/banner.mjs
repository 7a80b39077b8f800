// What `npm start` prints once the local gateway answers: what runs where, the health report,
// and (only when the gateway is healthy) the two commands to try it. Pure: data in, lines out, so
// it is tested without starting anything. A new service (e.g. the operator console) is one more
// row in `rows`. Types: banner.d.mts.

/** Label column aligned; an indented row is a detail of the row above it. */
function formatRows(rows) {
  const width = Math.max(...rows.map((r) => r.label.length + (r.indent ? 2 : 0)));
  return rows.map((r) => {
    const label = `${r.indent ? '  ' : ''}${r.label}`.padEnd(width);
    return `  ${label}  ${r.value}${r.note ? `  (${r.note})` : ''}`;
  });
}

function tryItLines({ simulate, curl, demoOrigin, lost }) {
  return [
    'Try it, from another terminal in this directory:',
    '  1. Send a test payment notification, signed as Alipay signs it:',
    `       ${simulate}`,
    demoOrigin ? '     The demo origin prints the event the gateway forwards to it.' : null,
    '  2. See what the gateway recorded for that order, and how its delivery went:',
    curl === null ? '       (the admin API is off: add ADMIN_TOKEN to .dev.vars and restart to use it)' : `       ${curl}`,
    '  Send 1 again: the gateway answers "success" again and does not deliver the payment twice.',
    ...(lost
      ? [
          '  3. A payment whose notification never arrives (the buyer paid; the notification was lost):',
          `       ${lost}`,
          '     The gateway asks the Alipay stand-in about the order within seconds, finds it paid, and forwards it once.',
        ]
      : []),
  ].filter((line) => line !== null);
}

function unhealthyLines(checkCommand) {
  return [
    'The gateway is NOT healthy, so it would refuse a test notification (see the problems above).',
    'Fix them in .dev.vars, then restart: Ctrl-C and `npm start`. To check again at any time:',
    `  ${checkCommand}`,
  ];
}

/** @param {import('./banner.d.mts').Banner} banner */
export function bannerLines(banner) {
  return [
    '',
    'alipay-notify-edge is running locally:',
    ...formatRows(banner.rows),
    '',
    ...banner.healthLines.map((line) => `  ${line}`),
    '',
    ...(banner.healthy ? tryItLines(banner.tryIt) : unhealthyLines(banner.checkCommand)),
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
}

/**
 * The operator console's rows: its address, and a one-click sign-in for this machine. The link
 * carries ADMIN_TOKEN in its fragment (#token=...), which the browser never sends to any server
 * (no request line, no log); the sign-in page submits it through the ordinary form, and only on a
 * loopback address. So it is printed only for a loopback gateway, and only to this terminal,
 * which can read the token in .dev.vars anyway. Empty when the admin API is off.
 * @param {{ gatewayUrl: string, adminToken: string | null | undefined, loopback: boolean }} options
 * @returns {import('./banner.d.mts').BannerRow[]}
 */
export function consoleRows({ gatewayUrl, adminToken, loopback }) {
  if (!adminToken) return [];
  const base = gatewayUrl.replace(/\/+$/, '');
  const rows = [{ label: 'console', value: `${base}/admin/`, indent: true, note: 'operator console: history, orders, dead letters, health' }];
  if (loopback) {
    rows.push({ label: 'sign in', value: `${base}/admin/session#token=${encodeURIComponent(adminToken)}`, indent: true, note: 'one click, this machine only' });
  }
  return rows;
}

/**
 * The demo origin's sample "thank you" page with the live payment status widget, for an order.
 * @param {{ originUrl: string, outTradeNo: string }} options
 * @returns {import('./banner.d.mts').BannerRow}
 */
export function thankYouRow({ originUrl, outTradeNo }) {
  const page = new URL(`/thank-you?out_trade_no=${encodeURIComponent(outTradeNo)}`, originUrl);
  return { label: 'thank-you page', value: page.href, indent: true, note: 'live payment status for the order below' };
}

/** A fresh order id per `npm start` (stored orders survive restarts in .wrangler/): DEMO-<UTC time>. */
export function demoOrderId(now = new Date()) {
  return `DEMO-${now.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}
