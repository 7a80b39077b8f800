// The pieces of `npm start` (scripts/dev.mjs) that need no running gateway: what it shows of
// wrangler's output, its banner, and its settings. The whole launcher is run by hand on a fresh
// clone (README); `npm run dev:worker` is started for real in test/e2e/dev-worker.test.ts.
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_PLACEHOLDER, adminCurl, isLocalGateway } from '../../cli/admin-curl';
import { DEV_GATEWAY_PORT } from '../../cli/dev-config';
import { bannerLines, consoleRows, demoOrderId, thankYouRow } from '../../scripts/banner.mjs';
import { createWranglerOutputFilter } from '../../scripts/wrangler-output.mjs';
import { portFromEnv, wranglerDevArgs } from '../../scripts/wrangler.mjs';

// wrangler 4.86's output (piped, as npm start reads it) for one delivery attempt to an https
// ORIGIN_URL whose host does not resolve; stacks shortened. Three traces, the gateway's line, and
// the Uncaught twin of the second trace.
const RED = '\x1b[31m✘ \x1b[41;31m[\x1b[41;97mERROR\x1b[41;31m]\x1b[0m \x1b[1m';
const DNS_TRACE =
  'e = kj/async-io-unix.c++:1298: failed: DNS lookup failed.; params.host = shop.example; params.service = ; gai_strerror(status) = Name or service not known\x1b[0m';
const stack = (id: string) => `  stack: /x/node_modules/@cloudflare/workerd-linux-64/bin/workerd@51f50be /x/workerd@2fa2d76; sentryErrorContext = jsgInternalError; wdErrId = ${id}`;
const GATEWAY_LINE = '{"level":"warn","msg":"delivery attempt","outcome":"network-error","error":"DNS lookup or TLS handshake failed for shop.example:443: ..."}';
const ONE_DNS_ATTEMPT = [
  `${RED}${DNS_TRACE}`, '', stack('8pcasg1v6b2ivhopuruutl42'), '', '',
  `${RED}${DNS_TRACE}`, '', stack('9jkd5rhm76ahqqa106g80luq'), '', '',
  `${RED}${DNS_TRACE}`, '', stack('7aatpk41mshunsf9tfr6n235'), '', '',
  GATEWAY_LINE,
  `${RED}Uncaught Error: internal error; reference = 9jkd5rhm76ahqqa106g80luq \x1b[0m`, '', '',
];
const TLS_TRACE = `${RED}e = kj/compat/tls.c++:82: failed: OpenSSL error; message = error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER\x1b[0m`;

function run(lines: string[]): string[] {
  const filter = createWranglerOutputFilter();
  return lines.flatMap((line) => filter.push(line));
}

describe("what npm start shows of wrangler's output", () => {
  it('turns the traces of a failed DNS lookup into one line per attempt, before the gateway line', () => {
    const shown = run([...ONE_DNS_ATTEMPT, ...ONE_DNS_ATTEMPT]);
    const summary = 'workerd: DNS lookup failed for shop.example (its stack traces are hidden here; `npm run dev:worker` shows them)';
    expect(shown).toEqual([summary, GATEWAY_LINE, summary, GATEWAY_LINE]);
  });

  it('does the same for a failed TLS handshake', () => {
    const shown = run([TLS_TRACE, '', stack('a1'), '', TLS_TRACE, '', stack('a2'), '', GATEWAY_LINE, `${RED}Uncaught Error: internal error; reference = a2 \x1b[0m`]);
    expect(shown).toEqual(['workerd: TLS handshake failed (WRONG_VERSION_NUMBER) (its stack traces are hidden here; `npm run dev:worker` shows them)', GATEWAY_LINE]);
  });

  it('passes everything else through untouched, other errors and blank lines included', () => {
    const other = [
      '[wrangler:info] Ready on http://127.0.0.1:8787',
      '',
      `${RED}Uncaught Error: internal error; reference = not-a-hidden-trace \x1b[0m`,
      `${RED}e = kj/something.c++:1: failed: some other internal problem\x1b[0m`,
      '  stack: /x/workerd@1; wdErrId = zz',
      '{"level":"info","msg":"notification"}',
    ];
    expect(run(other)).toEqual(other);
  });
});

