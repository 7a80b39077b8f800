// Dead letters: events the origin never acknowledged before the retry schedule ran out. Each can
// be redelivered on its own; "redeliver all since T" works through them in bounded batches (the
// API takes at most 50 per call), showing progress, until none is left or the operator stops.
import { adminPathOfKey, getJson, orderHash, postJson } from './api.js';
import { h, show } from './dom.js';
import { beijingDateTime, beijingLocalInput, toBeijingLocalInput } from './format.js';
import { resultsText } from './order.js';

const LIST_LIMIT = 200;
const BATCH = 20;
/** A runaway loop guard: 500 batches of 20 is far more than any real backlog after an outage. */
const MAX_BATCHES = 500;

/** One list entry, whatever shape the gateway's list has (ledger dead letter or payments index row). */
export function deadLetterOf(item) {
  const orderKey = item.orderKey ?? `${item.appId}:${item.outTradeNo}`;
  return {
    orderKey,
    adminPath: item.adminPath ?? adminPathOfKey(orderKey),
    label: item.outTradeNo ?? orderKey.slice(orderKey.indexOf(':') + 1),
    eventKey: item.eventKey ?? null,
    attempts: item.attempts ?? null,
    diedAt: item.diedAt ?? item.updatedAt ?? null,
    lastError: item.lastError ?? null,
    /** False once the notification body is purged (retention): nothing is left to send. */
    redeliverable: item.redeliverable !== false,
  };
}

function bulkForm(t, onDone) {
  const since = h('input', { type: 'datetime-local', name: 'since', value: toBeijingLocalInput(Date.now() - 24 * 60 * 60 * 1000), required: true });
  const start = h('button', { type: 'submit', id: 'redeliver-since' }, t('dl.bulk'));
  const stop = h('button', { type: 'button', class: 'secondary', hidden: true }, t('dl.stop'));
  const bar = h('progress', { max: 1, value: 0, hidden: true });
  const status = h('span', { role: 'status', id: 'bulk-progress' });
  let stopping = false;
  stop.addEventListener('click', () => (stopping = true));

  const form = h('form', { class: 'bulk' }, h('label', {}, t('dl.since'), ' ', since), h('span', { class: 'muted' }, ` ${t('zone')} `), start, stop, bar, status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sinceMs = beijingLocalInput(since.value);
    if (sinceMs === null) return;
    stopping = false;
    start.disabled = true;
    stop.hidden = false;
    bar.hidden = false;
    const totals = { attempted: 0, delivered: 0, failed: 0, remaining: 0 };
    let end = 'dl.done';
    let remainingBefore = Infinity;
    try {
      for (let batch = 0; ; batch++) {
        const answer = await postJson('/admin/api/dead-letters/redeliver', { since: new Date(sinceMs).toISOString(), limit: BATCH });
        totals.attempted += answer.attempted;
        totals.delivered += answer.delivered;
        totals.failed += answer.failed;
        totals.remaining = answer.remaining;
        bar.max = Math.max(1, totals.attempted + totals.remaining);
        bar.value = totals.attempted;
        show(status, t('dl.progress', totals));
        if (answer.remaining === 0) break;
        if (stopping) {
          end = 'dl.stopped';
          break;
        }
        // Nothing went out, or the same oldest events keep failing: calling again would only repeat them.
        if (answer.attempted === 0 || answer.remaining >= remainingBefore || batch + 1 >= MAX_BATCHES) {
          end = 'dl.stuck';
          break;
        }
        remainingBefore = answer.remaining;
      }
      show(status, `${t('dl.progress', totals)} ${t(end)}`);
    } catch (error) {
      show(status, h('span', { class: 'error' }, t('error', { message: error.message })));
    } finally {
      start.disabled = false;
      stop.hidden = true;
      await onDone();
    }
  });
  return form;
}

export async function deadLettersView(root, { t }) {
  const list = h('div', { id: 'dead-letters' }, h('p', { class: 'muted' }, t('loading')));
  const load = async () => {
    const answer = await getJson('/admin/dead-letters', { limit: LIST_LIMIT });
    const entries = (answer.deadLetters ?? answer.items ?? []).map(deadLetterOf);
    if (entries.length === 0) {
      show(list, h('p', { class: 'muted' }, t('dl.none')));
      return;
    }
    const rows = entries.map((entry) => {
      const result = h('span', { class: 'muted' });
      const button = h('button', { type: 'button', class: 'secondary redeliver', disabled: !entry.redeliverable, title: entry.redeliverable ? null : t('dl.purged') }, t('order.redeliver'));
      button.addEventListener('click', async () => {
        button.disabled = true;
        show(result, t('order.redelivering'));
        try {
          const suffix = entry.eventKey === null ? '' : `?event=${encodeURIComponent(entry.eventKey)}`;
          const answer = await postJson(`${entry.adminPath}/redeliver${suffix}`);
          show(result, resultsText(t, answer));
          setTimeout(() => void load().catch(() => {}), 1500);
        } catch (error) {
          show(result, h('span', { class: 'error' }, t('error', { message: error.message })));
          button.disabled = false;
        }
      });
      return h(
        'tr',
        { dataset: { order: entry.label, event: entry.eventKey ?? '' } },
        h('td', { class: 'mono' }, h('a', { href: orderHash(entry.adminPath) }, entry.label)),
        h('td', { class: 'mono' }, entry.eventKey ?? ''),
        h('td', { class: 'num' }, entry.attempts === null ? '' : String(entry.attempts)),
        h('td', { class: 'time' }, beijingDateTime(entry.diedAt)),
        h('td', { class: 'error-text' }, entry.lastError ?? ''),
        h('td', {}, button, ' ', result),
      );
    });
    show(
      list,
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'dead-letters' },
          h('thead', {}, h('tr', {}, ['dl.col.order', 'dl.col.event', 'dl.col.attempts', 'dl.col.died', 'dl.col.lastError', null].map((k) => h('th', {}, k ? t(k) : '')))),
          h('tbody', {}, rows),
        ),
      ),
    );
  };
  const reload = () => load().catch((error) => show(list, h('p', { class: 'error' }, t('error', { message: error.message }))));

  show(root, h('h1', {}, t('dl.title')), h('p', { class: 'muted' }, t('dl.explain')), h('section', { class: 'panel' }, bulkForm(t, reload)), h('section', { class: 'panel' }, list));
  await reload();
}
