// The console's one HTML page. It carries no data and no secret: the script (client/app.js)
// builds every view from the JSON admin API, with the session cookie the browser sends along.
import type { Language } from './language';
import { escapeHtml } from './security';

export const ASSETS_PATH = '/admin/assets/';

const HTML_LANG: Record<Language, string> = { zh: 'zh-CN', en: 'en' };
const LOADING: Record<Language, string> = { zh: '加载中…', en: 'Loading…' };
const NO_SCRIPT: Record<Language, string> = {
  zh: '控制台需要启用 JavaScript。',
  en: 'The console needs JavaScript.',
};

export function consolePage(lang: Language): string {
  return `<!doctype html>
<html lang="${HTML_LANG[lang]}" data-lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>alipay-notify-edge</title>
<link rel="stylesheet" href="${ASSETS_PATH}console.css">
<script type="module" src="${ASSETS_PATH}app.js"></script>
</head>
<body>
<header id="top"></header>
<main id="view"><p class="muted">${escapeHtml(LOADING[lang])}</p><noscript><p>${escapeHtml(NO_SCRIPT[lang])}</p></noscript></main>
</body>
</html>
`;
}
