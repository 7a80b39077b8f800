// Checking an answer on the spot with the gateway's own diagnostics: the candidate value goes
// through the same loadConfig the Worker runs (with every answer given so far), and the problems
// it reports for that setting are the answer's problems. So init can never accept what the
// deployed gateway would refuse, and its messages are the ones /health and `check` show.
//
// Settings the gateway does not know yet (being built on other branches) are checked by a local
// validator until they land: `gatewayOr(local)` uses the gateway's reading as soon as the name is
// in SETTING_NAMES, so the local one retires by itself. LOCAL_VALIDATORS lists them.

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describeKeyText } from '../src/alipay/keys';
import { loadConfig } from '../src/config/load';
import { SETTING_NAMES, type SettingName } from '../src/config/names';
import { parseChoice, parseRetrySchedule } from '../src/config/parsers';
import { LOOPBACK_HOSTS, parseOriginUrl, parseWebhookSecrets, splitList } from '../src/config/values';
import { sha256Hex } from '../src/utils/hex';

export type Verdict = { ok: true; notes: string[] } | { ok: false; problems: string[] };
/** Every answer known so far (vars and secrets), by setting name. */
export type KnownSettings = Readonly<Record<string, string>>;

export interface Validator {
  /** `gateway`: the Worker's own config reader; `local`: a stand-in until the gateway has the setting. */
  readonly source: (name: string) => 'gateway' | 'local';
  check(name: string, value: string, known: KnownSettings): Promise<Verdict>;
}

const OK: Verdict = { ok: true, notes: [] };

export function isGatewaySetting(name: string): name is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

/** The problems the gateway reports for `name` when it runs with `known` plus this value. */
export async function gatewayProblems(name: SettingName, value: string, known: KnownSettings): Promise<string[]> {
  const result = await loadConfig({ ...known, [name]: value });
  if (result.ok) return [];
  return result.problems.filter((p) => p.setting === name).map((p) => p.message);
}

/** The gateway's reading of the setting (problems for it, nothing else). */
export const gateway: Validator = {
  source: () => 'gateway',
  async check(name, value, known) {
    if (!isGatewaySetting(name)) throw new Error(`${name} is not a gateway setting: give its table entry a local validator`);
    const problems = await gatewayProblems(name, value, known);
    return problems.length > 0 ? { ok: false, problems } : OK;
  },
};

type LocalCheck = (value: string, known: KnownSettings) => Verdict | Promise<Verdict>;

/** The gateway's reading once the setting exists there; until then `local`. */
export function gatewayOr(local: LocalCheck): Validator {
  return {
    source: (name) => (isGatewaySetting(name) ? 'gateway' : 'local'),
    async check(name, value, known) {
      if (isGatewaySetting(name)) return gateway.check(name, value, known);
      return local(value, known);
    },
  };
}

// ---- local validators (until the settings land on main) -------------------------------------

const fail = (...problems: string[]): Verdict => ({ ok: false, problems });

/** STATUS_SECRET (issue 10): HMAC key of the buyer's status links, at least 32 characters. */
export function localCheckStatusSecret(value: string): Verdict {
  return value.trim().length >= 32 ? OK : fail('too short: use at least 32 random characters');
}

/** STATUS_ALLOWED_ORIGINS (issue 10): browser origins (scheme, host, port), https or loopback http. */
export function localCheckAllowedOrigins(value: string): Verdict {
  const problems: string[] = [];
  for (const item of splitList(value)) {
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      problems.push(`"${item.slice(0, 60)}" is not an origin (expected e.g. https://shop.example.com)`);
      continue;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      problems.push(`"${item.slice(0, 60)}" must be https (plain http only for localhost, 127.0.0.1 and [::1])`);
    } else if (item.replace(/\/$/, '').toLowerCase() !== url.origin) {
      problems.push(`"${item.slice(0, 60)}" is not an origin: write only scheme, host and port (${url.origin})`);
    }
  }
  return problems.length > 0 ? fail(...problems) : OK;
}

/**
 * ALIPAY_APP_PRIVATE_KEY (issue 11): the merchant app's RSA private key, PKCS#8 (PEM or bare
 * base64) or PKCS#1 PEM. A public key or certificate pasted here is named as such (by the
 * gateway's key reader), and the note gives the app PUBLIC key's fingerprint to compare with the
 * Alipay console. Never quotes the value.
 */
