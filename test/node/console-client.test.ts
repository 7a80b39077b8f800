// The console's pure browser modules (src/console/client/format.js, i18n.js, and the pure parts
// of the views), imported from disk exactly as the browser loads them.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const client = (file: string) => fileURLToPath(new URL(`../../src/console/client/${file}`, import.meta.url));

interface Format {
  beijingDateTime(value: unknown): string;
  beijingDate(value: unknown): string;
  beijingDayStart(text: string): number | null;
  beijingLocalInput(text: string): number | null;
  toBeijingLocalInput(ms: number): string;
  money(cents: unknown): string;
  count(n: unknown): string;
  bucketStarts(fromMs: number, toMs: number, bucket: 'hour' | 'day', limit?: number): number[];
  toCsv(rows: unknown[][]): string;
}
interface I18n {
  STRINGS: Record<string, Record<string, string>>;
  translator(lang: string): (key: string, vars?: Record<string, unknown>) => string;
}

const format = (await import(client('format.js'))) as Format;
const i18n = (await import(client('i18n.js'))) as I18n;

describe('console format.js', () => {
  it('shows times in Beijing time (UTC+8), whatever the machine zone', () => {
    expect(format.beijingDateTime('2026-04-30T16:00:00Z')).toBe('2026-05-01 00:00:00');
    expect(format.beijingDateTime('2026-05-01T03:04:05.678Z')).toBe('2026-05-01 11:04:05');
    expect(format.beijingDate(Date.UTC(2026, 11, 31, 15, 59, 59))).toBe('2026-12-31');
    expect(format.beijingDate(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe('2027-01-01');
    expect(format.beijingDateTime(null)).toBe('');
    expect(format.beijingDateTime('not a time')).toBe('');
  });

  it('reads Beijing dates and datetime-local inputs back to UTC instants', () => {
    expect(new Date(format.beijingDayStart('2026-05-01')!).toISOString()).toBe('2026-04-30T16:00:00.000Z');
    expect(format.beijingDayStart('2026-02-30')).toBeNull();
    expect(format.beijingDayStart('2026-5-1')).toBeNull();
    expect(new Date(format.beijingLocalInput('2026-05-01T08:30')!).toISOString()).toBe('2026-05-01T00:30:00.000Z');
    expect(format.beijingLocalInput('2026-05-01T24:00')).toBeNull();
    const ms = Date.UTC(2026, 4, 1, 0, 30);
    expect(format.beijingLocalInput(format.toBeijingLocalInput(ms))).toBe(ms);
  });

  it('formats amounts from integer cents without floating point', () => {
    expect(format.money(8888)).toBe('88.88');
    expect(format.money(5)).toBe('0.05');
    expect(format.money(123456789)).toBe('1,234,567.89');
    expect(format.money(0)).toBe('0.00');
    expect(format.money(-1050)).toBe('-10.50');
    expect(format.money(null)).toBe('');
    expect(format.count(1234567)).toBe('1,234,567');
  });

  it('buckets: hours on the hour, days from 00:00 Beijing (16:00 UTC), capped', () => {
    const from = Date.parse('2026-05-01T01:30:00Z');
    const hours = format.bucketStarts(from, Date.parse('2026-05-01T04:00:00Z'), 'hour');
    expect(hours.map((ms) => new Date(ms).toISOString())).toEqual(['2026-05-01T01:00:00.000Z', '2026-05-01T02:00:00.000Z', '2026-05-01T03:00:00.000Z']);
    const days = format.bucketStarts(Date.parse('2026-04-30T16:00:00Z'), Date.parse('2026-05-02T16:00:00Z'), 'day');
    expect(days.map((ms) => new Date(ms).toISOString())).toEqual(['2026-04-30T16:00:00.000Z', '2026-05-01T16:00:00.000Z']);
    expect(format.bucketStarts(0, 1e12, 'hour', 10)).toHaveLength(10);
  });

  it('CSV: BOM, CRLF, quoting, and no formulas from crafted values', () => {
    const csv = format.toCsv([
      ['a', 'b,c', 'say "hi"'],
      ['=HYPERLINK("x")', '+1', '-2', '@cmd', '测试 A&B', null],
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1)).toBe(`a,"b,c","say ""hi"""\r\n"'=HYPERLINK(""x"")",'+1,'-2,'@cmd,测试 A&B,\r\n`);
    // What some spreadsheet programs skip before a formula, and the full-width signs.
    const hidden = format.toCsv([[' =1+1', '\u0000=1', '\n=1', '\t1', '＝1+1', '＋1', ' plain', 'a=b']]);
    expect(hidden.slice(1)).toBe(`' =1+1,'\u0000=1,"'\n=1",'\t1,'＝1+1,'＋1, plain,a=b\r\n`);
  });
});

describe('console i18n.js', () => {
  it('Chinese and English have the same keys and the same placeholders', () => {
    const { zh, en } = i18n.STRINGS as { zh: Record<string, string>; en: Record<string, string> };
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh)) expect(placeholders(en[key]!), key).toEqual(placeholders(zh[key]!));
  });

  it('fills placeholders and shows an unknown key as itself', () => {
    const t = i18n.translator('en');
    expect(t('dl.progress', { attempted: 3, delivered: 2, failed: 1, remaining: 0 })).toBe('Attempted 3, delivered 2, failed 1, remaining 0');
    expect(t('no.such.key')).toBe('no.such.key');
    expect(i18n.translator('zh')('tx.exported', { rows: 5 })).toBe('已导出 5 行');
  });
});

