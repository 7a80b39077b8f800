// The operator console's session cookie: what signing in with ADMIN_TOKEN gives a browser, so the
// token itself is typed once and never kept in the page.
//
//   value = "v1." exp "." nonce "." mac
//   exp   = expiry, Unix seconds;  nonce = 16 random bytes, base64url
//   mac   = base64url(HMAC-SHA256(sessionKey, "v1." exp "." nonce))
//   sessionKey = HMAC-SHA256(key = UTF-8 of ADMIN_TOKEN, "alipay-notify-edge admin session v1")
//
// The gateway keeps no session store: a cookie is valid while its MAC checks and it has not
// expired. Rotating ADMIN_TOKEN changes the key, which ends every session at once; signing out
// deletes the cookie from that browser.
//
// Attributes: HttpOnly, SameSite=Strict, Path=/, Max-Age, and Secure with the `__Host-` name
// prefix (the browser then refuses a cookie set over http or for a parent domain). Plain http
// is only served to loopback hosts (`wrangler dev`), where a Secure cookie would not be stored:
// there the cookie has no prefix and no Secure flag.
import { utf8Encode } from '../utils/bytes';
import { base64UrlEncode } from '../utils/base64';
import { timingSafeEqual } from '../utils/constant-time';
import { LOOPBACK_HOSTS } from '../config/values';

/** How long a sign-in lasts: a working day, after which the operator types the token again. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

const VERSION = 'v1';
const KEY_CONTEXT = 'alipay-notify-edge admin session v1';
const SECURE_NAME = '__Host-gw_admin';
const LOOPBACK_NAME = 'gw_admin';
const SESSION_VALUE = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** A Cookie header is a few hundred bytes; more copies of our cookie than this are not worth a MAC each. */
const MAX_CANDIDATES = 4;

export type SessionCheck = { ok: true; expiresAt: number } | { ok: false; reason: 'no-session' | 'bad-session' | 'expired' };

/** Whether the cookie can be Secure: every deployed host is https; plain http only on loopback. */
export function isSecureContext(url: URL): boolean {
  return url.protocol === 'https:' || !LOOPBACK_HOSTS.has(url.hostname);
}

export function sessionCookieName(url: URL): string {
  return isSecureContext(url) ? SECURE_NAME : LOOPBACK_NAME;
}

// One derived key per ADMIN_TOKEN value (the config is per isolate, and the token rarely changes).
let cachedKey: { token: string; key: Promise<CryptoKey> } | null = null;

function sessionKey(adminToken: string): Promise<CryptoKey> {
  if (cachedKey?.token !== adminToken) {
    const derived = (async () => {
      const tokenKey = await crypto.subtle.importKey('raw', utf8Encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const raw = await crypto.subtle.sign('HMAC', tokenKey, utf8Encode(KEY_CONTEXT));
      return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    })();
    cachedKey = { token: adminToken, key: derived };
  }
  return cachedKey.key;
}

async function macOf(adminToken: string, payload: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await sessionKey(adminToken), utf8Encode(payload));
  return base64UrlEncode(new Uint8Array(mac));
}

/** A fresh session value, valid until `nowMs` + SESSION_TTL_SECONDS. */
export async function mintSession(adminToken: string, nowMs: number = Date.now()): Promise<string> {
  const exp = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
  const nonce = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
  const payload = `${VERSION}.${exp}.${nonce}`;
  return `${payload}.${await macOf(adminToken, payload)}`;
}

/** Checks one cookie value: the MAC in constant time, then the expiry. */
export async function checkSession(value: string, adminToken: string, nowMs: number = Date.now()): Promise<SessionCheck> {
  const match = SESSION_VALUE.exec(value);
  if (match === null) return { ok: false, reason: 'bad-session' };
  const payload = value.slice(0, value.lastIndexOf('.'));
  const expected = await macOf(adminToken, payload);
  if (!timingSafeEqual(utf8Encode(match[3]!), utf8Encode(expected))) return { ok: false, reason: 'bad-session' };
  const exp = Number(match[1]);
  const now = Math.floor(nowMs / 1000);
  // A MAC-valid expiry further ahead than one TTL was not minted by this code: refuse it too.
  if (exp <= now || exp > now + SESSION_TTL_SECONDS + 60) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: exp * 1000 };
}

/** The values of every cookie named `name` in a Cookie header (a browser may send two of the same name). */
export function cookieValues(header: string | null, name: string): string[] {
  if (header === null) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    values.push(part.slice(eq + 1).trim());
    if (values.length >= MAX_CANDIDATES) break;
  }
  return values;
}

/** The request's session: ok when any cookie of the session name checks. */
export async function sessionOf(request: Request, adminToken: string, nowMs: number = Date.now()): Promise<SessionCheck> {
  const values = cookieValues(request.headers.get('cookie'), sessionCookieName(new URL(request.url)));
  let result: SessionCheck = { ok: false, reason: 'no-session' };
  for (const value of values) {
    result = await checkSession(value, adminToken, nowMs);
    if (result.ok) return result;
  }
  return result;
}

function attributes(url: URL, maxAge: number): string {
  return `Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${isSecureContext(url) ? '; Secure' : ''}`;
}

/** Set-Cookie for a new session. */
export function sessionCookie(url: URL, value: string): string {
  return `${sessionCookieName(url)}=${value}; ${attributes(url, SESSION_TTL_SECONDS)}`;
}

/** Set-Cookie that deletes the session cookie (signing out). */
export function clearedSessionCookie(url: URL): string {
  return `${sessionCookieName(url)}=; ${attributes(url, 0)}`;
}
