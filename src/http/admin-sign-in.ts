// Signing in to the console and out of it:
//   GET  /admin/session          the sign-in form (or the console, when already signed in)
//   POST /admin/session          form field `token` = ADMIN_TOKEN -> session cookie, 303 to /admin/
//   POST /admin/session/logout   deletes the cookie, 303 to the form (?signed_out=1; ?ended=1 when
//                                the console found its session expired)
//
// Limits on the form: the body is at most 2 KiB of application/x-www-form-urlencoded, the token
// at most 512 characters, compared in constant time; a browser's Origin must be the gateway's
// own; and each client address gets SIGN_IN_ATTEMPTS_PER_MINUTE attempts (the
// ADMIN_SIGN_IN_LIMITER rate-limit binding in wrangler.toml), right or wrong, so guessing is
// slow. ADMIN_TOKEN must still be long and random: it is the only secret.
//
// Local one-click sign-in: `npm start` prints /admin/session#token=... The fragment never
// reaches the server (nor any log); client/sign-in.js submits it through this form, and only
// when the page is served from a loopback address.
import { clientAddressKey } from './client-address';
import { languageSwitch, SIGN_IN_PATH, consoleConfig } from './console';
import { negotiateLanguage, type Language } from '../console/language';
import { PAGE_HEADERS } from '../console/security';
import { signInPage, type SignInNotice } from '../console/sign-in-page';
import type { ConfigResult } from '../config/types';
import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { readBodyCapped } from '../utils/read-capped';
import { tokenMatches } from './admin-auth';
import { isSameOrigin } from './same-origin';
import { clearedSessionCookie, mintSession, sessionCookie, sessionOf } from './admin-session';
import { htmlResponse, methodNotAllowed, redirect } from './responses';

const CONSOLE_PATH = '/admin/';
/** A sign-in form is one field: 2 KiB, all of it within 5 seconds (a person's browser sends it at once). */
const FORM_LIMITS = { maxBytes: 2 * 1024, deadlineMs: 5_000 } as const;
const MAX_TOKEN_CHARS = 512;
/** Mirrors `simple.limit` of ADMIN_SIGN_IN_LIMITER in wrangler.toml (period: 60 s); for the message only. */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 10;

const STATUS_OF: Record<SignInNotice, number> = {
  'wrong-token': 401,
  'too-many-attempts': 429,
  'signed-out': 200,
  'session-ended': 200,
  'bad-request': 400,
};

function formPage(lang: Language, notice: SignInNotice | null, status = notice === null ? 200 : STATUS_OF[notice], headers: Record<string, string> = {}) {
  return htmlResponse(status, signInPage(lang, notice), { ...PAGE_HEADERS, ...headers });
}

/** A browser sends Origin with every form POST; when it is there it must be the gateway's own. */
function crossOrigin(request: Request): boolean {
  return request.headers.get('origin') !== null && !isSameOrigin(request);
}

async function tokenFromForm(request: Request): Promise<string | null> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) return null;
  const read = await readBodyCapped(request, FORM_LIMITS);
  if (!read.ok) return null;
  const token = new URLSearchParams(new TextDecoder().decode(read.body)).get('token');
  return token === null || token.length > MAX_TOKEN_CHARS ? null : token.trim();
}

async function signIn(request: Request, env: GatewayEnv, adminToken: string): Promise<Response> {
  const lang = negotiateLanguage(request);
  if (crossOrigin(request)) return formPage(lang, 'bad-request', 403);
  const limiter = env.ADMIN_SIGN_IN_LIMITER;
  // Locally there is no client address, and every attempt shares one budget.
  if (limiter !== undefined && !(await limiter.limit({ key: clientAddressKey(request) ?? 'unknown' })).success) {
    logLine({ level: 'warn', msg: 'admin-sign-in', outcome: 'rate-limited' });
    return formPage(lang, 'too-many-attempts', 429, { 'retry-after': '60' });
  }
  const token = await tokenFromForm(request);
  if (token === null) return formPage(lang, 'bad-request');
  if (!tokenMatches(token, adminToken)) {
    logLine({ level: 'warn', msg: 'admin-sign-in', outcome: 'wrong-token' });
    return formPage(lang, 'wrong-token');
  }
  logLine({ msg: 'admin-sign-in', outcome: 'signed-in' });
  const url = new URL(request.url);
  return new Response(null, {
    status: 303,
    headers: { location: CONSOLE_PATH, 'set-cookie': sessionCookie(url, await mintSession(adminToken)), 'cache-control': 'no-store' },
  });
}

export async function handleSignIn(request: Request, env: GatewayEnv, configResult: ConfigResult): Promise<Response> {
  const config = consoleConfig(configResult);
  if (config instanceof Response) return config;
  const adminToken = config.adminToken!;
  if (request.method === 'POST') return signIn(request, env, adminToken);
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD, POST');
  const switched = languageSwitch(request);
  if (switched !== null) return switched;
  if ((await sessionOf(request, adminToken)).ok) return redirect(CONSOLE_PATH);
  const query = new URL(request.url).searchParams;
  const notice = query.has('ended') ? 'session-ended' : query.has('signed_out') ? 'signed-out' : null;
  return formPage(negotiateLanguage(request), notice);
}

export async function handleSignOut(request: Request, configResult: ConfigResult): Promise<Response> {
  const config = consoleConfig(configResult);
  if (config instanceof Response) return config;
  if (request.method !== 'POST') return methodNotAllowed('POST');
  // Signing someone out from another site is a nuisance worth refusing, like any cross-site POST.
  if (!isSameOrigin(request)) return formPage(negotiateLanguage(request), 'bad-request', 403);
  return new Response(null, {
    status: 303,
    headers: { location: `${SIGN_IN_PATH}?signed_out=1`, 'set-cookie': clearedSessionCookie(new URL(request.url)), 'cache-control': 'no-store' },
  });
}
