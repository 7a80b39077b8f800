// Asks a running gateway's GET /health and turns the answer into plain sentences. Used by the
// `check` command and by `npm start` (scripts/dev.mjs), which waits for the local gateway with it.
// The answer's shape is src/http/health.ts: 200 `{ ok: true, ...ConfigSummary, deliveries }` or
// 503 `{ ok: false, problems: ["SETTING: message", ...] }`.

import type { ConfigSummary } from '../src/config/types';
import type { SettingName } from '../src/config/names';
import { LOOPBACK_HOSTS } from '../src/config/values';
import type { DeliveriesHealth } from '../src/http/health';
import { readAllCapped } from '../src/utils/read-capped';

/** What a healthy /health holds: the configuration summary, and the delivery hold (null: the gate did not answer in time). */
export type HealthSummary = Partial<ConfigSummary> & { deliveries?: DeliveriesHealth | null };

type HealthOutcome =
  | { kind: 'healthy'; url: string; summary: HealthSummary }
  | { kind: 'problems'; url: string; status: number; problems: string[] }
  /** Nothing answered: connection refused, DNS, TLS, timeout. */
  | { kind: 'unreachable'; url: string; message: string }
  /** Something answered, but not a gateway's health check (wrong URL, a proxy error page, ...). */
  | { kind: 'unexpected'; url: string; status: number; message: string };

const MAX_HEALTH_BYTES = 256 * 1024;
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/**
 * A gateway address as typed, with its scheme: a bare host (`shop-gateway.example.workers.dev`,
 * as wrangler and the Cloudflare dashboard show it) gets https://, a host on this machine
 * (`127.0.0.1:8787`, wrangler dev) http://.
 */
export function withScheme(input: string): string {
  const text = input.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  const host = /^(\[[^\]]*\]|[^/:?#]*)/.exec(text)![1]!.toLowerCase();
  return `${LOOPBACK_HOSTS.has(host) ? 'http' : 'https'}://${text}`;
}

/**
 * The gateway's own address (its workers.dev URL, or 127.0.0.1:8787), with or without a scheme,
 * or its /health URL -> the /health URL. Not the merchant's notify URL behind a route: only the
 * notify path reaches the gateway there, /health is the merchant's own server.
 */
export function healthUrlOf(input: string): { ok: true; url: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(withScheme(input));
  } catch {
    return { ok: false, message: `"${input.slice(0, 100)}" is not a URL (e.g. https://alipay-notify-edge.example.workers.dev)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: `${url.protocol} is not http or https` };
  // /health is always at the root of the Worker, whatever path was given.
  const path = url.pathname.replace(/\/+$/, '').endsWith('/health') ? url.pathname : '/health';
  return { ok: true, url: new URL(path, url.origin).href };
}

export async function fetchHealth(url: string, timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<HealthOutcome> {
  let response: Response;
  let bytes: Uint8Array | null;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    bytes = await readAllCapped(response.body, MAX_HEALTH_BYTES);
  } catch (error) {
    return { kind: 'unreachable', url, message: describeFetchError(error, timeoutMs) };
  }
  const text = bytes === null ? null : new TextDecoder().decode(bytes);
  let body: unknown = null;
  try {
    body = text === null ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null;
  if (response.status === 200 && record?.ok === true) {
    return { kind: 'healthy', url, summary: record as HealthSummary };
  }
  if (record?.ok === false && Array.isArray(record.problems)) {
    return { kind: 'problems', url, status: response.status, problems: record.problems.map((p) => String(p)) };
  }
  return {
    kind: 'unexpected',
    url,
    status: response.status,
    message:
      response.status === 404
        ? "answered 404: there is no gateway health check at this URL. Give the gateway's own address (its workers.dev URL), not your site's notify URL: a route sends only the notify path to the gateway. Is the Worker deployed?"
        : `answered ${response.status} with something that is not the gateway's health report (a proxy or error page?)`,
  };
}

/** Why a fetch() got no answer, in words (undici hides the reason in `cause`). */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  const code = e.cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'nothing is listening there (connection refused): is the gateway running (npm start, or wrangler dev)?';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve (a typo in the URL, or no network?)';
  if (code === 'ECONNRESET') return 'the connection was reset before an answer came';
  if (code.startsWith('CERT_') || code.includes('SELF_SIGNED') || code.startsWith('UNABLE_TO')) return `TLS certificate problem (${code})`;
  return `cannot connect (${code || e.cause?.message || e.message || 'unknown error'})`;
}

// ---- explaining ----------------------------------------------------------------

type SettingKind = 'secret' | 'var' | 'secret or var';

