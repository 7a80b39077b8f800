// Alerts to a person: where they go (ALERT_URL, a secret: robot URLs carry their token), in which
// format, and the secret that signs them. Unset ALERT_URL means no alerts; the format follows the
// URL's host unless ALERT_FORMAT says otherwise.

import { ALERT_FORMATS, type AlertFormat, type AlertTarget } from '../alerts/types';
import { parseChoice } from './parsers';
import type { SettingsReader } from './reader';
import { FRAGMENT_REFUSED, parseOriginUrl, parseWebhookSecrets } from './values';

export interface AlertSummary {
  readonly format: AlertFormat;
  /** The host only: the path or query of a robot URL is its token. */
  readonly host: string;
  readonly signed: boolean;
}

export interface AlertSection {
  readonly target: AlertTarget | null;
  readonly summary: AlertSummary | null;
}

const HOST_FORMATS: Record<string, AlertFormat> = {
  'oapi.dingtalk.com': 'dingtalk',
  'qyapi.weixin.qq.com': 'wecom',
  'hooks.slack.com': 'slack',
};

// Feishu's custom bots are at open.feishu.cn, Lark's at open.larksuite.com (larkoffice.com is
// Feishu's newer domain). Any host of theirs is taken for a bot: sent other JSON, a bot answers
// HTTP 200 with an error code, so plain json alerts would vanish without a trace.
const FEISHU_HOSTS = /(^|\.)(feishu\.cn|larksuite\.com|larkoffice\.com)$/;

function formatOfHost(hostname: string): AlertFormat | undefined {
  return HOST_FORMATS[hostname] ?? (FEISHU_HOSTS.test(hostname) ? 'feishu' : undefined);
}

const MAX_SECRET_CHARS = 256;
// A DingTalk "加签" secret, as it looks: pasted for a Feishu robot, every message would be refused (19021).
const DINGTALK_SECRET = /^SEC[0-9a-f]{40,}$/;

/** The alert settings, or null when one of them has a problem (reported to `settings`). */
export function readAlertSettings(settings: SettingsReader): AlertSection | null {
  const { problem, warn } = settings;
  const before = settings.problems.length;

  const urlText = settings.text('ALERT_URL');
  const formatText = settings.text('ALERT_FORMAT');
  const secretText = settings.text('ALERT_SECRET');

  const chosen = formatText === undefined ? null : parseChoice('ALERT_FORMAT', formatText, ALERT_FORMATS, problem);
  if (urlText === undefined) {
    if (formatText !== undefined) warn('ALERT_FORMAT', 'set but not used: ALERT_URL is not set, so no alerts are sent');
    if (secretText !== undefined) warn('ALERT_SECRET', 'set but not used: ALERT_URL is not set, so no alerts are sent');
    return settings.problems.length > before ? null : { target: null, summary: null };
  }

  const parsed = parseOriginUrl(urlText);
  if (!parsed.ok) {
    // parseOriginUrl never quotes the URL: ALERT_URL is a secret.
    problem('ALERT_URL', parsed.message.replace(/\(expected e\.g\. [^)]*\)/, '(expected e.g. https://oapi.dingtalk.com/robot/send?access_token=…)'));
    return null;
  }
  const url = parsed.value;
  if (url.hash !== '') {
    problem('ALERT_URL', FRAGMENT_REFUSED);
    return null;
  }
  const byHost = formatOfHost(url.hostname);
  const format: AlertFormat | null = chosen ?? byHost ?? (formatText === undefined ? 'json' : null);
  if (format === null) return null;
  if (chosen !== null && byHost !== undefined && chosen !== byHost) {
    warn('ALERT_FORMAT', `is ${chosen}, but ALERT_URL's host ${url.hostname} is a ${byHost} address`);
  }

  let robotSecret: string | null = null;
  let webhookSecrets: Uint8Array[] = [];
  if (secretText !== undefined) {
    const secret = secretText.trim();
    if (format === 'dingtalk' || format === 'feishu') {
      if (/\s/.test(secret) || secret.length > MAX_SECRET_CHARS) {
        problem('ALERT_SECRET', `must be the robot's signing secret (one word, ${format === 'dingtalk' ? 'SEC…' : 'from 签名校验'})`);
      } else {
        if (format === 'dingtalk' && !secret.startsWith('SEC')) warn('ALERT_SECRET', 'DingTalk signing secrets start with SEC; is this the robot\'s "加签" secret?');
        if (format === 'feishu' && DINGTALK_SECRET.test(secret)) warn('ALERT_SECRET', 'looks like a DingTalk signing secret (SEC…); a Feishu robot\'s is the one its 签名校验 setting shows');
        robotSecret = secret;
      }
    } else if (format === 'json') {
      // JSON alerts go to the merchant's own endpoint: signed like the forwarded events (Standard Webhooks).
      const secrets = parseWebhookSecrets(secret);
      if (secrets.ok) webhookSecrets = secrets.value;
      else problem('ALERT_SECRET', `for ALERT_FORMAT=json, a Standard Webhooks secret: ${secrets.message}`);
    } else {
      warn('ALERT_SECRET', `set but not used: ${format === 'wecom' ? 'WeCom' : 'Slack'} webhooks carry their key in ALERT_URL`);
    }
  }

  if (settings.problems.length > before) return null;
  return {
    target: { url: url.href, format, robotSecret, webhookSecrets },
    summary: { format, host: url.host, signed: robotSecret !== null || webhookSecrets.length > 0 },
  };
}
