// Transactions: the payment history (newest first, cursor pages), its filters and search, the
// totals of the filtered range, a chart of paid amount and count, and a CSV export built in the
// browser from the same API pages. The filters live in the URL fragment, so a view can be
// bookmarked, shared with a colleague, or reloaded.
import { adminPathOfKey, getJson, orderHash } from './api.js';
import { chartLegend, paidChart } from './chart.js';
import { h, show } from './dom.js';
import { beijingDate, beijingDateTime, beijingDayStart, bucketStarts, count, DAY_MS, money, toCsv } from './format.js';
import { codeText } from './i18n.js';

export const STATUSES = ['waiting', 'paid', 'partially-refunded', 'refunded', 'closed'];
export const DELIVERIES = ['delivered', 'pending', 'dead', 'not-forwarded'];
const PAGE_SIZE = 50;
const EXPORT_PAGE_SIZE = 200;
const EXPORT_MAX_ROWS = 20_000;
/** The admin API's longest `q` (src/http/admin-api.ts): no out_trade_no or trade_no is longer. */
export const MAX_QUERY_CHARS = 64;
const DEFAULT_DAYS = 30;
/** Above this many days, hours would make bars thinner than a pixel: the chart goes per day. */
const MAX_HOURLY_DAYS = 7;

/**
 * The filters in a fragment query (`#/transactions?from=2026-05-01&status=paid`), with defaults.
 * `problems` lists what the view must refuse rather than quietly replace (problemText() puts them
 * in words): a date that is not on the calendar, a search longer than the API takes.
 */
export function readFilters(query, nowMs = Date.now()) {
  const problems = [];
  const list = (name, allowed) => (query.get(name) ?? '').split(',').filter((v) => allowed.includes(v));
  const date = (name, fallback) => {
    const text = query.get(name) ?? '';
    if (beijingDayStart(text) !== null) return text;
    if (text !== '') problems.push({ key: 'tx.badDate', field: name, text });
    return fallback;
  };
  let from = date('from', beijingDate(nowMs - (DEFAULT_DAYS - 1) * DAY_MS));
  let to = date('to', beijingDate(nowMs));
  if (from > to) [from, to] = [to, from];
  const days = Math.round((beijingDayStart(to) - beijingDayStart(from)) / DAY_MS) + 1;
  const bucketParam = query.get('bucket');
  const bucket = bucketParam === 'hour' && days <= MAX_HOURLY_DAYS ? 'hour' : bucketParam === 'day' || days > 2 ? 'day' : 'hour';
  const q = (query.get('q') ?? '').trim();
  if (q.length > MAX_QUERY_CHARS) problems.push({ key: 'tx.longQuery' });
  return { from, to, status: list('status', STATUSES), delivery: list('delivery', DELIVERIES), q, bucket, days, problems };
}

/** A problem from readFilters or the form, in words. */
function problemText(t, problem) {
  if (problem.key === 'tx.longQuery') return t('tx.longQuery', { max: MAX_QUERY_CHARS });
  return t('tx.badDate', { field: [t(`tx.${problem.field}`), problem.text].filter(Boolean).join(' ') });
}

function fragmentOf(filters) {
  const query = new URLSearchParams();
  query.set('from', filters.from);
  query.set('to', filters.to);
  if (filters.status.length > 0) query.set('status', filters.status.join(','));
  if (filters.delivery.length > 0) query.set('delivery', filters.delivery.join(','));
  if (filters.q !== '') query.set('q', filters.q);
  query.set('bucket', filters.bucket);
  return `#/transactions?${query}`;
}

/** The API's range: from the first Beijing day's start to the start of the day after the last. */
function apiRange(filters) {
  return {
    from: new Date(beijingDayStart(filters.from)).toISOString(),
    to: new Date(beijingDayStart(filters.to) + DAY_MS).toISOString(),
  };
}

function apiFilters(filters) {
  return {
    ...apiRange(filters),
    status: filters.status.join(','),
    delivery: filters.delivery.join(','),
  };
}

function badge(t, family, value) {
  return h('span', { class: `badge ${family}-${value}` }, codeText(t, family, value));
}

function orderLink(row) {
  const path = row.adminPath ?? adminPathOfKey(row.orderKey);
  return h('a', { href: orderHash(path) }, row.outTradeNo ?? row.orderKey);
}

function rowOf(t, row) {
  return h(
    'tr',
    { dataset: { outTradeNo: row.outTradeNo ?? '', status: row.status, delivery: row.delivery } },
    h('td', { class: 'time' }, beijingDateTime(row.firstSeenAt)),
    h('td', { class: 'mono' }, orderLink(row)),
    h('td', { class: 'mono' }, row.tradeNo ?? ''),
    h('td', { class: 'subject' }, row.subject ?? ''),
    h('td', { class: 'num' }, row.total ?? money(row.totalCents)),
    h('td', {}, badge(t, 'status', row.status)),
    h('td', {}, badge(t, 'delivery', row.delivery), row.lastError ? h('span', { class: 'error-hint', title: row.lastError }, ' ⚠') : null),
  );
}

