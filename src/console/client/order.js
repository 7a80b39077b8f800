// One order (or app-gateway message): a summary from its latest notification, its events with
// their delivery state and redeliver buttons, and the timeline of everything that happened:
// notifications (with the scheme, content rule and key that verified them), events, and every
// delivery attempt (HTTP status, duration, the origin's answer). Buyer identity arrives masked.
import { getJson, postJson } from './api.js';
import { h, show } from './dom.js';
import { beijingDateTime, toMs } from './format.js';
import { codeText } from './i18n.js';

const ORDER_PATH = /^\/(orders|messages)\/[^/]+\/[^/]+$/;

/**
 * The ledger's timeline: the gateway's own when it sends one, else put together from the
 * notifications, events and attempts of the same answer. Oldest first.
 */
export function timelineOf(ledger) {
  if (Array.isArray(ledger.timeline)) return ledger.timeline;
  const items = [];
  for (const n of ledger.notifications ?? []) items.push({ ...n, type: 'notification', at: n.receivedAt });
  for (const e of ledger.events ?? []) {
    items.push({ ...e, type: 'event', at: e.createdAt });
  }
  for (const a of ledger.attempts ?? []) items.push({ ...a, type: 'attempt', at: a.startedAt });
  return items.sort((a, b) => (toMs(a.at) ?? 0) - (toMs(b.at) ?? 0));
}

function latestParams(ledger) {
  const withParams = (ledger.notifications ?? []).filter((n) => n.params);
  return withParams.length === 0 ? {} : withParams[withParams.length - 1].params;
}

/** What the ledger keeps of its notifications after their bodies are purged (30 days): the newest known of each. */
function keptFacts(ledger) {
  const latest = (pick) => (ledger.notifications ?? []).map(pick).filter((v) => v !== null && v !== undefined).pop();
  return {
    trade_no: latest((n) => n.facts?.tradeNo),
    subject: latest((n) => n.facts?.subject),
    total_amount: latest((n) => n.facts?.totalAmount),
    trade_status: latest((n) => n.tradeStatus),
  };
}

/** When Alipay's first notification came: the ledger's own creation is a registration or a query, not one. */
function firstNotificationAt(ledger) {
  const received = (ledger.notifications ?? []).filter((n) => n.source !== 'query').map((n) => n.receivedAt);
  return received.sort((a, b) => (toMs(a) ?? 0) - (toMs(b) ?? 0))[0] ?? null;
}

function summary(t, ledger) {
  const p = latestParams(ledger);
  const kept = keptFacts(ledger);
  const r = ledger.reconcile;
  const firstNotification = firstNotificationAt(ledger);
  const rows = [
    ['order.app', ledger.app],
    ['order.tradeNo', p.trade_no ?? kept.trade_no],
    ['order.subject', p.subject ?? kept.subject],
    ['order.amount', p.total_amount ?? p.total_fee ?? kept.total_amount],
    ['order.tradeStatus', p.trade_status ?? kept.trade_status],
    ['order.buyer', p.buyer_logon_id ?? p.buyer_email ?? p.buyer_id ?? p.buyer_open_id],
    ['order.firstSeen', beijingDateTime(ledger.createdAt)],
    ['order.firstNotification', firstNotification === null ? null : beijingDateTime(firstNotification)],
    ['order.expected', r?.expectedAmount],
    ['order.reconcile', r ? t('order.reconcileState', { state: codeText(t, 'reconcile', r.state), queries: r.queries }) : null],
    ['order.nextQuery', r?.nextQueryAt ? beijingDateTime(r.nextQueryAt) : null],
    ['order.lastQuery', r?.lastOutcome ? [codeText(t, 'query', r.lastOutcome), r.lastError].filter(Boolean).join(': ') : null],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '');
  return h(
    'dl',
    { class: 'summary' },
    rows.map(([key, value]) => [h('dt', { dataset: { field: key } }, t(key)), h('dd', { dataset: { field: key } }, value)]),
  );
}

