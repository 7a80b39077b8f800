// The files a browser loads from the gateway, by the name it asks for. The client files are
// plain ES modules (no build step): the page loads app.js, which imports the others by relative
// URL, and the Node tests import the same files from disk.
import { sha256Hex } from '../utils/hex';
import { utf8Encode } from '../utils/bytes';
import api from './client/api.js';
import app from './client/app.js';
import chart from './client/chart.js';
import css from './client/console.css';
import deadLetters from './client/dead-letters.js';
import dom from './client/dom.js';
import format from './client/format.js';
import health from './client/health.js';
import i18n from './client/i18n.js';
import order from './client/order.js';
import signIn from './client/sign-in.js';
import transactions from './client/transactions.js';
import statusWidget from './widget/status.js';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

export interface Asset {
  readonly body: string;
  readonly contentType: string;
  /** A strong ETag of the body, computed on first use. */
  etag(): Promise<string>;
}

function asset(body: string, contentType: string): Asset {
  let etag: Promise<string> | undefined;
  return { body, contentType, etag: () => (etag ??= sha256Hex(utf8Encode(body)).then((hex) => `"${hex.slice(0, 20)}"`)) };
}

const CONSOLE_ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['api.js', asset(api, JS)],
  ['app.js', asset(app, JS)],
  ['chart.js', asset(chart, JS)],
  ['console.css', asset(css, CSS)],
  ['dead-letters.js', asset(deadLetters, JS)],
  ['dom.js', asset(dom, JS)],
  ['format.js', asset(format, JS)],
  ['health.js', asset(health, JS)],
  ['i18n.js', asset(i18n, JS)],
  ['order.js', asset(order, JS)],
  ['sign-in.js', asset(signIn, JS)],
  ['transactions.js', asset(transactions, JS)],
]);

/** A console file by name (`app.js`), or undefined. */
export function consoleAsset(name: string): Asset | undefined {
  return CONSOLE_ASSETS.get(name);
}

export const STATUS_WIDGET: Asset = asset(statusWidget, JS);