/** What each setting is, in a merchant's words, and where it is set. */
const SETTINGS: Record<SettingName, { kind: SettingKind; what: string }> = {
  ALIPAY_PUBLIC_KEY: { kind: 'secret', what: 'the Alipay public key (支付宝公钥) that verifies notifications, not your app key' },
  ALIPAY_APP_ID: { kind: 'var', what: 'your Alipay app id(s); notifications for other apps are refused' },
  ALIPAY_SELLER_ID: { kind: 'var', what: 'your seller / partner id (2088...), checked when set' },
  ALIPAY_SIGN_TYPES: { kind: 'var', what: 'which signatures are accepted: RSA2, RSA, MD5' },
  ALIPAY_MD5_KEY: { kind: 'secret', what: 'the legacy mapi MD5 partner key' },
  ORIGIN_URL: { kind: 'secret or var', what: 'where verified events are forwarded (your notify page)' },
  FORWARD_SECRET: { kind: 'secret', what: 'the whsec_ secret your origin checks the webhook signature with' },
  FORWARD_FORMAT: { kind: 'var', what: 'what the origin receives: form (the original body) or json' },
  FORWARD_EVENTS: { kind: 'var', what: 'which events are forwarded: paid, refund, closed, waiting, other, all' },
  ORIGIN_ACK_BODY: { kind: 'var', what: 'the origin answer that means "received" (default: success for form, any 2xx for json)' },
  ACK_MODE: { kind: 'var', what: 'when Alipay gets "success": durable or after-delivery' },
  RETRY_SCHEDULE: { kind: 'var', what: 'delays between delivery attempts, e.g. 10s,1m,5m' },
  DELIVERY_TIMEOUT: { kind: 'var', what: 'how long one delivery attempt may take' },
  ORIGIN_MAX_RPS: { kind: 'var', what: 'how many deliveries a second a backlog drains at after a hold' },
  MAX_NOTIFY_AGE: { kind: 'var', what: 'how old a notification may be (replay guard)' },
  NOTIFY_PATH: { kind: 'var', what: 'the path Alipay posts to' },
  ADMIN_TOKEN: { kind: 'secret', what: 'the Bearer token of the admin API' },
  FORWARD_SIGNING: { kind: 'var', what: 'how forwarded forms are signed: standard-webhooks or alipay-md5' },
  ORIGIN_MD5_KEY: { kind: 'secret', what: 'the MD5 key your legacy notify page checks the sign with' },
  ORIGIN_RETURN_URL: { kind: 'var', what: 'where the verified return_url redirects to' },
  STATUS_SECRET: { kind: 'secret', what: "the HMAC key of the buyer's status links (/alipay/status), at least 32 characters" },
  STATUS_ALLOWED_ORIGINS: { kind: 'var', what: "the web origins whose pages may read the buyer's status, e.g. https://shop.example.com" },
  INDEX_SHARDS: { kind: 'var', what: 'shards per month of the payments index (1 unless a sales peak needs more; never lower it)' },
  ALIPAY_APP_PRIVATE_KEY: { kind: 'secret', what: 'your app private key (应用私钥): signs the queries that ask Alipay about unpaid orders' },
  ALIPAY_GATEWAY_URL: { kind: 'var', what: "Alipay's OpenAPI gateway: production (default) or the sandbox" },
  ALIPAY_APP_CERT: { kind: 'secret or var', what: 'certificate mode: your app certificate, appCertPublicKey_<app_id>.crt' },
  ALIPAY_ROOT_CERT: { kind: 'secret or var', what: "certificate mode: Alipay's root certificate bundle, alipayRootCert.crt" },
  RECONCILE_SCHEDULE: { kind: 'var', what: 'when to ask Alipay about a pending order, e.g. 30s,2m,5m' },
  ALERT_URL: { kind: 'secret', what: 'where alerts go: a DingTalk, WeCom, Feishu/Lark or Slack robot URL, or your own endpoint' },
  ALERT_FORMAT: { kind: 'var', what: 'alert format: dingtalk, wecom, feishu, slack or json (default: from the URL)' },
  ALERT_SECRET: { kind: 'secret', what: "the robot's signing secret (DingTalk's SEC…, Feishu's 签名校验), or a whsec_ secret for json alerts" },
};

function howToSet(name: string, kind: SettingKind): string {
  const local = 'locally: a line in .dev.vars';
  if (kind === 'secret') return `npx wrangler secret put ${name}   (${local})`;
  if (kind === 'var') return `${name} under [vars] in wrangler.toml   (${local})`;
  return `npx wrangler secret put ${name}, or under [vars] in wrangler.toml   (${local})`;
}

/** One problem line from /health ("SETTING: message") -> a few lines saying what it is and how to fix it. */
function explainProblem(problem: string): string[] {
  const colon = problem.indexOf(':');
  const name = colon > 0 ? problem.slice(0, colon) : '';
  const setting = SETTINGS[name as SettingName];
  if (setting === undefined) return [`- ${problem}`];
  return [`- ${name}: ${problem.slice(colon + 1).trim()}`, `    what: ${setting.what}`, `    set:  ${howToSet(name, setting.kind)}`];
}

function list(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.map(String).join(', ') : '(none)';
}