function checkboxes(t, name, values, chosen) {
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, t(name === 'status' ? 'tx.status' : 'tx.delivery')),
    values.map((value) =>
      h('label', {}, h('input', { type: 'checkbox', name, value, checked: chosen.includes(value) }), ' ', t(`${name}.${value}`)),
    ),
  );
}

function filterForm(t, filters) {
  // A date refused in the address is left empty: the field cannot show a day that does not exist.
  const refused = (name) => filters.problems.some((p) => p.field === name);
  const problems = h('p', { class: 'error', role: 'alert', id: 'filter-problems', hidden: filters.problems.length === 0 }, filters.problems.map((p) => problemText(t, p)).join(' '));
  // No browser validation (novalidate): its bubble says nothing of why, and a search longer than
  // maxlength would be cut short unseen when pasted. The submit handler says what is wrong instead.
  const form = h(
    'form',
    { class: 'filters', id: 'filters', novalidate: true },
    h('label', {}, t('tx.from'), ' ', h('input', { type: 'date', name: 'from', value: refused('from') ? '' : filters.from, required: true })),
    h('label', {}, t('tx.to'), ' ', h('input', { type: 'date', name: 'to', value: refused('to') ? '' : filters.to, required: true })),
    h('label', { class: 'search' }, t('tx.search'), ' ', h('input', { type: 'search', name: 'q', value: filters.q, placeholder: t('tx.searchHint'), autocomplete: 'off' })),
    checkboxes(t, 'status', STATUSES, filters.status),
    checkboxes(t, 'delivery', DELIVERIES, filters.delivery),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('tx.apply')), h('a', { href: '#/transactions', class: 'button secondary' }, t('tx.reset'))),
    problems,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    // A date input holds '' for a day not on the calendar (02/30 typed): refused, never replaced by a default.
    const wrong = ['from', 'to']
      .filter((name) => beijingDayStart(String(data.get(name))) === null)
      .map((name) => ({ key: 'tx.badDate', field: name }));
    if (String(data.get('q') ?? '').trim().length > MAX_QUERY_CHARS) wrong.push({ key: 'tx.longQuery' });
    if (wrong.length > 0) {
      show(problems, wrong.map((p) => problemText(t, p)).join(' '));
      problems.hidden = false;
      return;
    }
    window.location.hash = fragmentOf({
      ...filters,
      from: String(data.get('from')),
      to: String(data.get('to')),
      q: String(data.get('q') ?? '').trim(),
      status: data.getAll('status').map(String),
      delivery: data.getAll('delivery').map(String),
    });
  });
  return form;
}

function totalsBox(t, totals) {
  const figure = (id, label, value) => h('div', { class: 'figure' }, h('span', { class: 'label' }, label), h('strong', { 'data-testid': id }, value));
  return [
    figure('total-count', t('tx.count'), count(totals.count)),
    figure('total-paid', t('tx.paid'), money(totals.paidCents)),
    figure('total-refunded', t('tx.refunded'), money(totals.refundedCents)),
  ];
}

/** Totals of rows already in hand (a search's answer: the totals API has no `q`). */
function totalsOfRows(rows) {
  const paid = rows.filter((r) => r.status !== 'waiting' && r.status !== 'closed');
  return {
    count: rows.length,
    paidCents: paid.reduce((sum, r) => sum + Number(r.totalCents ?? 0), 0),
    refundedCents: rows.reduce((sum, r) => sum + Number(r.refundedCents ?? 0), 0),
  };
}

function failure(t, error) {
  return h('p', { class: 'error', role: 'alert' }, error?.status === 404 ? t('notAvailable', { message: error.message }) : t('error', { message: error?.message ?? String(error) }));
}

/**
 * The API's pages, one after another (`fetchPage(cursor, limit)`), until the end or exactly
 * `maxRows`: `{ items, capped }`, capped only when a row was really left out. Near the cap a page
 * asks for one row more than still fits: that row, if it comes, is the proof that there are more
 * (a cursor alone is not: a page may end at a month's boundary with nothing older).
 */
export async function collectExportRows(fetchPage, maxRows, onProgress = () => {}) {
  const items = [];
  let cursor = null;
  do {
    const room = maxRows - items.length;
    const page = await fetchPage(cursor, Math.min(EXPORT_PAGE_SIZE, room + 1));
    if (page.items.length > room) {
      items.push(...page.items.slice(0, room));
      onProgress(items.length);
      return { items, capped: true };
    }
    items.push(...page.items);
    cursor = page.nextCursor;
    onProgress(items.length);
  } while (cursor);
  return { items, capped: false };
}