describe('the banner', () => {
  const rows = [
    { label: 'gateway', value: 'http://127.0.0.1:8787', note: 'wrangler dev' },
    { label: 'notify URL', value: 'http://127.0.0.1:8787/alipay/notify', indent: true },
    { label: 'demo origin', value: 'http://127.0.0.1:8788/alipay/notify' },
  ];
  const tryIt = {
    simulate: 'npx alipay-notify-edge simulate --to http://127.0.0.1:8787/alipay/notify --order DEMO-20260426120000',
    curl: 'curl -H "Authorization: Bearer t0ken" http://127.0.0.1:8787/admin/orders/2021000000000000/DEMO-20260426120000',
    demoOrigin: true,
  };
  const checkCommand = 'npx alipay-notify-edge check http://127.0.0.1:8787';

  it('when healthy, offers the simulate command and the admin curl for the same order', () => {
    const text = bannerLines({ rows, healthLines: ['healthy: http://127.0.0.1:8787/health'], healthy: true, tryIt, checkCommand }).join('\n');
    expect(text).toContain(`       ${tryIt.simulate}\n`);
    expect(text).toContain(`       ${tryIt.curl}\n`);
    expect(text.indexOf(tryIt.simulate)).toBeLessThan(text.indexOf(tryIt.curl));
    expect(text).toContain('  gateway       http://127.0.0.1:8787  (wrangler dev)');
    expect(text).toContain('    notify URL  http://127.0.0.1:8787/alipay/notify');
  });

  it('when not healthy, offers no simulate command, only how to fix and check', () => {
    const healthLines = ['NOT healthy: http://127.0.0.1:8787/health answered 503 with 1 configuration problem.', '- ORIGIN_URL: is required'];
    const text = bannerLines({ rows, healthLines, healthy: false, tryIt, checkCommand }).join('\n');
    expect(text).not.toContain('simulate');
    expect(text).not.toContain('curl');
    expect(text).toContain('The gateway is NOT healthy');
    expect(text).toContain(`  ${checkCommand}`);
    expect(text).toContain('  - ORIGIN_URL: is required');
  });

  it('says how to turn the admin API on when it is off', () => {
    const text = bannerLines({ rows, healthLines: [], healthy: true, tryIt: { ...tryIt, curl: null }, checkCommand }).join('\n');
    expect(text).toContain('the admin API is off: add ADMIN_TOKEN to .dev.vars');
  });

  it('with the Alipay stand-in running, offers a lost notification as step 3; without it, not', () => {
    const lost = 'npx alipay-notify-edge simulate --to http://127.0.0.1:8787/alipay/notify --lost --order DEMO-20260426120000-LOST';
    const text = bannerLines({ rows, healthLines: [], healthy: true, tryIt: { ...tryIt, lost }, checkCommand }).join('\n');
    expect(text).toContain('  3. A payment whose notification never arrives');
    expect(text).toContain(`       ${lost}\n`);
    expect(bannerLines({ rows, healthLines: [], healthy: true, tryIt, checkCommand }).join('\n')).not.toContain('--lost');
  });

  it('takes one more service as one more row (e.g. a console URL)', () => {
    const text = bannerLines({ rows: [...rows, { label: 'console', value: 'http://127.0.0.1:8787/admin/' }], healthLines: [], healthy: true, tryIt, checkCommand });
    expect(text).toContain('  console       http://127.0.0.1:8787/admin/');
  });

  it('names a fresh order per start, one simulate accepts', () => {
    expect(demoOrderId(new Date('2026-04-26T12:34:56.789Z'))).toBe('DEMO-20260426123456');
    expect(demoOrderId()).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
  });
});

