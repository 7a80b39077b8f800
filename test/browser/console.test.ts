// The operator console in Chromium, against the real gateway: sign-in, the history with its
// totals, filters and search, an order's timeline, dead letters redelivered from the page,
// health, and both languages. Payments are posted as Alipay posts them (independent signer);
// what the tests assert is what the page shows.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminJson,
  forgedNotification,
  launchBrowser,
  newContext,
  openView,
  origin,
  pay,
  screenshot,
  signIn,
  stack,
  viewAfter,
  viewReady,
  visit,
  waitFor,
  type Payment,
} from './browser';
import { registerOrder } from '../e2e/client';
import { uniqueId } from '../support/notifications';

interface Ledger {
  events: { eventKey: string; state: string }[];
}

const centsOf = (text: string) => Math.round(Number(text.replace(/,/g, '')) * 100);

async function totals(page: Page): Promise<{ count: number; paidCents: number }> {
  await page.locator('[data-testid=total-count]').waitFor();
  return {
    count: Number((await page.textContent('[data-testid=total-count]'))!.replace(/,/g, '')),
    paidCents: centsOf((await page.textContent('[data-testid=total-paid]'))!),
  };
}

async function openTransactions(page: Page, fragment = '#/transactions'): Promise<void> {
  await openView(page, fragment, '#/transactions');
}

/** Reloads the history until every given order is listed (the index is written shortly after the ledger). */
async function untilListed(page: Page, outTradeNos: string[], fragment = '#/transactions'): Promise<void> {
  await waitFor(`${outTradeNos.join(', ')} in the history`, async () => {
    await openTransactions(page, fragment);
    const listed = await page.$$eval('#payments tbody tr', (rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset['outTradeNo']));
    return outTradeNos.every((o) => listed.includes(o)) ? true : undefined;
  });
}

async function listedOrders(page: Page): Promise<string[]> {
  return page.$$eval('#payments tbody tr', (rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset['outTradeNo']!));
}

async function waitUntilDead(outTradeNo: string): Promise<void> {
  await waitFor(
    `${outTradeNo} to be dead-lettered`,
    async () => {
      const ledger = await adminJson<Ledger>(`/admin/orders/${stack().appId}/${encodeURIComponent(outTradeNo)}`);
      return ledger.events.find((e) => e.eventKey === 'paid')?.state === 'dead' ? true : undefined;
    },
    30_000,
  );
}

