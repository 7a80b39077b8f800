// The Chinese texts use Chinese punctuation: next to a Chinese character a colon, semicolon,
// bracket, comma, question or exclamation mark is full-width (：；（），？！), as a Chinese reader
// expects. Half-width stays inside `code`, {placeholders}, commands, URLs and between ASCII words.
// Covers init (its messages, its outcome texts and its settings table) and the console.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MESSAGES, translator, type Text } from '../../cli/init-i18n';
import type { ProbeOutcome } from '../../cli/init-probe';
import type { RouteProblem, RouteWarning } from '../../cli/init-route';
import { SECTIONS, SETTINGS } from '../../cli/init-settings';

const CHINESE = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;

/** Each half-width mark touching a Chinese character (or a Chinese word, a space, then `(`), shown in its context. */
export function halfWidthNextToChinese(text: string): string[] {
  const masked = text.replace(/`[^`]*`/g, '`code`').replace(/\{\w+\}/g, '{x}');
  const found: string[] = [];
  for (const m of masked.matchAll(/[:;(),?!]/g)) {
    const i = m.index;
    const touches = CHINESE.test(masked[i - 1] ?? '') || CHINESE.test(masked[i + 1] ?? '') || (m[0] === '(' && masked[i - 1] === ' ' && CHINESE.test(masked[i - 2] ?? ''));
    if (touches) found.push(masked.slice(Math.max(0, i - 6), i + 7));
  }
  // A bracket opened full-width is closed full-width, and the other way round.
  if ((masked.match(/（/g) ?? []).length !== (masked.match(/）/g) ?? []).length) found.push(`unpaired （）: ${masked}`);
  return found;
}

function expectChinesePunctuation(texts: Record<string, string>): void {
  const bad = Object.entries(texts).flatMap(([where, text]) => halfWidthNextToChinese(text).map((snippet) => `${where}: …${snippet}…`));
  expect(bad).toEqual([]);
}

describe('the checker', () => {
  it('finds half-width marks next to Chinese, and leaves code, placeholders and ASCII alone', () => {
    expect(halfWidthNextToChinese('请选择:{choices}')).toHaveLength(1);
    expect(halfWidthNextToChinese('已设置(机密)')).toHaveLength(2);
    expect(halfWidthNextToChinese('金额 (元)')).toHaveLength(2);
    expect(halfWidthNextToChinese('请选择：{choices}')).toEqual([]);
    expect(halfWidthNextToChinese('运行 `npx a check http://127.0.0.1:8787`，然后 NOTIFY_PATH = {path}')).toEqual([]);
    expect(halfWidthNextToChinese('证书 appCertPublicKey_<app_id>.crt（a, b）')).toEqual([]);
    expect(halfWidthNextToChinese('（未设置')).toHaveLength(1);
  });
});

describe('init speaks Chinese with Chinese punctuation', () => {
  it('in its messages', () => {
    expectChinesePunctuation(MESSAGES.zh);
  });

  it('in what it says about the receiving page test and the route', () => {
    const t = translator('zh');
    const sample = { status: 500, message: 'MESSAGE', seconds: 10, location: 'https://shop.example.com/x', excerpt: 'EXCERPT', ackBody: 'success' };
    const probes = ['ok', 'bad-url', 'bad-secret', 'unreachable', 'timeout', 'redirect', 'secret-refused', 'clock', 'http-status', 'wrong-ack', 'accepts-forgery'];
    const problems = ['not-a-url', 'not-http', 'ip-address', 'site-root', 'bad-path', 'covers-origin'];
    const warnings = ['wildcard-covers-more', 'case-sensitive', 'plain-http'];
    const route = { message: 'MESSAGE', originUrl: 'https://shop.example.com/origin', prefix: 'https://shop.example.com/notify', path: '/notify.asp' };
    expectChinesePunctuation({
      ...Object.fromEntries(probes.map((kind) => [`probe ${kind}`, t.probe({ kind, ...sample } as unknown as ProbeOutcome)])),
      ...Object.fromEntries(probes.map((kind) => [`probe ${kind} (empty)`, t.probe({ kind, ...sample, excerpt: '', location: null } as unknown as ProbeOutcome)])),
      ...Object.fromEntries(problems.map((kind) => [`route ${kind}`, t.routeProblem({ kind, ...route } as unknown as RouteProblem)])),
      ...Object.fromEntries(warnings.map((kind) => [`route ${kind}`, t.routeWarning({ kind, ...route } as unknown as RouteWarning)])),
    });
  });

  it('in its questions and their help (the settings table)', () => {
    const texts: Record<string, string> = {};
    const collect = (where: string, value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      if (typeof (value as Text).zh === 'string' && typeof (value as Text).en === 'string') texts[where] = (value as Text).zh;
      else for (const [key, inner] of Object.entries(value)) collect(`${where}.${key}`, inner);
    };
    SETTINGS.forEach((entry) => collect(entry.name, entry));
    SECTIONS.forEach((section) => collect(section.id, section));
    expect(Object.keys(texts).length).toBeGreaterThan(20);
    expectChinesePunctuation(texts);
  });

  it('uses 机密 for a Cloudflare secret and 密钥 only for keys; 个, not 把, for keys', () => {
    const all = Object.values(MESSAGES.zh).join('\n');
    expect(all).not.toMatch(/把公钥/);
    expect(translator('zh')('secretSetMark')).toBe('已设置（机密）');
    expect(translator('zh')('writtenSecret', { name: 'ORIGIN_URL' })).toBe('机密 ORIGIN_URL');
  });
});

describe('the console speaks Chinese with Chinese punctuation', () => {
  it('in every text of src/console/client/i18n.js', async () => {
    const i18n = (await import(fileURLToPath(new URL('../../src/console/client/i18n.js', import.meta.url)))) as { STRINGS: Record<string, Record<string, string>> };
    expect(Object.keys(i18n.STRINGS['zh']!).length).toBeGreaterThan(50);
    expectChinesePunctuation(i18n.STRINGS['zh']!);
  });
});