export async function localCheckAppPrivateKey(value: string): Promise<Verdict> {
  const text = value.trim();
  const described = await describeKeyText(text);
  if (described.some((d) => d.form !== null)) {
    return fail('this is a public key or certificate; ALIPAY_APP_PRIVATE_KEY is your app\'s PRIVATE key (应用私钥) from Alipay\'s key tool');
  }
  const candidates = text.includes('-----BEGIN')
    ? [{ key: text, format: 'pem' as const }]
    : [
        { key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der' as const, type: 'pkcs8' as const },
        { key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der' as const, type: 'pkcs1' as const },
      ];
  for (const candidate of candidates) {
    try {
      const key = createPrivateKey(candidate);
      if (key.asymmetricKeyType !== 'rsa') return fail(`a ${key.asymmetricKeyType} private key; Alipay apps sign with RSA2 (an RSA key)`);
      const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
      return { ok: true, notes: [`app public key fingerprint (SHA-256): ${await sha256Hex(new Uint8Array(spki))}`] };
    } catch (error) {
      if (/passphrase|encrypted/i.test((error as Error).message)) return fail('the private key is encrypted; export it without a password from Alipay\'s key tool');
    }
  }
  return fail('not a readable RSA private key (PKCS#8 base64 or PEM, or PKCS#1 PEM, as Alipay\'s key tool writes it); was it cut off?');
}

/** ALIPAY_GATEWAY_URL (issue 11): https (or loopback for a local stand-in). */
export function localCheckGatewayUrl(value: string): Verdict {
  const parsed = parseOriginUrl(value);
  return parsed.ok ? OK : fail(parsed.message.replace(/\(expected e\.g\. [^)]*\)/, '(expected e.g. https://openapi.alipay.com/gateway.do)'));
}

export const ALERT_FORMATS = ['dingtalk', 'wecom', 'slack', 'json'] as const;
const ALERT_HOST_FORMATS: Record<string, (typeof ALERT_FORMATS)[number]> = {
  'oapi.dingtalk.com': 'dingtalk',
  'qyapi.weixin.qq.com': 'wecom',
  'hooks.slack.com': 'slack',
};

/** The alert format a robot URL's host implies (json for any other receiver). */
export function alertFormatForUrl(url: string | undefined): (typeof ALERT_FORMATS)[number] {
  try {
    return ALERT_HOST_FORMATS[new URL(url ?? '').hostname] ?? 'json';
  } catch {
    return 'json';
  }
}

/** ALERT_URL (issue 11): a secret (robot URLs carry their token); https or loopback. */
export function localCheckAlertUrl(value: string): Verdict {
  const parsed = parseOriginUrl(value);
  return parsed.ok ? OK : fail(parsed.message.replace(/\(expected e\.g\. [^)]*\)/, '(expected e.g. https://oapi.dingtalk.com/robot/send?access_token=…)'));
}

/** ALERT_FORMAT (issue 11): one of the four. */
export function localCheckAlertFormat(value: string): Verdict {
  let message = '';
  // parseChoice wants a gateway setting name for its report; the message is what matters here.
  parseChoice('ACK_MODE', value, ALERT_FORMATS, (_s, m) => (message = m));
  return message === '' ? OK : fail(message);
}

/** ALERT_SECRET (issue 11): DingTalk's robot signing secret (SEC…), or a whsec_ secret for json. */
export function localCheckAlertSecret(value: string, known: KnownSettings): Verdict {
  const format = known['ALERT_FORMAT'] ?? alertFormatForUrl(known['ALERT_URL']);
  const secret = value.trim();
  if (format === 'dingtalk') {
    if (/\s/.test(secret) || secret.length > 256) return fail('must be the robot\'s signing secret (one word, SEC…)');
    return secret.startsWith('SEC') ? OK : { ok: true, notes: ['DingTalk signing secrets start with SEC; is this the robot\'s "加签" secret?'] };
  }
  if (format === 'json') {
    const parsed = parseWebhookSecrets(secret);
    return parsed.ok ? OK : fail(`for ALERT_FORMAT=json, a Standard Webhooks secret: ${parsed.message}`);
  }
  return { ok: true, notes: [`not used: ${format} webhooks carry their key in ALERT_URL`] };
}

/** RECONCILE_SCHEDULE (issue 11): parsed like RETRY_SCHEDULE, by the gateway's parser. */
export function localCheckSchedule(value: string): Verdict {
  const problems: string[] = [];
  parseRetrySchedule(value, (m) => problems.push(m));
  return problems.length > 0 ? fail(...problems) : OK;
}
