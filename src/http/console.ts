// The operator console, served by the Worker itself (no build step, no asset upload):
//   GET /admin/                 the page (src/console/page.ts); the sign-in form when not signed in
//   GET /admin/assets/<file>    its scripts and styles (src/console/client/), public: they hold no data
//   ?lang=zh|en on either page  remembers the operator's language, then shows the page without it
// Sign-in and sign-out are in admin-sign-in.ts; the data comes from the JSON admin API (admin.ts).
// Like the API, all of it is 404 while ADMIN_TOKEN is unset.
import { consoleAsset } from '../console/assets';
import { isLanguage, languageCookie, negotiateLanguage } from '../console/language';
import { consolePage } from '../console/page';
import { PAGE_HEADERS } from '../console/security';
import type { Config, ConfigResult } from '../config/types';
import { authorizeAdmin } from './admin-auth';
import { assetResponse, htmlResponse, methodNotAllowed, notFound, redirect, textResponse } from './responses';

export const SIGN_IN_PATH = '/admin/session';

/** The config when the console exists, else the answer: 503 while settings are broken, 404 without ADMIN_TOKEN. */
export function consoleConfig(result: ConfigResult): Config | Response {
  if (!result.ok) return textResponse(503, 'the gateway settings have problems (see /health)');
  if (result.config.adminToken === null) return notFound();
  return result.config;
}

/** `?lang=en`: remember it and show the same page without the query (the fragment survives the redirect). */
export function languageSwitch(request: Request): Response | null {
  const url = new URL(request.url);
  const lang = url.searchParams.get('lang');
  if (lang === null) return null;
  const headers: Record<string, string> = isLanguage(lang) ? { 'set-cookie': languageCookie(url, lang) } : {};
  return redirect(url.pathname, headers);
}

export async function handleConsolePage(request: Request, configResult: ConfigResult, limiter?: RateLimit): Promise<Response> {
  const config = consoleConfig(configResult);
  if (config instanceof Response) return config;
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
  const switched = languageSwitch(request);
  if (switched !== null) return switched;
  const authorization = await authorizeAdmin(request, config, limiter);
  if (!authorization.ok) return redirect(SIGN_IN_PATH);
  return htmlResponse(200, consolePage(negotiateLanguage(request)), PAGE_HEADERS);
}

export async function handleConsoleAsset(request: Request, configResult: ConfigResult, file: string | undefined): Promise<Response> {
  const config = consoleConfig(configResult);
  if (config instanceof Response) return config;
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
  const asset = file === undefined ? undefined : consoleAsset(file);
  if (asset === undefined) return notFound();
  return assetResponse(request, asset.body, asset.contentType, await asset.etag());
}
