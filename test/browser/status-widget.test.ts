// The drop-in status widget (/alipay/status.js) on a merchant's page, in Chromium: the demo
// origin's "thank you" page flips from waiting to paid without a reload as soon as the gateway
// records the notification; a link with a wrong or expired signature shows nothing. A page on the
// gateway's own origin gets live updates without being listed in STATUS_ALLOWED_ORIGINS.
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../support/notifications';
import { freePort, getWithin } from '../e2e/harness';
import { launchBrowser, newContext, pay, screenshot, stack, visit } from './browser';

/** The live-update promise: paid shows within this long of the gateway's `success` to Alipay. */
const LIVE_WITHIN_MS = 1_000;
const WIDGET = '[data-alipay-status]';

function sign(appId: string, outTradeNo: string, exp: number, secret = stack().statusSecret): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${appId}.${outTradeNo}.${exp}`).digest('hex');
}

/**
 * A merchant page with one widget element, exactly as the README writes it (`head`: extra markup,
 * e.g. a CSP; `scriptBase`: where status.js is loaded from, the gateway by default).
 */
function merchantPage(attributes: { outTradeNo: string; exp: number; sig: string; lang?: string; head?: string; scriptBase?: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>shop</title>${attributes.head ?? ''}</head><body>
<p>Payment status: <span data-alipay-status data-app-id="${stack().appId}" data-out-trade-no="${attributes.outTradeNo}"
 data-exp="${attributes.exp}" data-sig="${attributes.sig}" data-lang="${attributes.lang ?? 'en'}"></span></p>
<script src="${attributes.scriptBase ?? stack().gatewayUrl}/alipay/status.js" async></script>
</body></html>`;
}

// Pages with forged links, served from 127.0.0.1 like any merchant page (see merchantPagePort).
const pages = new Map<string, string>();
let pageServer: Server | undefined;

