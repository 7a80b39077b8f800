// The console and the admin API answer over https only: ADMIN_TOKEN (a Bearer header, the sign-in
// form) and the session cookie must never cross the network in clear. Plain http is served to
// loopback hosts only, where `wrangler dev` runs. A deployed Worker can be reached over http when
// the zone does not force https, so this is checked here, before any token is looked at.
import { LOOPBACK_HOSTS } from '../config/values';
import { jsonResponse } from './responses';

export function isAdminPath(pathname: string): boolean {
  return pathname === '/admin' || pathname.startsWith('/admin/');
}

/** null when the request may go on; else the answer: a browser's plain GET moves to https, anything that may carry the token is refused. */
export function plainHttpAdminRefusal(request: Request): Response | null {
  const url = new URL(request.url);
  if (url.protocol !== 'http:' || LOOPBACK_HOSTS.has(url.hostname)) return null;
  url.protocol = 'https:';
  if ((request.method === 'GET' || request.method === 'HEAD') && !request.headers.has('authorization')) {
    return new Response(null, { status: 308, headers: { location: url.toString(), 'cache-control': 'no-store' } });
  }
  return jsonResponse(403, {
    ok: false,
    error: `the console and the admin API answer over https only (the token must not cross the network in clear): use ${url.origin}${url.pathname}, and a new ADMIN_TOKEN if this one was sent over http`,
  });
}