function timelineItem(t, item) {
  const at = h('time', { datetime: item.at ?? '' }, beijingDateTime(item.at));
  const body = [];
  switch (item.type) {
    case 'notification': {
      const what = [item.notifyType, item.tradeStatus].filter(Boolean).join(' · ');
      body.push(h('strong', {}, t('tl.notification')), what ? ` ${what}` : '');
      if (item.resends > 0) body.push(t('tl.resends', { n: item.resends }));
      const key = item.keyFingerprint ?? (item.signType === 'MD5' ? t('tl.noKey') : null);
      body.push(
        h('div', { class: 'detail' }, t('tl.verified', { signType: item.signType ?? '?', rule: item.contentRule ?? '?', key: key ?? '—' })),
      );
      if (item.notifyId) body.push(h('div', { class: 'detail mono' }, `notify_id ${item.notifyId}`));
      break;
    }
    case 'event':
      body.push(h('strong', {}, t('tl.event', { event: item.eventKey ?? '', kind: item.kind ? codeText(t, 'kind', item.kind) : '' })));
      if (item.state) body.push(' ', h('span', { class: `badge state-${item.state}` }, codeText(t, 'state', item.state)));
      if (item.webhookId) body.push(h('div', { class: 'detail mono' }, `webhook-id ${item.webhookId}`));
      // Died, then delivered by a redelivery: both, in the order they happened.
      const ends = [
        item.deadAt ? { at: item.deadAt, text: t('tl.dead', { event: item.eventKey }), cls: 'detail error-text' } : null,
        item.deliveredAt ? { at: item.deliveredAt, text: t('tl.delivered', { event: item.eventKey }), cls: 'detail' } : null,
      ].filter(Boolean);
      ends.sort((a, b) => (toMs(a.at) ?? 0) - (toMs(b.at) ?? 0));
      for (const end of ends) body.push(h('div', { class: end.cls }, `${end.text} · ${beijingDateTime(end.at)}`));
      break;
    case 'attempt': {
      const outcome = item.outcome ? codeText(t, 'outcome', item.outcome) : '';
      body.push(h('strong', {}, t('tl.attempt', { n: item.attempt ?? '?', outcome })), item.eventKey ? ` (${item.eventKey})` : '');
      const facts = [
        item.status === null || item.status === undefined ? t('tl.noStatus') : t('tl.http', { status: item.status }),
        item.durationMs === null || item.durationMs === undefined ? null : t('tl.duration', { ms: item.durationMs }),
      ].filter(Boolean);
      body.push(h('div', { class: 'detail' }, facts.join(' · ')));
      if (item.excerpt) body.push(h('pre', { class: 'excerpt' }, item.excerpt));
      break;
    }
    default:
      body.push(h('strong', {}, String(item.type)), h('pre', { class: 'excerpt' }, JSON.stringify(item, null, 2)));
  }
  const outcomeClass = item.type === 'attempt' ? (item.outcome === 'delivered' ? ' ok' : ' failed') : item.type === 'event' && item.state ? ` ${item.state}` : '';
  return h('li', { class: `tl-${item.type}${outcomeClass}`, dataset: { type: item.type } }, at, h('div', { class: 'what' }, body));
}

/** Each event's outcome, with the gateway's explanation when it gave one (held, body purged, ...). */
export function resultsText(t, answer) {
  return (answer.results ?? [])
    .map((r) => t('order.result', { event: r.eventKey, outcome: r.outcome ? codeText(t, 'outcome', r.outcome) : codeText(t, 'state', r.state) }) + (r.hint ? ` (${r.hint})` : ''))
    .join('; ');
}