async function exportCsv(t, filters, status) {
  const header = ['tx.col.time', 'tx.col.outTradeNo', 'tx.col.tradeNo', 'tx.col.subject', 'tx.col.amount', 'tx.col.status', 'tx.col.delivery', 'tx.col.paidAt', 'tx.col.refunded', 'tx.col.lastError'].map((k) => t(k));
  const { items, capped } = await collectExportRows(
    (cursor, limit) => getJson('/admin/api/payments', { ...apiFilters(filters), q: filters.q, cursor, limit }),
    EXPORT_MAX_ROWS,
    (rows) => show(status, t('tx.exporting', { rows })),
  );
  const rows = items.map((r) => [beijingDateTime(r.firstSeenAt), r.outTradeNo, r.tradeNo, r.subject, r.total ?? money(r.totalCents), r.status, r.delivery, beijingDateTime(r.paidAt), r.refunded ?? money(r.refundedCents), r.lastError]);
  const blob = new Blob([toCsv([header, ...rows])], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: `payments-${filters.from}-${filters.to}.csv`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  show(status, capped ? t('tx.exportCapped', { rows: rows.length }) : t('tx.exported', { rows: rows.length }));
}

export async function transactionsView(root, { t }, query) {
  const filters = readFilters(query);
  // Refused, not guessed: another range or an empty answer would look like the one asked for.
  if (filters.problems.length > 0) {
    show(root, h('h1', {}, t('tx.title')), filterForm(t, filters));
    return;
  }
  const totals = h('div', { class: 'totals', id: 'totals' }, h('p', { class: 'muted' }, t('loading')));
  const chartBox = h('div', { class: 'chart-box', id: 'chart' });
  const tableBody = h('tbody', {});
  const shown = h('span', { class: 'muted', id: 'shown' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('tx.more'));
  const exportStatus = h('span', { class: 'muted', role: 'status' });
  const exportButton = h('button', { type: 'button', class: 'secondary', id: 'export' }, t('tx.export'));
  const bucketLinks = h(
    'span',
    { class: 'bucket-switch' },
    ['hour', 'day'].map((bucket) =>
      filters.bucket === bucket || (bucket === 'hour' && filters.days > MAX_HOURLY_DAYS)
        ? h('span', { class: filters.bucket === bucket ? 'current' : 'disabled' }, t(`chart.${bucket}`))
        : h('a', { href: fragmentOf({ ...filters, bucket }) }, t(`chart.${bucket}`)),
    ),
  );
  const table = h(
    'table',
    { class: 'payments', id: 'payments' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['tx.col.time', 'tx.col.outTradeNo', 'tx.col.tradeNo', 'tx.col.subject', 'tx.col.amount', 'tx.col.status', 'tx.col.delivery'].map((k) =>
          h('th', { class: k === 'tx.col.amount' ? 'num' : null }, t(k)),
        ),
      ),
    ),
    tableBody,
  );

  show(
    root,
    h('h1', {}, t('tx.title')),
    filterForm(t, filters),
    totals,
    h('section', { class: 'panel' }, h('h2', {}, t('chart.title'), ' ', bucketLinks), chartBox),
    h('section', { class: 'panel' }, h('div', { class: 'table-tools' }, shown, exportButton, exportStatus), h('div', { class: 'scroll' }, table), more),
  );

  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      await exportCsv(t, filters, exportStatus);
    } catch (error) {
      show(exportStatus, failure(t, error));
    } finally {
      exportButton.disabled = false;
    }
  });

  let rows = [];
  let cursor = null;
  const loadPage = async () => {
    const page = await getJson('/admin/api/payments', { ...apiFilters(filters), q: filters.q, cursor, limit: PAGE_SIZE });
    rows = rows.concat(page.items);
    for (const row of page.items) tableBody.append(rowOf(t, row));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    const summary = rows.length === 0 ? t('tx.none') : t('tx.shown', { shown: count(rows.length) });
    // A search whose index part did not answer says so: "nothing found" would not be the whole truth.
    show(shown, page.warning ? h('span', {}, summary, ' ', h('span', { class: 'error' }, t('tx.partial', { warning: page.warning }))) : summary);
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      await loadPage();
    } catch (error) {
      more.after(failure(t, error));
    } finally {
      more.disabled = false;
    }
  });

  const range = apiRange(filters);
  let searchFailed = null;
  const jobs = [
    loadPage().catch((error) => {
      searchFailed = error;
      show(shown, failure(t, error));
    }),
    getJson('/admin/api/series', { ...range, bucket: filters.bucket })
      .then((series) => {
        const starts = bucketStarts(Date.parse(range.from), Date.parse(range.to), series.bucket ?? filters.bucket);
        show(
          chartBox,
          series.points.length === 0 ? h('p', { class: 'muted' }, t('chart.empty')) : chartLegend(t),
          paidChart(t, series.points, starts, series.bucket ?? filters.bucket),
        );
      })
      .catch((error) => show(chartBox, failure(t, error))),
  ];
  if (filters.q === '') {
    jobs.push(
      getJson('/admin/api/totals', apiFilters(filters))
        .then((answer) => show(totals, totalsBox(t, answer)))
        .catch((error) => show(totals, failure(t, error))),
    );
  }
  await Promise.all(jobs);
  // A search's totals are those of its rows: a failed search has none, not zero.
  if (filters.q !== '') show(totals, searchFailed ? failure(t, searchFailed) : totalsBox(t, totalsOfRows(rows)));
}
