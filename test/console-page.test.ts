// The operator console as the Worker serves it: the page (only when signed in), its files, its
// security headers and language, and the status widget script.
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../src/console/security';
import { fromAcceptLanguage } from '../src/console/language';
import { TEST_ONLY_ADMIN_TOKEN } from './fixtures/gateway-test-keys';
import { adminRequest, callWorker } from './support/gateway';
import { cookieFrom, HTTPS_BASE, signInRequest, withCookie } from './support/console-session';
import { captureJsonLogs } from './support/json-logs';

captureJsonLogs();

async function signedIn(): Promise<string> {
  return cookieFrom(await callWorker(signInRequest()))!;
}

const page = (cookie: string | null, headers: Record<string, string> = {}) =>
  new Request(`${HTTPS_BASE}/admin/`, { headers: { ...headers, ...(cookie === null ? {} : { cookie }) }, redirect: 'manual' });

describe('console page', () => {
  it('redirects to the sign-in form when not signed in', async () => {
    const response = await callWorker(page(null));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin/session');
  });

  it('the sign-in form itself is served with the console CSP and without inline script', async () => {
    const response = await callWorker(new Request(`${HTTPS_BASE}/admin/session`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/admin/session"');
    expectNoInlineCode(html);
  });

  it('signed in: the page, with a strict CSP, no inline script or handler, and no secret', async () => {
    const response = await callWorker(page(await signedIn()));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    expectNoInlineCode(html);
    expect(html).toContain('<script type="module" src="/admin/assets/app.js"></script>');
    expect(html).not.toContain(TEST_ONLY_ADMIN_TOKEN);
    expect(html).not.toContain('whsec_');
  });

  it('the Bearer token opens the page too (no cookie needed)', async () => {
    expect((await callWorker(adminRequest('/admin/'))).status).toBe(200);
  });

  it('speaks the language of Accept-Language, or the one chosen with ?lang= (remembered in a cookie)', async () => {
    const cookie = await signedIn();
    const lang = async (headers: Record<string, string>, cookies = cookie) => /data-lang="(\w+)"/.exec(await (await callWorker(page(cookies, headers))).text())?.[1];
    expect(await lang({ 'accept-language': 'en-US,en;q=0.9' })).toBe('en');
    expect(await lang({ 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).toBe('zh');
    expect(await lang({})).toBe('zh');

    const choose = await callWorker(withCookie('/admin/?lang=en', cookie));
    expect(choose.status).toBe(302);
    expect(choose.headers.get('location')).toBe('/admin/');
    const languageCookie = cookieFrom(choose)!;
    expect(languageCookie).toBe('gw_lang=en');
    expect(choose.headers.get('set-cookie')).toContain('Path=/admin');
    expect(await lang({ 'accept-language': 'zh-CN' }, `${cookie}; ${languageCookie}`)).toBe('en');
  });

  it('Accept-Language weights decide', () => {
    expect(fromAcceptLanguage('fr-FR, en;q=0.5, zh;q=0.7')).toBe('zh');
    expect(fromAcceptLanguage('zh-TW;q=0.2, en-GB')).toBe('en');
    expect(fromAcceptLanguage('fr, de')).toBeNull();
    expect(fromAcceptLanguage('zh;q=0, en;q=0.1')).toBe('en');
    expect(fromAcceptLanguage(null)).toBeNull();
  });
});

describe('console files', () => {
  it('serves each script and the styles with their types, no-cache and an ETag (304 when unchanged)', async () => {
    for (const [file, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['format.js', 'text/javascript; charset=utf-8'],
      ['sign-in.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
    ] as const) {
      const response = await callWorker(new Request(`${HTTPS_BASE}/admin/assets/${file}`));
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await response.text();
      expect(body.length).toBeGreaterThan(100);
      const etag = response.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]{20}"$/);
      const again = await callWorker(new Request(`${HTTPS_BASE}/admin/assets/${file}`, { headers: { 'if-none-match': etag } }));
      expect(again.status).toBe(304);
    }
  });

  it('serves the real source (the app imports its views by relative URL)', async () => {
    const app = await (await callWorker(new Request(`${HTTPS_BASE}/admin/assets/app.js`))).text();
    expect(app).toContain("from './transactions.js'");
    for (const imported of app.matchAll(/from '\.\/([\w-]+\.js)'/g)) {
      expect((await callWorker(new Request(`${HTTPS_BASE}/admin/assets/${imported[1]}`))).status, imported[1]).toBe(200);
    }
  });

  it('404 for any other name, including paths that try to leave the folder', async () => {
    for (const name of ['nothing.js', '..%2Fpage.ts', 'app.js.map', 'format.js%00']) {
      expect((await callWorker(new Request(`${HTTPS_BASE}/admin/assets/${name}`))).status, name).toBe(404);
    }
  });

  it('only GET and HEAD', async () => {
    expect((await callWorker(new Request(`${HTTPS_BASE}/admin/assets/app.js`, { method: 'POST' }))).status).toBe(405);
    const head = await callWorker(new Request(`${HTTPS_BASE}/admin/assets/app.js`, { method: 'HEAD' }));
    expect(head.status).toBe(200);
  });
});

describe('status widget script', () => {
  it('GET /alipay/status.js serves the widget to any page', async () => {
    const response = await callWorker(new Request(`${HTTPS_BASE}/alipay/status.js`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = await response.text();
    expect(body).toContain('data-alipay-status');
    expect(body).toContain('/alipay/status');
  });
});

/** No inline <script> (every script has a src) and no on…= handler attribute. */
function expectNoInlineCode(html: string): void {
  for (const tag of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) {
    expect(tag[0]).toMatch(/\ssrc="/);
    expect(tag[1]!.trim()).toBe('');
  }
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
}
