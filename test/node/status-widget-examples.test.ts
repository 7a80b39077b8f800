// The examples that mint status-widget links (examples/node-origin/status-link.mjs, and the demo
// origin's "thank you" page): the signature is checked here with WebCrypto, independently of the
// example's node:crypto and of the gateway.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../../examples/node-origin/origin.mjs';
import { signStatusLink, statusWidgetHtml } from '../../examples/node-origin/status-link.mjs';

const STATUS_SECRET = 'test-only-status-secret-0123456789abcdef';
const FORWARD_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

async function expectedSig(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('status link (examples/node-origin/status-link.mjs)', () => {
  it('signs app_id.out_trade_no.exp with STATUS_SECRET, lowercase hex', async () => {
    const link = signStatusLink({ secret: STATUS_SECRET, appId: '2021000000000001', outTradeNo: '订单-1', ttlSeconds: 600, nowSeconds: 1_800_000_000 });
    expect(link.exp).toBe(1_800_000_600);
    expect(link.sig).toMatch(/^[0-9a-f]{64}$/);
    expect(link.sig).toBe(await expectedSig(STATUS_SECRET, '2021000000000001.订单-1.1800000600'));
  });

  it('the markup escapes what it embeds and loads the widget from the gateway', () => {
    const link = signStatusLink({ secret: STATUS_SECRET, appId: '2021000000000001', outTradeNo: 'A"><script>x</script>' });
    const html = statusWidgetHtml({ gatewayUrl: 'https://gw.example.com/', link, lang: 'en' });
    expect(html).not.toContain('<script>x');
    expect(html).toContain('data-out-trade-no="A&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(html).toContain('<script src="https://gw.example.com/alipay/status.js" async></script>');
    expect(html).toContain('data-lang="en"');
  });

  it('refuses to sign without a secret', () => {
    expect(() => signStatusLink({ secret: '', appId: 'a', outTradeNo: 'b' })).toThrow(/STATUS_SECRET/);
    expect(() => signStatusLink({ secret: ' \n', appId: 'a', outTradeNo: 'b' })).toThrow(/STATUS_SECRET/);
  });

  it('trims STATUS_SECRET, as the gateway trims it', async () => {
    const link = signStatusLink({ secret: `\t${STATUS_SECRET}\r\n`, appId: '2021000000000001', outTradeNo: 'T-1', nowSeconds: 1_800_000_000, ttlSeconds: 0 });
    expect(link.sig).toBe(await expectedSig(STATUS_SECRET, '2021000000000001.T-1.1800000000'));
  });
});

describe('the demo origin\'s thank-you page', () => {
  let origin: RunningOrigin;
  beforeEach(async () => {
    origin = await startOrigin({
      port: 0,
      secret: FORWARD_SECRET,
      log: null,
      statusPage: { secret: STATUS_SECRET, appId: '2021000000000001', gatewayUrl: 'http://127.0.0.1:8787' },
    });
  });
  afterEach(() => origin.close());

  it('GET /thank-you?out_trade_no= shows the order with a correctly signed widget element', async () => {
    const response = await fetch(`${origin.url}thank-you?out_trade_no=T-42&lang=en`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    const exp = /data-exp="(\d+)"/.exec(html)![1]!;
    const sig = /data-sig="([0-9a-f]+)"/.exec(html)![1]!;
    expect(Number(exp)).toBeGreaterThan(Date.now() / 1000);
    expect(sig).toBe(await expectedSig(STATUS_SECRET, `2021000000000001.T-42.${exp}`));
    expect(html).toContain('<script src="http://127.0.0.1:8787/alipay/status.js" async></script>');
    expect(html).not.toContain(STATUS_SECRET);
  });

  it('refuses a missing or malformed out_trade_no, and other paths', async () => {
    expect((await fetch(`${origin.url}thank-you`)).status).toBe(400);
    expect((await fetch(`${origin.url}thank-you?out_trade_no=${encodeURIComponent('<x>')}`)).status).toBe(400);
    // Any other path is a delivery address: a browser's GET is told so (test/node/node-origin.test.ts).
    expect((await fetch(`${origin.url}other`)).status).toBe(405);
  });

  it('without statusPage there is no thank-you page, and the answer says what it needs', async () => {
    const plain = await startOrigin({ port: 0, secret: FORWARD_SECRET, log: null });
    try {
      const answer = await fetch(`${plain.url}thank-you?out_trade_no=T-42`);
      expect(answer.status).toBe(404);
      expect(await answer.text()).toContain('needs STATUS_SECRET');
    } finally {
      await plain.close();
    }
  });
});

describe('the test vector printed in the ASP, ASP.NET and Node examples', () => {
  it('is what the gateway\'s rule gives', async () => {
    const vector = '3f40757e22ebbfe43e18e24867c302964ad0241073e3efb8d1a9d5082b874dce';
    expect(await expectedSig('status-secret-example-0123456789abcdef', '2021000000000000.DEMO-20260501-0001.1777600000')).toBe(vector);
    const { readFileSync } = await import('node:fs');
    for (const file of ['examples/classic-asp/status_widget.asp', 'examples/aspnet/AlipayStatusWidget.cs', 'examples/node-origin/README.md']) {
      expect(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'), file).toContain(vector);
    }
  });
});
