// The console's entry point: the header (views, time zone, language, sign-out) and a router over
// the URL fragment:
//   #/transactions[?filters]        history, totals, chart, CSV
//   #/orders/<app>/<out_trade_no>   one order (also #/messages/<app>/<notify_id>)
//   #/dead-letters                  dead letters and bulk redelivery
//   #/health                        settings summary and rejections
import { deadLettersView } from './dead-letters.js';
import { h, show } from './dom.js';
import { healthView } from './health.js';
import { translator } from './i18n.js';
import { orderView } from './order.js';
import { transactionsView } from './transactions.js';

const lang = document.documentElement.dataset.lang === 'en' ? 'en' : 'zh';
const t = translator(lang);
document.title = t('app.title');

const NAV = [
  ['#/transactions', 'nav.transactions'],
  ['#/dead-letters', 'nav.deadLetters'],
  ['#/health', 'nav.health'],
];

function header() {
  const other = lang === 'zh' ? 'en' : 'zh';
  const languageLink = h('a', { href: `/admin/?lang=${other}`, hreflang: other, id: 'language' }, t('otherLanguage'));
  // Keep the current view across the language switch: the fragment survives the redirect.
  languageLink.addEventListener('click', () => (languageLink.href = `/admin/?lang=${other}${window.location.hash}`));
  return [
    h('a', { href: '#/transactions', class: 'brand' }, t('app.title')),
    h('nav', {}, NAV.map(([href, key]) => h('a', { href, dataset: { view: href } }, t(key)))),
    h('span', { class: 'zone', title: 'Asia/Shanghai' }, t('zone')),
    languageLink,
    h('form', { method: 'post', action: '/admin/session/logout', class: 'sign-out' }, h('button', { type: 'submit', class: 'link' }, t('signOut'))),
  ];
}

function parseRoute(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  if (path === '/dead-letters') return { nav: '#/dead-letters', render: (root, ctx) => deadLettersView(root, ctx) };
  if (path === '/health') return { nav: '#/health', render: (root, ctx) => healthView(root, ctx) };
  if (/^\/(orders|messages)\//.test(path)) return { nav: '#/transactions', render: (root, ctx) => orderView(root, ctx, path) };
  return { nav: '#/transactions', render: (root, ctx) => transactionsView(root, ctx, params) };
}

const view = document.getElementById('view');
let generation = 0;

/** Renders the fragment's view into a fresh container, so a slow earlier view can never overwrite a newer one. */
async function route() {
  const mine = ++generation;
  delete document.body.dataset.ready; // set again when this view has loaded (the browser tests wait for it)
  const { nav, render } = parseRoute(window.location.hash);
  for (const link of document.querySelectorAll('header nav a')) link.classList.toggle('current', link.dataset.view === nav);
  const container = h('div', { class: 'view' }, h('p', { class: 'muted' }, t('loading')));
  show(view, container);
  const ctx = { t, lang, rerender: () => (mine === generation ? route() : Promise.resolve()) };
  try {
    await render(container, ctx);
  } catch (error) {
    if (mine === generation) show(container, h('p', { class: 'error', role: 'alert' }, t('error', { message: error?.message ?? String(error) })));
  }
  if (mine === generation) document.body.dataset.ready = nav;
}

// Signed in already, the one-click link (/admin/session#token=...) lands here with its fragment:
// drop it. No fragment: name the default view, so the address can be bookmarked as it is.
if (window.location.hash.startsWith('#token=') || window.location.hash === '') window.history.replaceState(null, '', '/admin/#/transactions');
show(document.getElementById('top'), header());
window.addEventListener('hashchange', () => void route());
void route();