function describeSummary(s: HealthSummary): string[] {
  const rows: [string, string][] = [];
  if (s.signTypes) rows.push(['accepted sign types', list(s.signTypes)]);
  if (s.keys) {
    const keys = s.keys.map((k) => `RSA ${k.bits}, ${k.form}, sha256 ${String(k.fingerprint).slice(0, 16)}…${k.notAfter ? `, expires ${k.notAfter}` : ''}`);
    rows.push([`Alipay public keys (${s.keys.length})`, keys.join('; ') || '(none)']);
  }
  if (s.appIds) rows.push(['app ids', list(s.appIds)]);
  if (s.sellerIds) rows.push(['seller ids', list(s.sellerIds)]);
  if (s.notifyPath) rows.push(['notify path', s.notifyPath]);
  if (s.ackMode) rows.push(['ack mode', s.ackMode]);
  if (s.maxNotifyAge) rows.push(['max notification age', s.maxNotifyAge]);
  if (s.originHost) {
    const f = s.forward;
    const detail = f ? ` (${f.format}, events: ${list(f.events)}, ${f.signing}, ${f.secrets} secret${f.secrets === 1 ? '' : 's'})` : '';
    rows.push(['forwards to', `${s.originHost}${detail}`]);
  }
  if (s.forward?.retrySchedule) {
    rows.push(['retries', `${list(s.forward.retrySchedule)} (${s.forward.maxAttempts} attempts, ${s.forward.timeout} each)`]);
  }
  if (s.returnUrlHost) rows.push(['return_url redirects to', s.returnUrlHost]);
  if (s.adminApi !== undefined) rows.push(['admin API', s.adminApi ? 'on' : 'off (ADMIN_TOKEN not set)']);
  if (s.statusPage) {
    const origins = s.statusPage.allowedOrigins.length > 0 ? `, readable from ${list(s.statusPage.allowedOrigins)}` : ', no page origin allowed (CORS)';
    rows.push(['buyer status', s.statusPage.enabled ? `on${origins}` : 'off (STATUS_SECRET not set)']);
  }
  if (s.indexShards !== undefined) rows.push(['payments index', `${s.indexShards} shard${s.indexShards === 1 ? '' : 's'} per month`]);
  if (s.reconcile) {
    const r = s.reconcile;
    rows.push(['asking Alipay', r.enabled ? `on, ${r.gateway}${r.schedule?.length ? `, after ${list(r.schedule)}` : ''}` : 'off (ALIPAY_APP_PRIVATE_KEY not set)']);
  }
  if (s.alerts !== undefined) rows.push(['alerts', s.alerts ? `${s.alerts.format} to ${s.alerts.host}${s.alerts.signed ? ', signed' : ''}` : 'off (ALERT_URL not set)']);
  if (s.deliveries !== undefined) rows.push(['deliveries', describeDeliveries(s.deliveries)]);
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

function describeDeliveries(d: DeliveriesHealth | null): string {
  if (d === null) return 'unknown (the delivery gate did not answer in time)';
  const waiting = `${d.waitingOrders} order${d.waitingOrders === 1 ? '' : 's'} waiting`;
  if (d.held) return `HELD${d.heldSince ? ` since ${d.heldSince}` : ''}, ${waiting}`;
  if (d.drainingUntil) return `flowing, catching up after a hold until ${d.drainingUntil} (${waiting})`;
  return 'flowing';
}

/**
 * A configured gateway whose deliveries are held (the admin console's hold, e.g. for maintenance
 * of the site): notifications are recorded, but nothing reaches the receiving page until they resume.
 */
export function deliveriesHeld(outcome: HealthOutcome): boolean {
  return outcome.kind === 'healthy' && outcome.summary.deliveries?.held === true;
}

/** The whole report, as lines for a terminal. */
export function explainHealth(outcome: HealthOutcome): string[] {
  switch (outcome.kind) {
    case 'healthy': {
      const warnings = outcome.summary.warnings ?? [];
      const held = deliveriesHeld(outcome)
        ? [
            'warning: deliveries are HELD: notifications are still recorded, but nothing reaches your receiving page ' +
              'until deliveries are resumed (admin console, or POST /admin/api/deliveries/resume).',
          ]
        : [];
      return [
        `${held.length > 0 ? 'configured, but deliveries are held' : 'healthy'}: ${outcome.url}`,
        ...describeSummary(outcome.summary),
        ...warnings.map((w) => `warning: ${w}`),
        ...held,
      ];
    }
    case 'problems':
      return [
        `NOT healthy: ${outcome.url} answered ${outcome.status} with ${outcome.problems.length} configuration problem${outcome.problems.length === 1 ? '' : 's'}.`,
        'Until they are fixed the gateway answers Alipay with an error, so Alipay keeps (and re-sends) its notifications.',
        ...outcome.problems.flatMap(explainProblem),
        'After changing a secret or var, redeploy (npx wrangler deploy) or restart `npm start`, then check again.',
      ];
    case 'unreachable':
      return [`cannot reach ${outcome.url}: ${outcome.message}`];
    case 'unexpected':
      return [`${outcome.url} ${outcome.message}`];
  }
}
