// Talking to the gateway's JSON admin API with the session cookie (same origin; the browser adds
// Origin to every POST, which the gateway checks). A 401 means the session is gone: back to the
// sign-in form.

export const SIGN_IN_URL = '/admin/session?ended=1';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  if (response.status === 401) {
    window.location.assign(SIGN_IN_URL);
    throw new ApiError(401, 'signed out');
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: the status says what there is to say
  }
  if (!response.ok || body === null || body.ok === false) {
    const message = body !== null && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

/** GET `path` with `params` (null, undefined and '' left out). */
export async function getJson(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  const url = text === '' ? path : `${path}?${text}`;
  return answer(await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' }));
}

export async function postJson(path, body) {
  const init = { method: 'POST', headers: { accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return answer(await fetch(path, init));
}

/**
 * An id as one admin URL path segment, as the gateway writes them (src/orders/order-key.ts,
 * idSegment): percent-encoded, and `.`, `..`, empty or `~`-led ids get one more `~` in front,
 * since URL parsers resolve dot segments before the gateway sees them.
 */
export function idSegment(id) {
  const escape = id === '' || id === '.' || id === '..' || id.startsWith('~');
  return encodeURIComponent(escape ? `~${id}` : id);
}

/**
 * The admin API path of an order or message from its ledger key (`app:out_trade_no`,
 * `app#notify:id`), for lists that give only the key; rows that carry `adminPath` are used as they are.
 */
export function adminPathOfKey(key) {
  const end = key.search(/[:#]/);
  if (end < 0) return `/admin/orders/${idSegment(key)}`;
  const app = idSegment(key.slice(0, end));
  if (key.startsWith('#notify:', end)) return `/admin/messages/${app}/${idSegment(key.slice(end + 8))}`;
  return `/admin/orders/${app}/${idSegment(key.slice(end + 1))}`;
}

/** `/admin/orders/A/B` -> `#/orders/A/B`: the console's page for that order. */
export function orderHash(adminPath) {
  return `#${adminPath.replace(/^\/admin/, '')}`;
}