describe('the admin curl', () => {
  it('is one line that works in sh and cmd.exe, for the order path the admin API serves', () => {
    expect(adminCurl({ gatewayUrl: 'http://127.0.0.1:8787/alipay/notify', appId: '2021000000000000', outTradeNo: 'A 1/2', token: 'abc-_DEF123' })).toBe(
      'curl -H "Authorization: Bearer abc-_DEF123" http://127.0.0.1:8787/admin/orders/2021000000000000/A%201%2F2',
    );
  });

  it('keeps a placeholder for a token that is unknown or unsafe to paste', () => {
    for (const token of [null, 'a"b', 'a%PATH%b', 'a b', 'a!b']) {
      expect(adminCurl({ gatewayUrl: 'http://127.0.0.1:8787', appId: '1', outTradeNo: 'X', token })).toContain(`Bearer ${ADMIN_TOKEN_PLACEHOLDER}"`);
    }
  });

  it('only a gateway on this machine counts as local', () => {
    expect(isLocalGateway('http://127.0.0.1:8787/alipay/notify')).toBe(true);
    expect(isLocalGateway('http://localhost:1')).toBe(true);
    expect(isLocalGateway('https://pay.example.com/alipay/notify')).toBe(false);
    expect(isLocalGateway('not a url')).toBe(false);
  });
});

describe('launcher settings', () => {
  it('reads a port from the environment, with the default when unset', () => {
    expect(portFromEnv('GATEWAY_PORT', DEV_GATEWAY_PORT, {})).toEqual({ ok: true, port: 8787, explicit: false });
    expect(portFromEnv('GATEWAY_PORT', DEV_GATEWAY_PORT, { GATEWAY_PORT: ' ' })).toEqual({ ok: true, port: 8787, explicit: false });
    expect(portFromEnv('GATEWAY_PORT', DEV_GATEWAY_PORT, { GATEWAY_PORT: '9000' })).toEqual({ ok: true, port: 9000, explicit: true });
    for (const bad of ['0', '65536', 'http', '80.5']) {
      expect(portFromEnv('GATEWAY_PORT', DEV_GATEWAY_PORT, { GATEWAY_PORT: bad })).toEqual({
        ok: false,
        message: `GATEWAY_PORT must be a port number (1-65535), not "${bad}"`,
      });
    }
  });

  it('runs wrangler dev on 127.0.0.1 at that port, extra arguments after', () => {
    const args = wranglerDevArgs(9000, ['--log-level', 'debug']);
    expect(args[0]).toMatch(/node_modules[\\/]wrangler[\\/]bin[\\/]wrangler\.js$/);
    expect(args.slice(1)).toEqual(['dev', '--ip', '127.0.0.1', '--port', '9000', '--log-level', 'debug']);
  });
});

describe('the banner: console and thank-you page', () => {
  it('names the console, and a one-click sign-in whose token travels only in the fragment', () => {
    const rows = consoleRows({ gatewayUrl: 'http://127.0.0.1:8787', adminToken: 'abc-_DEF123', loopback: true });
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ['console', 'http://127.0.0.1:8787/admin/'],
      ['sign in', 'http://127.0.0.1:8787/admin/session#token=abc-_DEF123'],
    ]);
    const link = new URL(rows[1]!.value);
    expect(link.pathname + link.search).toBe('/admin/session'); // what a server (or its log) could ever see
  });

  it('no sign-in link for a gateway that is not on this machine, no console without a token', () => {
    expect(consoleRows({ gatewayUrl: 'https://gw.example.com', adminToken: 'abc-_DEF123', loopback: false }).map((r) => r.label)).toEqual(['console']);
    expect(consoleRows({ gatewayUrl: 'http://127.0.0.1:8787', adminToken: undefined, loopback: true })).toEqual([]);
  });

  it('links the demo origin\'s thank-you page for the banner\'s order', () => {
    expect(thankYouRow({ originUrl: 'http://127.0.0.1:8788/', outTradeNo: 'DEMO-20260426120000' }).value).toBe('http://127.0.0.1:8788/thank-you?out_trade_no=DEMO-20260426120000');
  });
});
