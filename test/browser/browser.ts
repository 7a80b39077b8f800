// Debian's Chromium under playwright-core (Playwright cannot download its own browsers here),
// plus what the browser tests share: the stack, signing in, screenshots, posting notifications.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumPath } from '../../scripts/install-browser.mjs';
import { gatewayClient } from '../e2e/client';
import { originClient } from '../e2e/harness';
import { signedNotification, tradeParams, uniqueId } from '../support/notifications';
import type { BrowserStackInfo } from './stack';

/** Screenshots of every view land here (git-ignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const stack = (): BrowserStackInfo => inject('browserStack');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS });
}

/** A fresh browser profile (cookies, storage) in the given language, Beijing time zone. */
export function newContext(browser: Browser, locale: 'en-US' | 'zh-CN' = 'en-US'): Promise<BrowserContext> {
  return browser.newContext({ locale, timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage });
}

/** How long one navigation may take before it is made again (a page loads in 1-3 s on a busy machine). */
const NAVIGATION_TIMEOUT_MS = 10_000;
const NAVIGATION_ATTEMPTS = 3;

/**
 * page.goto(url), made again when it does not load in time, as a person would reload. wrangler
 * dev's proxy does not answer a GET that meets a connection it lost to the Worker (its
 * ProxyWorker.ts): it puts the GET in a retry queue that only the proxy's next request empties, and
 * a browser waiting on that page sends none. About one full run in 30 lost a test
 * to it (30 s `page.goto` timeouts). The stack now nudges the proxy every second (stack.ts,
 * nudgeProxy), which also frees a page a click navigated to; this stays as the second line. A page
 * the gateway really cannot serve still fails, after three tries.
 */
export async function visit(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url, { timeout: NAVIGATION_TIMEOUT_MS });
      return;
    } catch (error) {
      if (attempt >= NAVIGATION_ATTEMPTS || !(error instanceof Error && error.name === 'TimeoutError')) throw error;
      console.warn(`${url} did not load within ${NAVIGATION_TIMEOUT_MS / 1000} s (attempt ${attempt} of ${NAVIGATION_ATTEMPTS}); loading it again`);
    }
  }
}

/** Signs in through the form, as an operator would; resolves on the console page. */
export async function signIn(page: Page, token = stack().adminToken): Promise<void> {
  await visit(page, `${stack().gatewayUrl}/admin/`);
  await page.waitForURL(/\/admin\/session$/);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(/\/admin\/$/), page.click('button[type=submit]')]);
}

/**
 * Loads the console afresh at `fragment` and waits for its view (`nav`: the view's menu entry). A
 * full load every time: going to the same address with only a new fragment would not fetch again.
 */
export async function openView(page: Page, fragment: string, nav: string): Promise<void> {
  await page.goto('about:blank');
  await visit(page, `${stack().gatewayUrl}/admin/${fragment}`);
  await viewReady(page, nav);
}

/** The route's view has finished loading (app.js marks <body data-ready>). */
export async function viewReady(page: Page, nav: string): Promise<void> {
  await page.locator(`body[data-ready="${nav}"]`).waitFor({ state: 'attached' });
}

/**
 * Runs `action` (a click that leads to another view: a new fragment, or a new page) and waits for
 * the view it leads to. viewReady alone could find the view from before the click, still marked
 * ready: the router re-marks it only after the hashchange, and a new page replaces it only once loaded.
 */
export async function viewAfter(page: Page, nav: string, action: () => Promise<unknown>): Promise<void> {
  // In the page: note any change of data-ready from now on (the router removes it first thing).
  await page.evaluate(`(() => {
    window.__viewWatch = { changed: false };
    new MutationObserver(() => (window.__viewWatch.changed = true)).observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
  })()`);
  await action();
  // A new document has no __viewWatch; the old one must have routed again. Polled with
  // page.evaluate, not page.waitForFunction: Playwright runs the latter's predicate through eval in
  // the page, which the console's CSP (script-src 'self', no 'unsafe-eval') refuses.
  const arrived = `(window.__viewWatch === undefined || window.__viewWatch.changed) && document.body?.dataset.ready === ${JSON.stringify(nav)}`;
  const deadline = Date.now() + VIEW_AFTER_TIMEOUT_MS;
  // While a new document loads there is no context to evaluate in: not arrived yet.
  while (!(await page.evaluate(arrived).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`the view ${nav} did not load within ${VIEW_AFTER_TIMEOUT_MS / 1000} s of the action`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** As long as Playwright's own waits (its default timeout). */
const VIEW_AFTER_TIMEOUT_MS = 30_000;

export interface Payment {
  outTradeNo: string;
  tradeNo: string;
  totalAmount: string;
  cents: number;
  subject: string;
}

/** Posts a signed notification to the gateway as Alipay would (postNotification); throws unless it answered `success`. */
export async function pay(overrides: Record<string, string> = {}): Promise<Payment> {
  const params = tradeParams({ out_trade_no: uniqueId('BR'), ...overrides });
  const { status, body } = await gatewayClient(stack).postNotification(await signedNotification(params));
  if (body !== 'success') throw new Error(`the gateway answered ${status} ${body}`);
  const [whole, fraction = ''] = params['total_amount']!.split('.');
  return {
    outTradeNo: params['out_trade_no']!,
    tradeNo: params['trade_no']!,
    totalAmount: params['total_amount']!,
    cents: Number(whole) * 100 + Number(fraction.padEnd(2, '0')),
    subject: params['subject']!,
  };
}

/** A notification signed correctly and then changed (the amount): the gateway must refuse it (signature-mismatch). */
export async function forgedNotification(): Promise<Uint8Array> {
  const body = new TextDecoder().decode(await signedNotification(tradeParams({ out_trade_no: uniqueId('FORGED'), total_amount: '88.80' })));
  if (!body.includes('total_amount=88.80')) throw new Error('the notification has no total_amount=88.80 to change');
  return new TextEncoder().encode(body.replace('total_amount=88.80', 'total_amount=0.01'));
}

export const origin = () => originClient(stack().originControlUrl);

/** The admin API with the Bearer token (for waiting on the gateway, never for the assertions about the page). */
export async function adminJson<T>(path: string): Promise<T> {
  const { status, text } = await gatewayClient(stack).adminGet(path);
  if (status !== 200) throw new Error(`${path}: ${status} ${text}`);
  return JSON.parse(text) as T;
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
