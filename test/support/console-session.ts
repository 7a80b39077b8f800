// Signing in to the console as a browser would, for the workerd tests: POST the form, keep the
// cookie the gateway sets, send it back.
import { TEST_ONLY_ADMIN_TOKEN } from '../fixtures/gateway-test-keys';

export const HTTPS_BASE = 'https://gateway.test';
export const LOOPBACK_BASE = 'http://127.0.0.1:8787';

let address = 0;
/** A client address of its own for each sign-in, so the rate limiter's budget is never shared by accident. */
export function freshClientIp(): string {
  address += 1;
  // The documentation range (never a real client), one /64 each: limiters count an IPv6 client by its /64.
  return `2001:db8:${address.toString(16)}::1`;
}

export function signInRequest(token: string = TEST_ONLY_ADMIN_TOKEN, options: { base?: string; ip?: string; origin?: string | null; body?: string } = {}): Request {
  const base = options.base ?? HTTPS_BASE;
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': options.ip ?? freshClientIp() });
  const origin = options.origin === undefined ? base : options.origin;
  if (origin !== null) headers.set('origin', origin);
  return new Request(`${base}/admin/session`, { method: 'POST', headers, body: options.body ?? new URLSearchParams({ token }).toString(), redirect: 'manual' });
}

/** `name=value` of the first Set-Cookie (what the browser sends back), or null. */
export function cookieFrom(response: Response): string | null {
  const header = response.headers.get('set-cookie');
  return header === null ? null : header.split(';', 1)[0]!;
}

export function withCookie(path: string, cookie: string, init: RequestInit & { base?: string } = {}): Request {
  const headers = new Headers(init.headers);
  headers.set('cookie', cookie);
  return new Request(`${init.base ?? HTTPS_BASE}${path}`, { ...init, headers, redirect: 'manual' });
}
