// A signed body cannot be reshaped into another meaning (issue: strict fields). Alipay's signed
// content escapes nothing, so the pairs of a captured body can be re-split without changing one
// signed byte: a pair moved into its neighbour's value (`k1=v1%26k2%3Dv2`), or the pairs before
// it moved into its name (`k1%3Dv1%26k2=v2`). Here a refund-shaped notification (a partial refund:
// gmt_refund, out_biz_no, refund_fee), signed by the tests' own signer, is re-split in every such
// way that moves a refund field, and in combinations that move all three; every variant must be
// refused or still be a refund, never `paid`.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatBeijingTime } from '../src/alipay/beijing-time';
import { processNotification, type ProcessResult } from '../src/alipay/process';
import type { BusinessRules, VerifyOptions } from '../src/alipay/types';
import { makeSigner, pairsOf, signPairs, type TestSigner } from './support/alipay-sign';
import { formBodyOf as encodeForm } from './support/form';

const APP_ID = '2021000000000001';
const REFUND_FIELDS = ['gmt_refund', 'out_biz_no', 'refund_fee'];

/** A partial refund as Alipay sends it (TRADE_SUCCESS with refund fields), with free-text fields around. */
function refundParams(now: number): Record<string, string> {
  return {
    app_id: APP_ID,
    auth_app_id: APP_ID,
    body: '会员充值 & 续费',
    buyer_id: '2088102122524333',
    buyer_logon_id: 'xud***@126.com',
    buyer_pay_amount: '88.80',
    charset: 'utf-8',
    fund_bill_list: '[{"amount":"88.80","fundChannel":"ALIPAYACCOUNT"}]',
    gmt_create: formatBeijingTime(now - 3_600_000),
    gmt_payment: formatBeijingTime(now - 3_590_000),
    gmt_refund: `${formatBeijingTime(now - 60_000)}.321`,
    invoice_amount: '88.80',
    notify_id: '2024010100222100005000000000000009',
    notify_time: formatBeijingTime(now),
    notify_type: 'trade_status_sync',
    out_biz_no: 'RF20240101-0001',
    out_trade_no: '20240101-ORDER-77',
    passback_params: 'merchant=1',
    point_amount: '0.00',
    receipt_amount: '88.80',
    refund_fee: '10.00',
    seller_email: 'shop@example.com',
    seller_id: '2088000000000002',
    subject: '测试商品 A&B+1',
    total_amount: '88.80',
    trade_no: '2024010122001400000000000009',
    trade_status: 'TRADE_SUCCESS',
    version: '1.0',
  };
}

interface Variant {
  readonly what: string;
  /** The re-split pairs (decoded text), which sort and join to the same signed content. */
  readonly pairs: [string, string][];
}

/** The signed pairs in content order (key byte order, empty values and sign fields left out). */
function contentPairs(params: Record<string, string>): [string, string][] {
  return Object.entries(params)
    .filter(([k, v]) => v !== '' && k !== 'sign' && k !== 'sign_type')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Pairs first..last of the content merged into one pair, split at the `=` that ends the name of
 * pair `at` (first <= at <= last): at === first moves the rest into first's value, a later `at`
 * moves the pairs before it into its name.
 */
function merge(content: [string, string][], first: number, last: number, at: number): [string, string] {
  const run = content.slice(first, last + 1).map(([k, v]) => `${k}=${v}`);
  const before = run.slice(0, at - first + 1).join('&');
  const cut = before.length - content[at]![1].length - 1;
  const text = run.join('&');
  return [text.slice(0, cut), text.slice(cut + 1)];
}

function resplit(content: [string, string][], runs: readonly (readonly [number, number, number])[]): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  for (const [first, last, at] of [...runs].sort((a, b) => a[0] - b[0])) {
    out.push(...content.slice(i, first), merge(content, first, last, at));
    i = last + 1;
  }
  return [...out, ...content.slice(i)];
}

/** Every single run that moves a refund field (into a value before it, or into a name after it), and combinations moving all three. */
function variants(content: [string, string][]): Variant[] {
  const refund = REFUND_FIELDS.map((f) => content.findIndex(([k]) => k === f));
  const out: Variant[] = [];
  const describe = (runs: readonly (readonly [number, number, number])[]) =>
    runs.map(([f, l, at]) => `${content[f]![0]}..${content[l]![0]} split at ${content[at]![0]}`).join(' + ');
  for (let first = 0; first < content.length; first++) {
    for (let last = first + 1; last < content.length; last++) {
      for (let at = first; at <= last; at++) {
        // The refund field must leave its own pair: inside a run, and not as the name it keeps.
        if (!refund.some((r) => r >= first && r <= last && r !== at)) continue;
        out.push({ what: describe([[first, last, at]]), pairs: resplit(content, [[first, last, at]]) });
      }
    }
  }
  // All three at once, each into its neighbour: the previous pair's value or the next pair's name.
  const ways = refund.map((r) => [[r - 1, r, r - 1] as const, [r, r + 1, r + 1] as const].filter(([f, l]) => f >= 0 && l < content.length));
  for (const a of ways[0]!) {
    for (const b of ways[1]!) {
      for (const c of ways[2]!) {
        const runs = [a, b, c];
        const overlap = runs.some((x, i) => runs.some((y, j) => i !== j && x[0] <= y[1] && y[0] <= x[1]));
        if (!overlap) out.push({ what: describe(runs), pairs: resplit(content, runs) });
      }
    }
  }
  return out;
}

let alipay: TestSigner;
let options: VerifyOptions & BusinessRules;
beforeAll(async () => {
  alipay = await makeSigner();
  options = { keys: [alipay.publicKey], signTypes: ['RSA2'], appIds: [APP_ID], sellerIds: [], maxNotifyAgeMs: 72 * 3_600_000 };
});

function outcome(r: ProcessResult): string {
  return r.ok ? `ok:${r.event.kind}` : `${r.stage}:${r.reason}`;
}

describe('re-split refund notifications', () => {
  it('are refused or still a refund, never paid', async () => {
    const now = Date.now();
    const params = refundParams(now);
    const signed = await signPairs(alipay, pairsOf(params), { signType: 'RSA2', rule: 'v1' });
    const sign = new TextDecoder().decode(signed.find((p) => p.key === 'sign')!.value);
    const bodyOf = (pairs: [string, string][]) => encodeForm([...pairs, ['sign_type', 'RSA2'], ['sign', sign]]);

    const original = await processNotification(bodyOf(Object.entries(params)), options, now);
    expect(outcome(original)).toBe('ok:refund');

    const all = variants(contentPairs(params));
    expect(all.length).toBeGreaterThan(1000);
    const outcomes = new Map<string, number>();
    const paid: string[] = [];
    for (const v of all) {
      const r = await processNotification(bodyOf(v.pairs), options, now);
      const o = outcome(r);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      if (r.ok && r.event.kind !== 'refund') paid.push(`${v.what}: ${r.event.kind}`);
    }
    expect(paid).toEqual([]);
    // The signature held for every variant (none is a signature mismatch), so each one is a real
    // re-split: a name holding "=" or "&" is refused by the parser, a value that swallowed a pair
    // by its format (or, for free text, because the field it hides is missing).
    expect(outcomes.get('verify:signature-mismatch')).toBeUndefined();
    expect(outcomes.get('verify:malformed-body')).toBeGreaterThan(0);
    expect(outcomes.get('decode:invalid-field')).toBeGreaterThan(0);
  });
});
