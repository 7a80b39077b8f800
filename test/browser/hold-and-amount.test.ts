// The console's part in never missing a payment, in Chromium against the real gateway: holding and
// resuming deliveries from the health page, releasing a payment held for its amount from its order
// page, and the order page's "Ask Alipay now" (this stack does not ask Alipay: the page says why).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminJson, launchBrowser, newContext, openView, origin, pay, screenshot, signIn, stack, viewReady, visit, waitFor } from './browser';
import { gatewayClient, registerOrder as register } from '../e2e/client';
import { uniqueId } from '../support/notifications';

interface Ledger {
  events: { eventKey: string; state: string }[];
}

async function registerOrder(outTradeNo: string, amount: string): Promise<void> {
  const response = await register(stack(), { outTradeNo, amount, appId: stack().appId });
  if (response.status !== 200) throw new Error(`registration refused: ${response.status} ${response.text.replace(/\s+/g, " ")}`);
}

const accepted = async (outTradeNo: string) => (await origin().deliveries(outTradeNo)).filter((d) => d.outcome === 'accepted');

describe('holding deliveries and held amounts, from the console', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await (await newContext(browser, 'en-US')).newPage();
    await visit(page, `${stack().gatewayUrl}/admin/`);
    await signIn(page);
    await viewReady(page, '#/transactions');
  });
  afterAll(async () => {
    await browser?.close();
    // The stack is shared with the other browser files: never leave it holding.
    await gatewayClient(stack).adminPost('/admin/api/deliveries/resume');
  });

  it('holds deliveries from the health page (nothing goes out), and resumes them (the payment arrives)', async () => {
    await openView(page, '#/health', '#/health');
    await page.fill('#hold-reason', 'IIS maintenance');
    await page.click('#hold-deliveries');
    await page.locator('#resume-deliveries').waitFor();
    expect(await page.textContent('#deliveries-state')).toContain('On hold');
    await screenshot(page, '20-deliveries-held');

    const payment = await pay();
    await waitFor('the order waiting at the gate', async () => {
      const status = await adminJson<{ waitingOrders: number }>('/admin/api/deliveries');
      return status.waitingOrders >= 1 ? true : undefined;
    });
    expect(await accepted(payment.outTradeNo)).toEqual([]);

    await openView(page, '#/health', '#/health');
    expect(await page.textContent('#deliveries-state')).toMatch(/orders waiting/);
    await page.click('#resume-deliveries');
    await page.locator('#hold-deliveries').waitFor();
    await waitFor('the held payment to arrive', async () => ((await accepted(payment.outTradeNo)).length === 1 ? true : undefined));
  });

  it('a payment of another amount than registered is held, and released from its order page', async () => {
    const outTradeNo = uniqueId('AMT');
    await registerOrder(outTradeNo, '88.80');
    await pay({ out_trade_no: outTradeNo, total_amount: '8.88' });
    const path = `/admin/orders/${stack().appId}/${encodeURIComponent(outTradeNo)}`;
    await waitFor('the payment to be held', async () => ((await adminJson<Ledger>(path)).events[0]?.state === 'held' ? true : undefined));

    await openView(page, `#/orders/${stack().appId}/${encodeURIComponent(outTradeNo)}`, '#/transactions');
    expect(await page.textContent('tr[data-event="paid"]')).toContain('Held: amount');
    expect(await page.textContent('tr[data-event="paid"]')).toMatch(/registered 88\.80, Alipay says 8\.88/);
    expect(await page.textContent('dl.summary')).toContain('88.80');
    await screenshot(page, '21-amount-held');
    expect(await accepted(outTradeNo)).toEqual([]);

    await page.click('button.decide[data-decision="release"]');
    await waitFor('the released payment to arrive', async () => ((await accepted(outTradeNo)).length === 1 ? true : undefined));
  });

  it('"Ask Alipay now" on an order page says why it cannot when asking Alipay is not configured', async () => {
    const payment = await pay();
    await openView(page, `#/orders/${stack().appId}/${encodeURIComponent(payment.outTradeNo)}`, '#/transactions');
    await page.click('#ask-alipay');
    await expect.poll(() => page.textContent('#redeliver-result'), { timeout: 5_000 }).toContain('ALIPAY_APP_PRIVATE_KEY');
  });
});