describe('console i18n.js: the gateway\'s codes', () => {
  // Every code the order page, its timeline and the redelivery results can show (src/orders/ledger-types.ts
  // EventState and ReconcileView, src/orders/reconcile-store.ts ReconcileState, src/orders/reconciler.ts
  // QueryRun, src/delivery/attempt.ts AttemptFailureReason, src/orders/ledger.ts Outcome and redeliver(),
  // src/alipay/types.ts EVENT_KINDS; the rejection reasons are read from src/http/notify.ts below).
  const CODES: Record<string, string[]> = {
    state: ['recorded', 'pending', 'delivering', 'delivered', 'dead', 'held', 'refused'],
    kind: ['paid', 'refund', 'closed', 'waiting', 'other'],
    reconcile: ['asking', 'paid', 'closed', 'expired', 'idle'],
    query: ['paid-found', 'already-recorded', 'not-paid', 'not-found', 'closed', 'failed'],
    outcome: ['delivered', 'timeout', 'network-error', 'http-status', 'wrong-ack', 'interrupted', 'internal-error', 'body-purged', 'held', 'amount-held'],
    // The health page's refused notifications, by the reason they are counted under (src/http/notify.ts).
    rejection: [],
  };

  it('are words in both languages, and an unknown code shows as itself', async () => {
    const { codeText } = (await import(client('i18n.js'))) as { codeText(t: (key: string) => string, family: string, code: string): string };
    const { EVENT_KINDS } = await import('../../src/alipay/types');
    expect(CODES['kind']).toEqual([...EVENT_KINDS]);
    CODES['rejection'] = [...(await import('../../src/http/notify')).COUNTED_REJECTION_REASONS];
    expect(CODES['rejection']).toContain('signature-mismatch');
    for (const lang of ['zh', 'en']) {
      const t = i18n.translator(lang);
      for (const [family, codes] of Object.entries(CODES)) {
        for (const code of codes) {
          const words = i18n.STRINGS[lang]![`${family}.${code}`];
          expect(words, `${lang} ${family}.${code}`).toBeTruthy();
          expect(codeText(t, family, code)).toBe(words);
        }
      }
      expect(codeText(t, 'outcome', 'some-new-outcome')).toBe('some-new-outcome');
    }
    expect(codeText(i18n.translator('zh'), 'outcome', 'http-status')).toBe('源站返回错误状态码');
  });
});

describe('console transactions.js', () => {
  interface Transactions {
    MAX_QUERY_CHARS: number;
    collectExportRows(
      fetchPage: (cursor: string | null, limit: number) => Promise<{ items: unknown[]; nextCursor: string | null }>,
      maxRows: number,
      onProgress?: (rows: number) => void,
    ): Promise<{ items: unknown[]; capped: boolean }>;
  }
  const transactions = async () => (await import(client('transactions.js'))) as Transactions;

  /** The API's pages over `total` rows: at most `limit` (≤ 200) each, a cursor while more are left. */
  const pages = (total: number) => {
    const asked: number[] = [];
    const fetchPage = async (cursor: string | null, limit: number) => {
      expect(limit).toBeLessThanOrEqual(200);
      asked.push(limit);
      const start = cursor === null ? 0 : Number(cursor);
      const end = Math.min(total, start + limit);
      return { items: Array.from({ length: end - start }, (_, i) => start + i), nextCursor: end < total ? String(end) : null };
    };
    return { fetchPage, asked };
  };

  it('the search box takes what the admin API takes (src/http/admin-api.ts: an out_trade_no or trade_no)', async () => {
    const { MAX_OUT_TRADE_NO_CHARS } = await import('../../src/alipay/fields');
    expect((await transactions()).MAX_QUERY_CHARS).toBe(MAX_OUT_TRADE_NO_CHARS);
  });

  it('CSV export stops exactly at its cap, and says it was cut only when rows were left out', async () => {
    const { collectExportRows } = await transactions();
    const over = await collectExportRows(pages(1_000).fetchPage, 450);
    expect(over.items).toHaveLength(450);
    expect(over.items[449]).toBe(449);
    expect(over.capped).toBe(true);
    const exact = await collectExportRows(pages(450).fetchPage, 450);
    expect([exact.items.length, exact.capped]).toEqual([450, false]);
    const under = await collectExportRows(pages(120).fetchPage, 450);
    expect([under.items.length, under.capped]).toEqual([120, false]);
  });
});

describe('console api.js: admin paths', () => {
  it('are the gateway\'s own (src/orders/order-key.ts adminPathOf), for every kind of id', async () => {
    const api = (await import(client('api.js'))) as { adminPathOfKey(key: string): string };
    const { adminPathOf } = await import('../../src/orders/order-key');
    for (const key of ['2021:T-1', '2021:a/b?c#d %', '2021:..', '2021:.', '2021:~x', '2021:订单', '2021#notify:nid-1', '2021#notify:..']) {
      expect(api.adminPathOfKey(key), key).toBe(adminPathOf(key));
    }
  });
});