export async function orderView(root, { t, rerender }, path) {
  if (!ORDER_PATH.test(path)) throw new Error(`not an order path: ${path}`);
  const apiPath = `/admin${path}`;
  const ledger = await getJson(apiPath);
  const label = ledger.outTradeNo ?? ledger.orderKey;
  const message = h('p', { class: 'muted', role: 'status', id: 'redeliver-result' });

  const redeliver = async (button, eventKey) => {
    const buttons = root.querySelectorAll('button.redeliver');
    buttons.forEach((b) => (b.disabled = true));
    show(message, t('order.redelivering'));
    try {
      const suffix = eventKey === undefined ? '' : `?event=${encodeURIComponent(eventKey)}`;
      const answer = await postJson(`${apiPath}/redeliver${suffix}`);
      await rerender();
      const again = document.getElementById('redeliver-result');
      if (again) show(again, resultsText(t, answer));
    } catch (error) {
      show(message, h('span', { class: 'error' }, t('error', { message: error.message })));
      buttons.forEach((b) => (b.disabled = false));
    }
  };

  /** A payment held because its amount is not the one registered: an operator releases or refuses it. */
  const decide = async (eventKey, decision) => {
    root.querySelectorAll('button.decide').forEach((b) => (b.disabled = true));
    try {
      const answer = await postJson(`${apiPath}/${decision}?event=${encodeURIComponent(eventKey)}`);
      await rerender();
      const again = document.getElementById('redeliver-result');
      if (again) show(again, resultsText(t, answer));
    } catch (error) {
      show(message, h('span', { class: 'error' }, t('error', { message: error.message })));
      // Nothing was decided: the operator may try again.
      root.querySelectorAll('button.decide').forEach((b) => (b.disabled = false));
    }
  };

  /** The operator's "ask Alipay now": the gateway asks alipay.trade.query during the request. */
  const ask = async (button) => {
    button.disabled = true;
    show(message, t('order.asking'));
    try {
      const answer = await postJson(`${apiPath}/ask`);
      await rerender();
      const again = document.getElementById('redeliver-result');
      if (again) show(again, t('order.asked', { outcome: [answer.outcome ? codeText(t, 'query', answer.outcome) : null, answer.hint].filter(Boolean).join(': ') }));
    } catch (error) {
      show(message, h('span', { class: 'error' }, t('error', { message: error.message })));
      button.disabled = false;
    }
  };

  const forwarded = (ledger.events ?? []).filter((e) => e.state !== 'recorded' && e.state !== 'held' && e.state !== 'refused');
  const eventsTable = h(
    'table',
    { class: 'events' },
    h(
      'thead',
      {},
      h('tr', {}, ['order.col.event', 'order.col.kind', 'order.col.state', 'order.col.attempts', 'order.col.next', 'order.col.lastError', null].map((k) => h('th', {}, k ? t(k) : ''))),
    ),
    h(
      'tbody',
      {},
      (ledger.events ?? []).map((e) => {
        let button = null;
        if (e.state === 'held') {
          const release = h('button', { type: 'button', class: 'decide', dataset: { event: e.eventKey, decision: 'release' } }, t('order.release'));
          const refuse = h('button', { type: 'button', class: 'decide secondary', dataset: { event: e.eventKey, decision: 'refuse' } }, t('order.refuse'));
          release.addEventListener('click', () => decide(e.eventKey, 'release'));
          refuse.addEventListener('click', () => decide(e.eventKey, 'refuse'));
          button = [release, ' ', refuse];
        } else if (e.state !== 'recorded' && e.state !== 'refused') {
          button = h('button', { type: 'button', class: 'redeliver secondary', dataset: { event: e.eventKey } }, t('order.redeliver'));
          button.addEventListener('click', () => redeliver(button, e.eventKey));
        }
        return h(
          'tr',
          { dataset: { event: e.eventKey, state: e.state } },
          h('td', { class: 'mono' }, e.eventKey),
          h('td', {}, codeText(t, 'kind', e.kind)),
          h('td', {}, h('span', { class: `badge state-${e.state}` }, codeText(t, 'state', e.state))),
          h('td', { class: 'num' }, String(e.attempts)),
          h('td', {}, beijingDateTime(e.nextAttemptAt)),
          h('td', { class: 'error-text' }, e.lastError ?? ''),
          h('td', {}, button),
        );
      }),
    ),
  );
  const all = h('button', { type: 'button', class: 'redeliver', id: 'redeliver-all', disabled: forwarded.length === 0 }, t('order.redeliverAll'));
  all.addEventListener('click', () => redeliver(all, undefined));
  // Orders only: an app-gateway message names no trade to ask about.
  const askButton = path.startsWith('/orders/') ? h('button', { type: 'button', class: 'secondary', id: 'ask-alipay' }, t('order.ask')) : null;
  askButton?.addEventListener('click', () => ask(askButton));

  show(
    root,
    h('p', {}, h('a', { href: '#/transactions' }, t('order.back'))),
    h('h1', {}, t('order.title', { id: label })),
    h('section', { class: 'panel' }, h('h2', {}, t('order.summary'), ' ', askButton), summary(t, ledger)),
    h('section', { class: 'panel' }, h('h2', {}, t('order.events'), ' ', all), h('div', { class: 'scroll' }, eventsTable), message),
    h('section', { class: 'panel' }, h('h2', {}, t('order.timeline')), h('ol', { class: 'timeline', id: 'timeline' }, timelineOf(ledger).map((item) => timelineItem(t, item)))),
    h('details', { class: 'panel' }, h('summary', {}, t('order.raw')), h('pre', { class: 'raw' }, JSON.stringify(ledger, null, 2))),
  );
}