function startPageServer(): Promise<void> {
  pageServer = createServer((req, res) => {
    const html = pages.get(req.url ?? '');
    res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  return new Promise((resolve, reject) => {
    pageServer!.once('error', reject);
    pageServer!.listen(stack().merchantPagePort, '127.0.0.1', () => resolve());
  });
}

/**
 * A site the gateway sits in front of, as when the merchant routes the Worker on the shop's own
 * host: this server answers the pages in `pages` itself and passes every other request, WebSocket
 * upgrades included, to the gateway with its Host header unchanged. Its port is not in the stack's
 * STATUS_ALLOWED_ORIGINS, so a page it serves is allowed only by being the gateway's own origin.
 */
async function startSameOriginSite(): Promise<{ url: string; close(): Promise<void> }> {
  const gateway = new URL(stack().gatewayUrl);
  const target = { host: gateway.hostname, port: Number(gateway.port) };
  const server = createServer((req, res) => {
    const html = pages.get(req.url ?? '');
    if (html !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(html);
    }
    const upstream = httpRequest({ ...target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const upstream = connect(target.port, target.host, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  // Closing waits for every connection: the upgraded ones too, which only the page's end would close.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${port}`, close };
}

/** Opens a merchant page with this markup; returns the statuses of the status requests it makes. */
async function openForged(page: Page, html: string): Promise<number[]> {
  const statuses: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/alipay/status') statuses.push(response.status());
  });
  const path = `/forged-${uniqueId('p')}`;
  pages.set(path, html);
  await visit(page, `http://127.0.0.1:${stack().merchantPagePort}${path}`);
  return statuses;
}

describe('status widget in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    await startPageServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  });

  it('the thank-you page flips from waiting to paid without a reload, within a second of the notification', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const order = uniqueId('LIVE');
    const pushed = new Promise<void>((resolve) => {
      page.on('websocket', (socket) => socket.on('framereceived', () => resolve()));
    });
    await visit(page, `${stack().demoOriginUrl}thank-you?out_trade_no=${order}&lang=en`);
    const widget = page.locator(WIDGET);
    await expect.poll(() => widget.textContent(), { timeout: 15_000 }).toBe('Waiting for payment…');
    await pushed; // the live connection is up (its first message is the status it shows)
    await screenshot(page, '08-widget-waiting');
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

    await pay({ out_trade_no: order, total_amount: '88.88' });
    const answered = Date.now();
    await page.locator(`${WIDGET}[data-state="paid"]`).waitFor({ timeout: LIVE_WITHIN_MS });
    const shownAfterMs = Date.now() - answered;
    expect(shownAfterMs).toBeLessThanOrEqual(LIVE_WITHIN_MS);
    expect(await widget.textContent()).toBe('Paid ✓ ¥88.88');
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await screenshot(page, '09-widget-paid');

    // Chinese by default (the demo page's lang), for an order already paid: shown at once.
    await visit(page, `${stack().demoOriginUrl}thank-you?out_trade_no=${order}`);
    await expect.poll(() => widget.textContent(), { timeout: 10_000 }).toBe('已支付 ✓ ¥88.88');
    await context.close();
  });

  it('a page on the gateway\'s own origin gets live updates (not polling) without STATUS_ALLOWED_ORIGINS listing it', async () => {
    const site = await startSameOriginSite();
    try {
      const context = await newContext(browser);
      const page = await context.newPage();
      const polls: string[] = [];
      page.on('request', (request) => {
        if (request.resourceType() !== 'websocket' && new URL(request.url()).pathname === '/alipay/status') polls.push(request.url());
      });
      let frames = 0;
      page.on('websocket', (socket) => socket.on('framereceived', () => (frames += 1)));
      const order = uniqueId('SAME');
      const exp = Math.floor(Date.now() / 1000) + 600;
      const path = `/thank-you-${order}`;
      pages.set(path, merchantPage({ outTradeNo: order, exp, sig: sign(stack().appId, order, exp), scriptBase: site.url }));
      await visit(page, `${site.url}${path}`);
      await expect.poll(() => page.locator(WIDGET).textContent(), { timeout: 15_000 }).toBe('Waiting for payment…');
      await expect.poll(() => frames, { timeout: 10_000, message: 'the status came over the live socket' }).toBeGreaterThan(0);

      await pay({ out_trade_no: order, total_amount: '7.00' });
      await page.locator(`${WIDGET}[data-state="paid"]`).waitFor({ timeout: LIVE_WITHIN_MS });
      expect(await page.locator(WIDGET).textContent()).toBe('Paid ✓ ¥7.00');
      expect(polls).toEqual([]); // the socket was accepted: the widget never fell back to asking
      await context.close();
    } finally {
      await site.close();
    }
  });

  it('falls back to polling when the WebSocket cannot connect', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    // As behind a proxy that does not pass WebSockets: the page's WebSocket cannot be made.
    await page.addInitScript(() => {
      (globalThis as unknown as { WebSocket: unknown }).WebSocket = function () {
        throw new Error('blocked');
      };
    });
    const order = uniqueId('POLL');
    await visit(page, `${stack().demoOriginUrl}thank-you?out_trade_no=${order}&lang=en`);
    const widget = page.locator(WIDGET);
    await expect.poll(() => widget.textContent(), { timeout: 15_000 }).toBe('Waiting for payment…');
    await pay({ out_trade_no: order, total_amount: '5.00' });
    await expect.poll(() => widget.textContent(), { timeout: 20_000 }).toBe('Paid ✓ ¥5.00');
    await context.close();
  });

  it('a page whose CSP blocks the WebSocket (connect-src names the gateway over http only) still gets paid, by polling', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const order = uniqueId('CSP');
    const exp = Math.floor(Date.now() / 1000) + 600;
    const csp = `<meta http-equiv="Content-Security-Policy" content="connect-src ${stack().gatewayUrl}">`;
    const statuses = await openForged(page, merchantPage({ outTradeNo: order, exp, sig: sign(stack().appId, order, exp), head: csp }));
    await expect.poll(() => statuses, { timeout: 15_000 }).toContain(200);
    await pay({ out_trade_no: order, total_amount: '6.00' });
    await expect.poll(() => page.locator(WIDGET).textContent(), { timeout: 20_000 }).toBe('Paid ✓ ¥6.00');
    await context.close();
  });

  it('a wrong signature shows nothing (the gateway refuses the link)', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const order = uniqueId('WRONG');
    await pay({ out_trade_no: order, total_amount: '3.00' });
    const exp = Math.floor(Date.now() / 1000) + 600;
    const good = sign(stack().appId, order, exp);
    const wrong = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    const statuses = await openForged(page, merchantPage({ outTradeNo: order, exp, sig: wrong }));
    await expect.poll(() => statuses, { timeout: 15_000 }).toContain(403);
    await page.waitForTimeout(1_000);
    expect(await page.locator(WIDGET).textContent()).toBe('');
    expect(await page.locator(WIDGET).getAttribute('data-state')).toBeNull();
    expect(await page.locator(WIDGET).getAttribute('data-link')).toBe('refused'); // the page may mint a new link
    // Signed with another secret: the same.
    const other = await openForged(await context.newPage(), merchantPage({ outTradeNo: order, exp, sig: sign(stack().appId, order, exp, 'another-secret-another-secret-0123456789') }));
    await expect.poll(() => other, { timeout: 15_000 }).toContain(403);
    await context.close();
  });

  it('an expired link shows nothing, even correctly signed', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const order = uniqueId('EXPIRED');
    await pay({ out_trade_no: order, total_amount: '4.00' });
    const exp = Math.floor(Date.now() / 1000) - 5;
    const sig = sign(stack().appId, order, exp);
    const direct = await getWithin(`${stack().gatewayUrl}/alipay/status?app_id=${stack().appId}&out_trade_no=${order}&exp=${exp}&sig=${sig}`);
    expect(direct.status).toBe(403);
    await openForged(page, merchantPage({ outTradeNo: order, exp, sig }));
    await page.waitForTimeout(2_000);
    expect(await page.locator(WIDGET).textContent()).toBe('');
    await context.close();
  });
});
