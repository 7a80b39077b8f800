// env -> one typed Config. Every problem is collected (not just the first), named by its
// setting, and phrased without ever quoting a secret, so the same list can go to the log and
// to the unauthenticated /health endpoint.

import { loadPublicKeys } from './alipay/keys';
import { utf8Encode } from './alipay/bytes';
import {
  EVENT_KINDS,
  type AlipayPublicKey,
  type BusinessRules,
  type EventKind,
  type KeyForm,
  type SignType,
  type VerifyOptions,
} from './alipay/types';
import {
  parseChoice,
  parseEvents,
  parseIdList,
  parseNotifyPath,
  parsePositiveDuration,
  parseRetrySchedule,
  parseSignTypes,
  parseTimeout,
} from './config-parsers';
import { parseOriginUrl, parseWebhookSecrets } from './config-values';
import { formatDuration } from './duration';

/** Every setting, in the order of DESIGN.md's table (problems are reported in this order). */
export const SETTING_NAMES = [
  'ALIPAY_PUBLIC_KEY',
  'ALIPAY_APP_ID',
  'ALIPAY_SELLER_ID',
  'ALIPAY_SIGN_TYPES',
  'ALIPAY_MD5_KEY',
  'ORIGIN_URL',
  'FORWARD_SECRET',
  'FORWARD_FORMAT',
  'FORWARD_EVENTS',
  'ORIGIN_ACK_BODY',
  'ACK_MODE',
  'RETRY_SCHEDULE',
  'DELIVERY_TIMEOUT',
  'MAX_NOTIFY_AGE',
  'NOTIFY_PATH',
  'ADMIN_TOKEN',
  'FORWARD_SIGNING',
  'ORIGIN_MD5_KEY',
  'ORIGIN_RETURN_URL',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

/** The Worker's env as far as configuration goes. Bindings and unknown names are ignored. */
export type ConfigEnv = { readonly [K in SettingName]?: string };

export interface ConfigProblem {
  readonly setting: SettingName;
  readonly message: string;
}

export type AckMode = 'durable' | 'after-delivery';
export type ForwardFormat = 'form' | 'json';
export type ForwardSigning = 'standard-webhooks' | 'alipay-md5';

/** What /health may show: no secret, no full URL (a path or query may carry a token). */
export interface ConfigSummary {
  readonly signTypes: SignType[];
  readonly keys: { form: KeyForm; bits: number; fingerprint: string; certSn?: string; notAfter?: string }[];
  readonly appIds: string[];
  readonly sellerIds: string[];
  readonly maxNotifyAge: string;
  readonly notifyPath: string;
  readonly ackMode: AckMode;
  readonly originHost: string;
  readonly forward: {
    format: ForwardFormat;
    events: EventKind[];
    ackBody: string | null;
    signing: ForwardSigning;
    secrets: number;
    timeout: string;
    retrySchedule: string[];
    maxAttempts: number;
  };
  readonly returnUrlHost: string | null;
  readonly adminApi: boolean;
  /** Usable but suspicious settings (e.g. a key that looks like the app's own certificate). */
  readonly warnings: string[];
}

export interface Config {
  alipay: VerifyOptions & BusinessRules;
  notifyPath: string;
  ackMode: AckMode;
  forward: {
    originUrl: string;
    format: ForwardFormat;
    events: ReadonlySet<EventKind>;
    /** Trimmed origin response body that means "received"; null = any 2xx. */
    ackBody: string | null;
    /** Decoded whsec_ secrets; the first is the newest. */
    secrets: Uint8Array[];
    timeoutMs: number;
    /** Delays between attempts: max attempts = length + 1. */
    retryScheduleMs: number[];
    signing: ForwardSigning;
    originMd5Key: Uint8Array | null;
  };
  returnUrl: string | null;
  adminToken: string | null;
  summary: ConfigSummary;
}

/**
 * While the settings have problems, the gateway still answers on the paths they name (with 503),
 * so Alipay keeps its notifications: `routes` is the best reading of those two settings.
 */
export interface BrokenConfigRoutes {
  /** NOTIFY_PATH as set (trimmed, even if invalid), else the default. */
  readonly notifyPath: string;
  /** Whether ORIGIN_RETURN_URL is set at all (valid or not). */
  readonly returnPage: boolean;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[]; routes: BrokenConfigRoutes };

export const DEFAULTS = {
  ALIPAY_SIGN_TYPES: 'RSA2',
  FORWARD_FORMAT: 'form',
  FORWARD_EVENTS: 'paid',
  ACK_MODE: 'durable',
  RETRY_SCHEDULE: '10s,1m,5m,30m,2h,6h,12h,24h,24h,24h',
  DELIVERY_TIMEOUT: '15s',
  MAX_NOTIFY_AGE: '72h',
  NOTIFY_PATH: '/alipay/notify',
  FORWARD_SIGNING: 'standard-webhooks',
} as const satisfies Partial<Record<SettingName, string>>;

/** Where Alipay's return_url lands when ORIGIN_RETURN_URL is set (src/return-page.ts). Fixed: it is the gateway's own address. */
export const RETURN_PATH = '/alipay/return';

// Bounds on setting values; the duration bounds live with their parsers in config-parsers.ts.
const MAX_SETTING_CHARS = 64 * 1024;
const MIN_ADMIN_TOKEN_CHARS = 16;
const MAX_ACK_BODY_CHARS = 256;

/** `NAME: message`, the one-line form used in logs, /health and the CLI. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.setting}: ${p.message}`;
}

// ---- memo -------------------------------------------------------------------

// Keyed on the raw strings: the same env (every request of an isolate) parses keys once.
// A handful of entries covers tests that load several configs in one isolate.
const MEMO_LIMIT = 8;
const memo = new Map<string, Promise<ConfigResult>>();

export function loadConfig(env: ConfigEnv): Promise<ConfigResult> {
  const raw = env as Record<string, unknown>;
  const memoKey = JSON.stringify(SETTING_NAMES.map((name) => (typeof raw[name] === 'string' ? raw[name] : typeof raw[name])));
  let result = memo.get(memoKey);
  if (!result) {
    result = parseConfig(raw);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(memoKey, result);
  }
  return result;
}

// ---- parsing ----------------------------------------------------------------

async function parseConfig(raw: Record<string, unknown>): Promise<ConfigResult> {
  const problems: ConfigProblem[] = [];
  const problem = (setting: SettingName, message: string) => problems.push({ setting, message });
  const warnings: ConfigProblem[] = [];

  // Unset, empty and whitespace-only all mean "use the default": wrangler.toml often holds `NAME = ""`.
  const text = (name: SettingName): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      problem(name, `must be text (a wrangler var or secret), not ${typeof value}`);
      return undefined;
    }
    if (value.length > MAX_SETTING_CHARS) {
      problem(name, `too long (${value.length} characters; at most ${MAX_SETTING_CHARS})`);
      return undefined;
    }
    return value.trim() === '' ? undefined : value;
  };
  const withDefault = (name: keyof typeof DEFAULTS): string => text(name) ?? DEFAULTS[name];

  // -- which Alipay signatures are accepted
  const signTypes = parseSignTypes(withDefault('ALIPAY_SIGN_TYPES'), (m) => problem('ALIPAY_SIGN_TYPES', m));
  // While ALIPAY_SIGN_TYPES is broken, assume the default (RSA2) so the key problem shows up now, not after the fix.
  const acceptsRsa = signTypes.length === 0 || signTypes.some((t) => t !== 'MD5');

  let keys: AlipayPublicKey[] = [];
  const keyText = text('ALIPAY_PUBLIC_KEY');
  if (keyText === undefined) {
    if (acceptsRsa) {
      problem(
        'ALIPAY_PUBLIC_KEY',
        'required (the Alipay public key 支付宝公钥 from the Alipay console, or alipayCertPublicKey_RSA2.crt; set it with: npx wrangler secret put ALIPAY_PUBLIC_KEY)',
      );
    }
  } else {
    const loaded = await loadKeysSafely(keyText);
    for (const message of loaded.warnings) warnings.push({ setting: 'ALIPAY_PUBLIC_KEY', message });
    if (loaded.ok) keys = loaded.keys;
    else for (const message of loaded.problems) problem('ALIPAY_PUBLIC_KEY', message);
  }

  const sellerIds = parseIdList(text('ALIPAY_SELLER_ID'), 'ALIPAY_SELLER_ID', 'a seller id (the 2088… partner id)', problem);
  const appIdText = text('ALIPAY_APP_ID');
  // Legacy mapi notifications carry no app_id at all; for them seller_id is the identity check.
  if (appIdText === undefined && sellerIds.length === 0) {
    problem('ALIPAY_APP_ID', 'required (your Alipay app id, e.g. 2021000123456789; comma-separate several)');
  }
  const appIds = parseIdList(appIdText, 'ALIPAY_APP_ID', 'an app id', problem);

  let md5Key: Uint8Array | undefined;
  const md5KeyText = text('ALIPAY_MD5_KEY');
  if (signTypes.includes('MD5')) {
    if (md5KeyText === undefined) {
      problem('ALIPAY_MD5_KEY', 'required because ALIPAY_SIGN_TYPES includes MD5 (the legacy mapi partner key, 32 characters)');
    } else if (/\s/.test(md5KeyText.trim())) {
      problem('ALIPAY_MD5_KEY', 'contains whitespace; the legacy partner key is one word of letters and digits');
    } else {
      md5Key = utf8Encode(md5KeyText.trim());
    }
  } else if (md5KeyText !== undefined) {
    warnings.push({ setting: 'ALIPAY_MD5_KEY', message: 'set but not used: ALIPAY_SIGN_TYPES does not include MD5' });
  }

  const maxNotifyAgeMs = parsePositiveDuration('MAX_NOTIFY_AGE', withDefault('MAX_NOTIFY_AGE'), problem);

  // -- forwarding
  const originUrlText = text('ORIGIN_URL');
  let originUrl: URL | null = null;
  if (originUrlText === undefined) {
    problem('ORIGIN_URL', 'required (where verified events are forwarded, e.g. https://shop.example.com/alipay/notify_url.asp)');
  } else {
    const parsed = parseOriginUrl(originUrlText);
    if (parsed.ok) originUrl = parsed.value;
    else problem('ORIGIN_URL', parsed.message);
  }

  let secrets: Uint8Array[] = [];
  const secretText = text('FORWARD_SECRET');
  if (secretText === undefined) {
    problem('FORWARD_SECRET', 'required (a whsec_… secret the origin verifies; generate one with: npx alipay-notify-edge secret)');
  } else {
    const parsed = parseWebhookSecrets(secretText);
    if (parsed.ok) secrets = parsed.value;
    else problem('FORWARD_SECRET', parsed.message);
  }

  const format = parseChoice('FORWARD_FORMAT', withDefault('FORWARD_FORMAT'), ['form', 'json'] as const, problem);
  const events = parseEvents(withDefault('FORWARD_EVENTS'), (m) => problem('FORWARD_EVENTS', m));

  let ackBody: string | null = format === 'form' ? 'success' : null;
  const ackBodyText = text('ORIGIN_ACK_BODY');
  if (ackBodyText !== undefined) {
    if (ackBodyText.trim().length > MAX_ACK_BODY_CHARS) {
      problem('ORIGIN_ACK_BODY', `too long (at most ${MAX_ACK_BODY_CHARS} characters)`);
    } else {
      ackBody = ackBodyText.trim();
    }
  }

  const ackMode = parseChoice('ACK_MODE', withDefault('ACK_MODE'), ['durable', 'after-delivery'] as const, problem);
  const retryScheduleMs = parseRetrySchedule(withDefault('RETRY_SCHEDULE'), (m) => problem('RETRY_SCHEDULE', m));
  const timeoutMs = parseTimeout(withDefault('DELIVERY_TIMEOUT'), problem);
  const notifyPathText = withDefault('NOTIFY_PATH');
  const notifyPath = parseNotifyPath(notifyPathText, (m) => problem('NOTIFY_PATH', m));

  let adminToken: string | null = null;
  const adminTokenText = text('ADMIN_TOKEN');
  if (adminTokenText !== undefined) {
    if (adminTokenText.trim().length < MIN_ADMIN_TOKEN_CHARS) {
      problem('ADMIN_TOKEN', `too short: use at least ${MIN_ADMIN_TOKEN_CHARS} random characters (or unset it to disable the admin API)`);
    } else {
      adminToken = adminTokenText.trim();
    }
  }

  const signing = parseChoice(
    'FORWARD_SIGNING',
    withDefault('FORWARD_SIGNING'),
    ['standard-webhooks', 'alipay-md5'] as const,
    problem,
  );
  let originMd5Key: Uint8Array | null = null;
  const originMd5KeyText = text('ORIGIN_MD5_KEY');
  if (signing === 'alipay-md5') {
    // The MD5 sign re-creates a legacy mapi FORM for a page that checks it; a JSON body has no
    // legacy sign content, so an MD5-signed JSON event would protect nothing any page can check.
    if (format === 'json') problem('FORWARD_SIGNING', 'alipay-md5 needs FORWARD_FORMAT=form (legacy pages check the MD5 sign of a form, never of JSON)');
    if (originMd5KeyText === undefined) {
      problem('ORIGIN_MD5_KEY', 'required because FORWARD_SIGNING is alipay-md5 (the key your legacy notify page checks the MD5 sign with)');
    } else {
      originMd5Key = utf8Encode(originMd5KeyText.trim());
    }
  } else if (originMd5KeyText !== undefined) {
    warnings.push({ setting: 'ORIGIN_MD5_KEY', message: 'set but not used: FORWARD_SIGNING is not alipay-md5' });
  }

  let returnUrl: URL | null = null;
  const returnUrlText = text('ORIGIN_RETURN_URL');
  if (returnUrlText !== undefined) {
    const parsed = parseOriginUrl(returnUrlText);
    if (parsed.ok) returnUrl = parsed.value;
    else problem('ORIGIN_RETURN_URL', parsed.message);
    if (notifyPath === RETURN_PATH) problem('NOTIFY_PATH', `${RETURN_PATH} is taken by the return page while ORIGIN_RETURN_URL is set; choose another path`);
  }

  if (problems.length > 0) {
    const order = (p: ConfigProblem) => SETTING_NAMES.indexOf(p.setting);
    const routes = { notifyPath: notifyPathText.trim(), returnPage: returnUrlText !== undefined };
    return { ok: false, problems: problems.sort((a, b) => order(a) - order(b)), routes };
  }

  // Every `null` below was reported as a problem above, so these are all set.
  const config: Config = {
    alipay: { keys, signTypes, ...(md5Key ? { md5Key } : {}), appIds, sellerIds, maxNotifyAgeMs: maxNotifyAgeMs! },
    notifyPath: notifyPath!,
    ackMode: ackMode!,
    forward: {
      originUrl: originUrl!.href,
      format: format!,
      events,
      ackBody,
      secrets,
      timeoutMs: timeoutMs!,
      retryScheduleMs,
      signing: signing!,
      originMd5Key,
    },
    returnUrl: returnUrl?.href ?? null,
    adminToken,
    summary: {
      signTypes: [...signTypes],
      keys: keys.map((k) => ({
        form: k.form,
        bits: k.modulusBits,
        fingerprint: k.fingerprint,
        ...(k.certSn ? { certSn: k.certSn } : {}),
        ...(k.notAfter !== undefined ? { notAfter: new Date(k.notAfter).toISOString() } : {}),
      })),
      appIds: [...appIds],
      sellerIds: [...sellerIds],
      maxNotifyAge: formatDuration(maxNotifyAgeMs!),
      notifyPath: notifyPath!,
      ackMode: ackMode!,
      originHost: originUrl!.host,
      forward: {
        format: format!,
        events: EVENT_KINDS.filter((k) => events.has(k)),
        ackBody,
        signing: signing!,
        secrets: secrets.length,
        timeout: formatDuration(timeoutMs!),
        retrySchedule: retryScheduleMs.map(formatDuration),
        maxAttempts: retryScheduleMs.length + 1,
      },
      returnUrlHost: returnUrl?.host ?? null,
      adminApi: adminToken !== null,
      warnings: warnings.map(formatProblem),
    },
  };
  return { ok: true, config };
}

type KeysLoaded = ({ ok: true; keys: AlipayPublicKey[] } | { ok: false; problems: string[] }) & { warnings: string[] };

async function loadKeysSafely(keyText: string): Promise<KeysLoaded> {
  try {
    const loaded = await loadPublicKeys(keyText);
    if (loaded.ok && loaded.keys.length === 0) return { ok: false, problems: ['no key found in the value'], warnings: loaded.warnings };
    return loaded;
  } catch {
    // keys.ts promises not to throw; if it ever does, the message must still not quote the key.
    return { ok: false, problems: ['could not be read as a public key (unexpected error while importing it)'], warnings: [] };
  }
}

