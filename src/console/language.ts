// Which language the console speaks: the operator's choice (a cookie set by the language links),
// else the browser's Accept-Language, else Chinese (the merchants this gateway is for).
import { isSecureContext } from '../http/admin-session';

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const COOKIE = 'gw_lang';
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;
/** Accept-Language is short in practice; a longer one is not worth parsing. */
const MAX_ACCEPT_LANGUAGE_CHARS = 512;

export function isLanguage(value: string | null | undefined): value is Language {
  return value === 'zh' || value === 'en';
}

/** `zh-CN,zh;q=0.9,en;q=0.8` -> zh: the supported language with the highest weight (first wins a tie). */
export function fromAcceptLanguage(header: string | null): Language | null {
  if (header === null || header.length > MAX_ACCEPT_LANGUAGE_CHARS) return null;
  let best: { lang: Language; q: number } | null = null;
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.trim().split(';');
    const primary = range.trim().toLowerCase().split('-')[0];
    if (!isLanguage(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (best === null || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? null;
}

function cookieLanguage(header: string | null): Language | null {
  for (const part of (header ?? '').split(';')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name === COOKIE && isLanguage(value)) return value;
  }
  return null;
}

export function negotiateLanguage(request: Request): Language {
  return cookieLanguage(request.headers.get('cookie')) ?? fromAcceptLanguage(request.headers.get('accept-language')) ?? 'zh';
}

/** Set-Cookie remembering the operator's choice (not a secret: readable, long-lived). */
export function languageCookie(url: URL, lang: Language): string {
  return `${COOKIE}=${lang}; Path=/admin; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Strict${isSecureContext(url) ? '; Secure' : ''}`;
}