describe('operator console in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const paid: Payment[] = [];
  let waiting: Payment;

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await newContext(browser, 'en-US');
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('refuses a wrong token, signs in with the right one, keeps the token out of the page', async () => {
    await visit(page, `${stack().gatewayUrl}/admin/`);
    await page.waitForURL(/\/admin\/session$/);
    await screenshot(page, '01-sign-in');
    await page.fill('#token', 'not-the-admin-token-at-all');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.notice'), { timeout: 10_000 }).toContain('Wrong token');
    await signIn(page);
    await viewReady(page, '#/transactions');
    expect(await page.textContent('header')).toContain('Beijing time (UTC+8)');
    const html = await page.content();
    expect(html).not.toContain(stack().adminToken);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'gw_admin')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session.value).not.toContain(stack().adminToken);
    // Not readable from the page's own script.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('gw_admin');
  });

  it('simulated payments appear in the history with the right totals', async () => {
    await openTransactions(page);
    const before = await totals(page);
    for (const amount of ['12.34', '56.78', '0.10']) paid.push(await pay({ total_amount: amount, subject: `浏览器测试 ${amount}` }));
    waiting = await pay({ total_amount: '9.99', trade_status: 'WAIT_BUYER_PAY', subject: '等待付款的订单' });
    await untilListed(page, [...paid, waiting].map((p) => p.outTradeNo));

    const after = await totals(page);
    expect(after.count - before.count).toBe(4);
    expect(after.paidCents - before.paidCents).toBe(1234 + 5678 + 10);

    const row = page.locator(`#payments tr[data-out-trade-no="${paid[0]!.outTradeNo}"]`);
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toBe(paid[0]!.outTradeNo);
    expect(cells[2]).toBe(paid[0]!.tradeNo);
    expect(cells[3]).toBe('浏览器测试 12.34');
    expect(cells[4]).toBe('12.34');
    expect(cells[5]).toBe('Paid');
    expect(cells[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await page.getAttribute(`#payments tr[data-out-trade-no="${waiting.outTradeNo}"]`, 'data-status')).toBe('waiting');

    // The chart covers the same range: its paid amount is the total's.
    const chart = page.locator('#chart svg.chart');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-paid-cents'))).toBe(after.paidCents);
    await screenshot(page, '02-transactions');
  });

  it('search finds one order by out_trade_no or trade_no, and its totals are that order\'s', async () => {
    const target = paid[1]!;
    await page.fill('input[name=q]', target.outTradeNo);
    await viewAfter(page, '#/transactions', () => page.click('#filters button[type=submit]'));
    expect(await listedOrders(page)).toEqual([target.outTradeNo]);
    expect(await totals(page)).toEqual({ count: 1, paidCents: 5678 });

    await openTransactions(page, `#/transactions?q=${encodeURIComponent(paid[0]!.tradeNo)}`);
    expect(await listedOrders(page)).toEqual([paid[0]!.outTradeNo]);
    await screenshot(page, '03-search');
  });

  it('filters by status and by date range', async () => {
    await openTransactions(page);
    await page.check('input[name=status][value=waiting]');
    await viewAfter(page, '#/transactions', () => page.click('#filters button[type=submit]'));
    expect(page.url()).toContain('status=waiting');
    const listed = await listedOrders(page);
    expect(listed).toContain(waiting.outTradeNo);
    for (const p of paid) expect(listed).not.toContain(p.outTradeNo);
    const statuses = await page.$$eval('#payments tbody tr', (rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset['status']));
    expect(new Set(statuses)).toEqual(new Set(['waiting']));

    await openTransactions(page, '#/transactions?from=2020-01-01&to=2020-01-31');
    expect(await listedOrders(page)).toEqual([]);
    expect(await totals(page)).toEqual({ count: 0, paidCents: 0 });
  });

  it('refuses an impossible date or an over-long search in the filter form, saying why, instead of showing another range or nothing', async () => {
    await openTransactions(page);
    const before = page.url();
    // Typed as an operator types it (en-US: month, day, year): the field takes 02/30/2026, then holds no date.
    await page.focus('input[name=from]');
    await page.keyboard.type('02302026');
    await page.click('#filters button[type=submit]');
    await expect.poll(() => page.textContent('#filter-problems'), { timeout: 5_000 }).toContain('From is not a date on the calendar');
    expect(page.url()).toBe(before);

    await openTransactions(page);
    await page.fill('input[name=q]', 'X'.repeat(65));
    await page.click('#filters button[type=submit]');
    await expect.poll(() => page.textContent('#filter-problems'), { timeout: 5_000 }).toContain('at most 64 characters');
    expect(page.url()).toBe(before);

    // The same from an address (a bookmark, a shared link): refused, and nothing listed as if it were the answer.
    await openTransactions(page, '#/transactions?from=2026-02-30&to=2026-03-05');
    expect(await page.textContent('#filter-problems')).toContain('From 2026-02-30 is not a date on the calendar');
    expect(await page.locator('#payments').count()).toBe(0);
    await openTransactions(page, `#/transactions?q=${'X'.repeat(65)}`);
    expect(await page.textContent('#filter-problems')).toContain('at most 64 characters');
    expect(await page.locator('#payments').count()).toBe(0);
  });

  it('exports the filtered history as CSV', async () => {
    await openTransactions(page, `#/transactions?q=${encodeURIComponent(paid[2]!.outTradeNo)}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(paid[2]!.outTradeNo);
    expect(lines[1]).toContain('浏览器测试 0.10');
  });

  it('a dead letter is redelivered from the page, and the order timeline shows every attempt', async () => {
    const order = `DEAD${Date.now().toString(36)}`;
    await origin().failNext(order, 3); // three attempts (RETRY_SCHEDULE 1s,1s), all refused
    await pay({ out_trade_no: order, total_amount: '23.45' });
    await waitUntilDead(order);

    await waitFor(`${order} in the dead letters`, async () => {
      await openView(page, '#/dead-letters', '#/dead-letters');
      return (await page.locator(`tr[data-order="${order}"]`).count()) === 1 ? true : undefined;
    });
    await screenshot(page, '04-dead-letters');
    await page.click(`tr[data-order="${order}"] button.redeliver`);
    await expect.poll(() => page.textContent(`tr[data-order="${order}"]`), { timeout: 15_000 }).toContain('delivered');
    expect((await origin().deliveries(order)).filter((d) => d.outcome === 'accepted')).toHaveLength(1);
    await waitFor(`${order} to leave the dead letters`, async () => {
      // openView, not page.reload(): a reload has neither visit()'s time limit nor its second try.
      await openView(page, '#/dead-letters', '#/dead-letters');
      return (await page.locator(`tr[data-order="${order}"]`).count()) === 0 ? true : undefined;
    });

    await openView(page, `#/orders/${stack().appId}/${encodeURIComponent(order)}`, '#/transactions');
    const attempts = page.locator('#timeline li[data-type=attempt]');
    await expect.poll(() => attempts.count(), { timeout: 10_000 }).toBe(4);
    const texts = await attempts.allTextContents();
    for (const text of texts.slice(0, 3)) expect(text).toContain('HTTP 500');
    expect(texts[3]).toContain('HTTP 200');
    expect(texts[3]).toContain('delivered');
    const notification = (await page.locator('#timeline li[data-type=notification]').first().textContent())!;
    expect(notification).toContain('RSA2');
    expect(notification).toMatch(/key [0-9a-f]{16}/); // the fingerprint of the key that verified it
    expect(await page.textContent('dl.summary')).toContain('23.45');
    await screenshot(page, '05-order');

    // One event, again, from the order page: the origin gets the same webhook-id a second time.
    await page.click('tr[data-event="paid"] button.redeliver');
    await expect.poll(() => page.textContent('#redeliver-result'), { timeout: 15_000 }).toContain('paid: delivered');
    const accepted = (await origin().deliveries(order)).filter((d) => d.outcome === 'accepted');
    expect(accepted).toHaveLength(2);
    expect(accepted[0]!.webhookId).toBe(accepted[1]!.webhookId);
  });

  it('"redeliver all dead since T" works through the dead letters with progress', async () => {
    const orders = [`BULK${Date.now().toString(36)}a`, `BULK${Date.now().toString(36)}b`];
    for (const order of orders) {
      await origin().failNext(order, 3);
      await pay({ out_trade_no: order, total_amount: '1.00' });
    }
    for (const order of orders) await waitUntilDead(order);

    await openView(page, '#/dead-letters', '#/dead-letters');
    await page.click('#redeliver-since');
    await expect.poll(() => page.textContent('#bulk-progress'), { timeout: 30_000 }).toMatch(/remaining 0 Done\./);
    const progress = (await page.textContent('#bulk-progress'))!;
    expect(Number(/delivered (\d+)/.exec(progress)![1])).toBeGreaterThanOrEqual(2);
    for (const order of orders) expect((await origin().deliveries(order)).filter((d) => d.outcome === 'accepted')).toHaveLength(1);
  });

  it('health says what /health says, and counts rejected notifications by reason', async () => {
    // A notification whose signature does not match: refused, and counted.
    const forged = await forgedNotification();
    const refused = await fetch(stack().notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forged });
    expect(refused.status).toBe(403);

    await waitFor('the rejection to be counted', async () => {
      await openView(page, '#/health', '#/health');
      return (await page.locator('#rejections tr[data-reason="signature-mismatch"]').count()) === 1 ? true : undefined;
    });
    expect(await page.textContent('#verdict')).toContain('Configuration OK');
    const summary = (await page.textContent('dl.summary'))!;
    expect(summary).toContain(stack().appId);
    expect(summary).toContain('RSA2');
    const count = await page.textContent('#rejections tr[data-reason="signature-mismatch"] td:nth-child(2)');
    expect(Number(count)).toBeGreaterThanOrEqual(1);
    // The code as the logs say it, and what it means.
    expect(await page.textContent('#rejections tr[data-reason="signature-mismatch"] td:first-child')).toBe(
      'signature-mismatch signature does not verify: wrong public key, or the notification was altered',
    );
    await screenshot(page, '06-health');
  });

  it('today per hour: the view the README shows (docs/console.png is made from this screenshot)', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await openTransactions(page, `#/transactions?from=${today}&to=${today}&bucket=hour`);
    const chart = page.locator('#chart svg.chart');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-buckets'))).toBe(24);
    await page.setViewportSize({ width: 1100, height: 940 }); // small enough for the README
    await screenshot(page, '10-readme-console', false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signing out ends the session', async () => {
    await openTransactions(page);
    await Promise.all([page.waitForURL(/\/admin\/session\?signed_out=1$/), page.click('form.sign-out button')]);
    await visit(page, `${stack().gatewayUrl}/admin/`);
    await page.waitForURL(/\/admin\/session$/);
  });
});

