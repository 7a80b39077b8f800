// Health: what GET /health says, in words, and the notifications the gateway refused over the
// last 24 hours by reason (a jump in `signature-mismatch` after a key rotation shows here).
import { getJson, postJson } from './api.js';
import { h, show } from './dom.js';
import { beijingDate, beijingDateTime, count, HOUR_MS } from './format.js';
import { codeText } from './i18n.js';

const list = (values) => (values && values.length > 0 ? values.join(', ') : '—');

function summaryRows(t, s) {
  const keys = (s.keys ?? []).map((k) =>
    h(
      'div',
      { class: 'mono' },
      `${k.form} ${k.bits} bit ${k.fingerprint}`,
      k.certSn ? ` SN ${k.certSn}` : '',
      k.notAfter ? ` (${t('health.expires', { date: beijingDate(k.notAfter) })})` : '',
    ),
  );
  const f = s.forward ?? {};
  return [
    ['health.signTypes', list(s.signTypes)],
    ['health.keys', keys.length > 0 ? keys : '—'],
    ['health.appIds', list(s.appIds)],
    ['health.sellerIds', list(s.sellerIds)],
    ['health.maxNotifyAge', s.maxNotifyAge],
    ['health.notifyPath', s.notifyPath],
    ['health.ackMode', s.ackMode],
    ['health.originHost', s.originHost],
    ['health.format', f.format],
    ['health.events', list(f.events)],
    ['health.signing', f.signing],
    ['health.secrets', f.secrets === undefined ? undefined : String(f.secrets)],
    ['health.timeout', f.timeout],
    ['health.retrySchedule', f.retrySchedule ? `${f.retrySchedule.join(', ')} (${f.maxAttempts})` : undefined],
    ['health.returnUrlHost', s.returnUrlHost ?? '—'],
    ['health.adminApi', s.adminApi ? t('health.yes') : t('health.no')],
    ['health.statusPage', s.statusPage ? (s.statusPage.enabled ? `${t('health.yes')} (${list(s.statusPage.allowedOrigins)})` : t('health.no')) : undefined],
    ['health.reconcile', s.reconcile ? (s.reconcile.enabled ? `${t('health.yes')} (${s.reconcile.gateway}; ${list(s.reconcile.schedule)})` : t('health.no')) : undefined],
    ['health.alerts', s.alerts === undefined ? undefined : s.alerts === null ? t('health.no') : `${s.alerts.format} → ${s.alerts.host}`],
  ].filter(([, value]) => value !== undefined && value !== null);
}

/** [{ hour, reason, count }] -> [{ reason, day, thisHour }], most frequent first. */
export function rejectionsByReason(points, nowMs = Date.now()) {
  const hourStart = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const byReason = new Map();
  for (const p of points) {
    const entry = byReason.get(p.reason) ?? { reason: p.reason, day: 0, thisHour: 0 };
    entry.day += Number(p.count);
    if (Date.parse(p.hour) >= hourStart) entry.thisHour += Number(p.count);
    byReason.set(p.reason, entry);
  }
  return [...byReason.values()].sort((a, b) => b.day - a.day || a.reason.localeCompare(b.reason));
}

/** The gateway's reason code (what its logs and Alipay's answer say) and, when known, what it means. */
function reasonCell(t, reason) {
  const words = codeText(t, 'rejection', reason);
  return h('td', {}, h('span', { class: 'mono' }, reason), words === reason ? null : h('span', { class: 'muted' }, ` ${words}`));
}

async function rejections(t, box) {
  try {
    const answer = await getJson('/admin/api/rejections', { from: new Date(Date.now() - 24 * HOUR_MS).toISOString(), to: new Date().toISOString() });
    const rows = rejectionsByReason(answer.points ?? []);
    show(
      box,
      rows.length === 0
        ? h('p', { class: 'muted' }, t('health.noRejections'))
        : h(
            'table',
            { class: 'rejections' },
            h('thead', {}, h('tr', {}, h('th', {}, t('health.col.reason')), h('th', { class: 'num' }, t('health.col.day')), h('th', { class: 'num' }, t('health.col.hour')))),
            h('tbody', {}, rows.map((r) => h('tr', { dataset: { reason: r.reason } }, reasonCell(t, r.reason), h('td', { class: 'num' }, count(r.day)), h('td', { class: 'num' }, count(r.thisHour))))),
          ),
    );
  } catch (error) {
    show(box, h('p', { class: 'error' }, error?.status === 404 ? t('notAvailable', { message: error.message }) : t('error', { message: error.message })));
  }
}

/** Whether deliveries are held, and the buttons to hold (the site is down for maintenance) or resume them. */
function deliveriesPanel(t, deliveries, rerender) {
  if (!deliveries) return null;
  const message = h('p', { class: 'muted', role: 'status', id: 'deliveries-result' });
  const reason = deliveries.held ? null : h('input', { type: 'text', id: 'hold-reason', maxlength: '200', placeholder: t('health.holdReason') });
  const button = h('button', { type: 'button', id: deliveries.held ? 'resume-deliveries' : 'hold-deliveries', class: deliveries.held ? '' : 'secondary' }, t(deliveries.held ? 'health.resume' : 'health.hold'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (deliveries.held) await postJson('/admin/api/deliveries/resume');
      else await postJson('/admin/api/deliveries/hold', reason.value.trim() === '' ? undefined : { reason: reason.value.trim() });
      await rerender();
    } catch (error) {
      show(message, h('span', { class: 'error' }, t('error', { message: error.message })));
      button.disabled = false;
    }
  });
  const state = deliveries.held
    ? h('p', { class: 'verdict bad', id: 'deliveries-state' }, t('health.deliveriesHeld', { since: beijingDateTime(deliveries.heldSince), orders: count(deliveries.waitingOrders) }))
    : h('p', { class: 'verdict ok', id: 'deliveries-state' }, t('health.deliveriesOn'), deliveries.drainingUntil ? ` · ${t('health.draining', { until: beijingDateTime(deliveries.drainingUntil) })}` : '');
  return h('section', { class: 'panel', id: 'deliveries' }, h('h2', {}, t('health.deliveries')), state, h('p', {}, reason, ' ', button), message);
}

export async function healthView(root, { t, rerender }) {
  const response = await fetch('/health', { cache: 'no-store' });
  const health = await response.json();
  const rejectionsBox = h('div', { id: 'rejections' }, h('p', { class: 'muted' }, t('loading')));
  const verdict = health.ok
    ? h('p', { class: 'verdict ok', id: 'verdict' }, `✓ ${t('health.ok')}`)
    : h('div', { class: 'verdict bad', id: 'verdict' }, h('p', {}, `✗ ${t('health.problems')}`), h('ul', {}, (health.problems ?? []).map((p) => h('li', {}, String(p)))));
  const warnings = health.ok && health.warnings?.length > 0 ? h('div', { class: 'warnings' }, h('h2', {}, t('health.warnings')), h('ul', {}, health.warnings.map((w) => h('li', {}, w)))) : null;
  show(
    root,
    h('h1', {}, t('health.title')),
    verdict,
    warnings,
    health.ok ? deliveriesPanel(t, health.deliveries, rerender) : null,
    health.ok ? h('section', { class: 'panel' }, h('dl', { class: 'summary' }, summaryRows(t, health).map(([key, value]) => [h('dt', {}, t(key)), h('dd', {}, value)]))) : null,
    h('section', { class: 'panel' }, h('h2', {}, t('health.rejections')), rejectionsBox),
  );
  await rejections(t, rejectionsBox);
}
