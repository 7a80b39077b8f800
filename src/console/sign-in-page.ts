// The sign-in form at /admin/session: the operator types ADMIN_TOKEN once, the gateway answers
// with a session cookie. Rendered on the server (it must work before any session exists).
import type { Language } from './language';
import { ASSETS_PATH, htmlPage } from './page';
import { escapeHtml } from './security';

/** Why the form is shown again. */
export type SignInNotice = 'wrong-token' | 'too-many-attempts' | 'signed-out' | 'session-ended' | 'bad-request';

const TEXT = {
  zh: {
    title: '登录 · 支付宝通知网关',
    heading: '运营控制台',
    label: '管理令牌（ADMIN_TOKEN）',
    submit: '登录',
    hint: '令牌只用于换取会话 Cookie，不会保存在页面中。会话 8 小时后过期；更换 ADMIN_TOKEN 会使所有会话失效。',
    other: 'English',
    notices: {
      'wrong-token': '令牌不正确。',
      'too-many-attempts': '尝试次数过多，请一分钟后再试。',
      'signed-out': '已退出登录。',
      'session-ended': '会话已过期，请重新登录。',
      'bad-request': '请求无效，请重新提交表单。',
    },
  },
  en: {
    title: 'Sign in · alipay-notify-edge',
    heading: 'Operator console',
    label: 'Admin token (ADMIN_TOKEN)',
    submit: 'Sign in',
    hint: 'The token is only exchanged for a session cookie and is never kept in the page. A session lasts 8 hours; changing ADMIN_TOKEN ends every session.',
    other: '中文',
    notices: {
      'wrong-token': 'Wrong token.',
      'too-many-attempts': 'Too many attempts: try again in a minute.',
      'signed-out': 'Signed out.',
      'session-ended': 'Your session has ended: sign in again.',
      'bad-request': 'The request was not understood: submit the form again.',
    },
  },
} satisfies Record<Language, { notices: Record<SignInNotice, string> } & Record<string, unknown>>;

export function signInPage(lang: Language, notice: SignInNotice | null = null): string {
  const text = TEXT[lang];
  const other: Language = lang === 'zh' ? 'en' : 'zh';
  const isError = notice !== null && notice !== 'signed-out';
  const message =
    notice === null ? '' : `<p class="notice${isError ? ' error' : ''}" role="${isError ? 'alert' : 'status'}">${escapeHtml(text.notices[notice])}</p>`;
  return htmlPage(lang, {
    title: text.title,
    script: `<script src="${ASSETS_PATH}sign-in.js" defer></script>`,
    bodyClass: 'sign-in',
    body: `<main>
<h1>${escapeHtml(text.heading)}</h1>
${message}
<form method="post" action="/admin/session" id="sign-in">
<label for="token">${escapeHtml(text.label)}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="512" autofocus>
<button type="submit">${escapeHtml(text.submit)}</button>
</form>
<p class="muted">${escapeHtml(text.hint)}</p>
<p><a href="/admin/session?lang=${other}" hreflang="${other}">${escapeHtml(text.other)}</a></p>
</main>`,
  });
}
