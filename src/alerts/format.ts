// One digest as the body each receiver expects: DingTalk's and WeCom's group robots (markdown
// messages), Feishu/Lark's custom bots (plain text: their markdown exists only inside interactive
// cards), Slack's incoming webhooks (text), or plain JSON for the merchant's own endpoint.
// Operators of Alipay shops read Chinese first, so each kind's title carries a Chinese label too.

import type { AlertDigest, AlertFormat, AlertKind } from './types';

export const ALERT_SOURCE = 'alipay-notify-edge';

export const KIND_TITLES = {
  'dead-letter': 'Delivery gave up (投递失败，已进入死信)',
  'origin-failing': 'Your site keeps failing (商户站点持续失败)',
  'rejection-spike': 'Many notifications rejected (大量通知验签失败)',
  'payment-found-by-query': 'Payment found by asking Alipay (主动查询发现漏单)',
  'amount-mismatch': 'Amount does not match the order (金额不符，已暂停)',
  'certificate-expiring': 'Alipay certificate expiring (证书即将过期)',
  'unknown-cert-sn': 'Unknown Alipay certificate (未知支付宝证书)',
  'deliveries-held': 'Deliveries on hold (投递已暂停)',
  'query-failing': 'Asking Alipay keeps failing (查询支付宝持续失败)',
  'genuine-refused': 'Genuine Alipay notification refused (支付宝通知验签通过但被拒收)',
} satisfies Record<AlertKind, string>;

export interface FormattedAlert {
  readonly body: string;
  readonly contentType: 'application/json';
}

// WeCom refuses markdown content over 4096 bytes; DingTalk, Feishu (20 KB a request) and Slack allow
// far more. One bound for all.
const MAX_TEXT_BYTES = 3800;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function heading(d: AlertDigest): string {
  return `${KIND_TITLES[d.kind]}${d.count > 1 ? ` ×${d.count}` : ''}`;
}

function detailsText(details: Readonly<Record<string, string | number | boolean>> | undefined): string {
  return details ? Object.entries(details).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '';
}

function lines(d: AlertDigest, bullet: (s: string) => string): string[] {
  const out = d.samples.map((s) => bullet(`${s.summary}${s.details ? ` (${detailsText(s.details)})` : ''}`));
  const unseen = d.count - d.samples.length;
  if (unseen > 0) out.push(bullet(`… and ${unseen} more of the same kind`));
  out.push(d.count > 1 ? `${iso(d.firstAt)} to ${iso(d.lastAt)}` : iso(d.firstAt));
  return out;
}

/** At most `maxBytes` of UTF-8, cut at a character boundary. */
export function clipUtf8(s: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= maxBytes) return s;
  let cut = maxBytes - 3; // room for "…"
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return `${new TextDecoder().decode(bytes.subarray(0, cut))}…`;
}

// One occurrence is one line: a line break inside a summary would start a new markdown block.
// DingTalk's and WeCom's markdown has no escapes (a backslash would show), so text is kept as it is;
// Slack requires &, < and > escaped.
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
function escapeSlack(s: string): string {
  return oneLine(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function formatAlert(d: AlertDigest, format: AlertFormat): FormattedAlert {
  const title = `[${ALERT_SOURCE}] ${heading(d)}`;
  switch (format) {
    case 'dingtalk': {
      const text = clipUtf8([`#### ${oneLine(title)}`, ...lines(d, (s) => `- ${oneLine(s)}`)].join('\n\n'), MAX_TEXT_BYTES);
      return json({ msgtype: 'markdown', markdown: { title: clipUtf8(title, 200), text } });
    }
    case 'wecom': {
      const content = clipUtf8([`**${oneLine(title)}**`, ...lines(d, (s) => `> ${oneLine(s)}`)].join('\n'), MAX_TEXT_BYTES);
      return json({ msgtype: 'markdown', markdown: { content } });
    }
    case 'feishu': {
      const text = clipUtf8([oneLine(title), ...lines(d, (s) => `- ${oneLine(s)}`)].join('\n'), MAX_TEXT_BYTES);
      return json({ msg_type: 'text', content: { text } });
    }
    case 'slack': {
      const text = clipUtf8([`*${escapeSlack(title)}*`, ...lines(d, (s) => `• ${escapeSlack(s)}`)].join('\n'), MAX_TEXT_BYTES);
      return json({ text });
    }
    case 'json':
      return json({
        type: `${ALERT_SOURCE}.alert`,
        kind: d.kind,
        title: KIND_TITLES[d.kind],
        count: d.count,
        first_at: iso(d.firstAt),
        last_at: iso(d.lastAt),
        samples: d.samples.map((s) => ({ at: iso(s.at), summary: s.summary, details: s.details ?? {} })),
      });
  }
}

function json(value: unknown): FormattedAlert {
  return { body: JSON.stringify(value), contentType: 'application/json' };
}
