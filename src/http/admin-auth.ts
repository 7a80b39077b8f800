// Who may use the operator API and console: a caller with the Bearer ADMIN_TOKEN (scripts, curl),
// or a browser signed in at /admin/ (session cookie, src/http/admin-session.ts).
//
// A request that carries an Authorization header is judged by it alone. A cookie travels with
// every request the browser makes to the gateway, so for cookie-authenticated requests that
// change something (any method but GET/HEAD) the browser's `Origin` must be the gateway's own:
// a page elsewhere cannot make the operator's browser redeliver events. SameSite=Strict already
// keeps the cookie off cross-site requests; the Origin check also covers same-site neighbours
// (another subdomain) and browsers that ignore SameSite.
import { utf8Encode } from '../utils/bytes';
import { timingSafeEqual } from '../utils/constant-time';
import type { Config } from '../config/types';
import { sessionOf } from './admin-session';
import { clientAddressKey } from './client-address';
import { isSameOrigin } from './same-origin';

export type AdminAuthorization = { ok: true; via: 'bearer' | 'session' } | { ok: false; status: 401 | 403 | 429; error: string };

/** Mirrors `simple` of ADMIN_API_LIMITER in wrangler.toml; for the message only. */
export const BEARER_REQUESTS_PER_MINUTE = 300;

const SAFE_METHODS = new Set(['GET', 'HEAD']);
const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

/** Constant-time: the comparison takes as long whichever byte of a guessed token is wrong. */
export function tokenMatches(candidate: string, adminToken: string): boolean {
  return timingSafeEqual(utf8Encode(candidate), utf8Encode(adminToken));
}

function bearerMatches(header: string, adminToken: string): boolean {
  return tokenMatches(BEARER.exec(header)?.[1] ?? '', adminToken);
}

/**
 * `limiter` (ADMIN_API_LIMITER) counts every request that brings a token, right or wrong, per
 * client address, before the token is looked at: a limit on wrong guesses alone would still answer
 * a right one, so it would not slow guessing at all. Browsers signed in with the cookie are not
 * counted (a session cookie is a MAC, nothing to guess). Locally there is no client address and
 * no limit: the tests and benchmarks call the API far more often than any operator.
 */
export async function authorizeAdmin(request: Request, config: Config, limiter?: RateLimit): Promise<AdminAuthorization> {
  const token = config.adminToken;
  if (token === null) return { ok: false, status: 401, error: 'the admin API is not enabled (ADMIN_TOKEN is not set)' };

  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const client = clientAddressKey(request);
    if (limiter !== undefined && client !== null && !(await limiter.limit({ key: client })).success) {
      return { ok: false, status: 429, error: `more than ${BEARER_REQUESTS_PER_MINUTE} requests with a bearer token from this address in a minute: wait a minute` };
    }
    return bearerMatches(authorization, token) ? { ok: true, via: 'bearer' } : { ok: false, status: 401, error: 'missing or wrong bearer token' };
  }

  const session = await sessionOf(request, token);
  if (!session.ok) {
    const error = session.reason === 'expired' ? 'the session has expired: sign in again' : 'missing or wrong bearer token, and not signed in';
    return { ok: false, status: 401, error };
  }
  if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request)) {
    return { ok: false, status: 403, error: 'a signed-in request that changes something must come from the console itself (Origin)' };
  }
  return { ok: true, via: 'session' };
}
