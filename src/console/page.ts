// The console's one HTML page. It carries no data and no secret: the script (client/app.js)
// builds every view from the JSON admin API, with the session cookie the browser sends along.
// htmlPage is the frame it shares with the sign-in form (sign-in-page.ts).
import type { Language } from './language';
import { escapeHtml } from './security';

export const ASSETS_PATH = '/admin/assets/';

const HTML_LANG: Record<Language, string> = { zh: 'zh-CN', en: 'en' };
const LOADING: Record<Language, string> = { zh: '加载中…', en: 'Loading…' };
const NO_SCRIPT: Record<Language, string> = {
  zh: '控制台需要启用 JavaScript。',
  en: 'The console needs JavaScript.',
};

export interface PageParts {
  /** Plain text: escaped here. */
  readonly title: string;
  /** The <script> element (markup). */
  readonly script: string;
  readonly bodyClass?: string;
  /** The body's markup, already escaped. */
  readonly body: string;
}

/** A console document: its language, the console's stylesheet, no referrer sent off the site. */
export function htmlPage(lang: Language, parts: PageParts): string {
  return `<!doctype html>
<html lang="${HTML_LANG[lang]}" data-lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(parts.title)}</title>
<link rel="stylesheet" href="${ASSETS_PATH}console.css">
${parts.script}
</head>
<body${parts.bodyClass ? ` class="${parts.bodyClass}"` : ''}>
${parts.body}
</body>
</html>
`;
}

export function consolePage(lang: Language): string {
  return htmlPage(lang, {
    title: 'alipay-notify-edge',
    script: `<script type="module" src="${ASSETS_PATH}app.js"></script>`,
    body: `<header id="top"></header>
<main id="view"><p class="muted">${escapeHtml(LOADING[lang])}</p><noscript><p>${escapeHtml(NO_SCRIPT[lang])}</p></noscript></main>`,
  });
}