describe('the one-click sign-in link npm start prints', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs in on this machine, and the token leaves the address bar and never reaches the server', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await visit(page, `${stack().gatewayUrl}/admin/session#token=${encodeURIComponent(stack().adminToken)}`);
    await page.waitForURL(/\/admin\/#\/transactions$/);
    await viewReady(page, '#/transactions');
    expect(page.url()).not.toContain(stack().adminToken);
    for (const url of requested) expect(url).not.toContain(stack().adminToken);
    await context.close();
  });
});

describe('the console in Chinese', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('follows Accept-Language, switches to English and remembers it', async () => {
    const context = await newContext(browser, 'zh-CN');
    const page = await context.newPage();
    await visit(page, `${stack().gatewayUrl}/admin/`);
    expect(await page.textContent('h1')).toBe('运营控制台');
    await signIn(page);
    await viewReady(page, '#/transactions');
    expect(await page.textContent('header nav')).toContain('交易');
    expect(await page.textContent('header')).toContain('北京时间（UTC+8）');
    await screenshot(page, '07-transactions-zh');

    await viewAfter(page, '#/transactions', () => page.click('#language'));
    expect(page.url()).toMatch(/\/admin\/#\/transactions$/); // the view kept, the ?lang= switch gone
    expect(await page.textContent('header nav')).toContain('Transactions');
    await openView(page, '#/transactions', '#/transactions'); // loaded afresh: the choice is remembered
    expect(await page.textContent('header nav')).toContain('Transactions');
    await context.close();
  });

  it("an order's page says every state and outcome in Chinese, and calls the registration first seen, not a notification", async () => {
    const context = await newContext(browser, 'zh-CN');
    const page = await context.newPage();
    await signIn(page);
    await viewReady(page, '#/transactions');
    const outTradeNo = uniqueId('ZH');
    const registered = await registerOrder(stack(), { outTradeNo, amount: '88.80', appId: stack().appId });
    expect(registered.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the page shows seconds: registration and notification a second apart
    await origin().failNext(outTradeNo, 1); // the first attempt refused, the retry (1 s later) delivered
    await pay({ out_trade_no: outTradeNo, total_amount: '88.80' });
    const path = `/admin/orders/${stack().appId}/${encodeURIComponent(outTradeNo)}`;
    await waitFor(`${outTradeNo} to be delivered`, async () => ((await adminJson<Ledger>(path)).events[0]?.state === 'delivered' ? true : undefined));

    await openView(page, `#/orders/${stack().appId}/${encodeURIComponent(outTradeNo)}`, '#/transactions');
    const attempts = await page.locator('#timeline li[data-type=attempt]').allTextContents();
    expect(attempts[0]).toContain('第 1 次投递：源站返回错误状态码');
    expect(attempts[1]).toContain('第 2 次投递：已送达');
    expect(await page.textContent('tr[data-event="paid"] td:nth-child(2)')).toBe('付款');
    expect(await page.textContent('#timeline li[data-type=event]')).toContain('事件 paid（付款）');
    // What the registration started (asking Alipay, or only keeping the amount): in words, never a code.
    expect(await page.textContent('dd[data-field="order.reconcile"]')).not.toMatch(/[a-z]/);
    const firstNotification = await page.textContent('#timeline li[data-type=notification] time');
    expect(await page.textContent('dt[data-field="order.firstNotification"]')).toBe('首次通知');
    expect(await page.textContent('dd[data-field="order.firstNotification"]')).toBe(firstNotification);
    expect(await page.textContent('dt[data-field="order.firstSeen"]')).toBe('首次出现');
    expect(await page.textContent('dd[data-field="order.firstSeen"]')).not.toBe(firstNotification);
    await screenshot(page, '08-order-zh');
    await context.close();
  });
});
