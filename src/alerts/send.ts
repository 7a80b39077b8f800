// Sending one alert message: a time limit per attempt, a few retries for what may pass (network,
// 5xx, rate limits), none for what will not (a refused robot token or signature). Robots answer
// HTTP 200 with an error code in the body, so success is judged per format. The caller runs this
// outside any request Alipay is waiting on (an alarm, or waitUntil): alerts never hold up an answer.

import { signWebhook } from '../delivery/signature';
import { utf8Encode } from '../utils/bytes';
import { boundedFetch } from '../utils/bounded-fetch';
import { dingTalkSignedUrl } from './dingtalk-sign';
import { feishuSignedBody } from './feishu-sign';
import { formatAlert } from './format';
import type { AlertDigest, AlertFormat, AlertTarget } from './types';

export type AlertSendReason = 'timeout' | 'network-error' | 'http-status' | 'rate-limited' | 'rejected';

export type AlertSendResult = { ok: true; attempts: number } | { ok: false; reason: AlertSendReason; hint: string; attempts: number };

export interface AlertSendOptions {
  readonly fetch?: typeof fetch;
  /** Per attempt. Default 5 s. */
  readonly timeoutMs?: number;
  /** Waits between attempts; their number + 1 is the number of attempts. Default [1 s, 5 s]. */
  readonly retryDelaysMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export const DEFAULT_ALERT_TIMEOUT_MS = 5_000;
export const DEFAULT_ALERT_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000];
/** A Retry-After longer than this is not waited for here: the debounce window brings the next try. */
const MAX_RETRY_AFTER_MS = 30_000;
const MAX_ANSWER_BYTES = 16 * 1024;

type Verdict = { ok: true } | { ok: false; reason: AlertSendReason; hint: string; retryAfterMs?: number };

const RETRYABLE: Record<AlertSendReason, boolean> = {
  timeout: true,
  'network-error': true,
  'http-status': true,
  'rate-limited': true,
  rejected: false,
} satisfies Record<AlertSendReason, boolean>;

function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function sendAlert(target: AlertTarget, digest: AlertDigest, options: AlertSendOptions = {}): Promise<AlertSendResult> {
  const delays = options.retryDelaysMs ?? DEFAULT_ALERT_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const { body } = formatAlert(digest, target.format);
  let attempts = 0;
  for (;;) {
    attempts++;
    const verdict = await attemptOnce(target, digest, body, now(), options);
    if (verdict.ok) return { ok: true, attempts };
    if (!RETRYABLE[verdict.reason] || attempts > delays.length) return { ok: false, reason: verdict.reason, hint: verdict.hint, attempts };
    await sleep(Math.max(delays[attempts - 1]!, Math.min(verdict.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
  }
}

async function attemptOnce(target: AlertTarget, digest: AlertDigest, message: string, nowMs: number, options: AlertSendOptions): Promise<Verdict> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  let url = target.url;
  let body = message;
  if (target.format === 'dingtalk' && target.robotSecret) url = await dingTalkSignedUrl(url, target.robotSecret, nowMs);
  if (target.format === 'feishu' && target.robotSecret) body = await feishuSignedBody(message, target.robotSecret, nowMs);
  if (target.format === 'json' && target.webhookSecrets.length > 0) {
    const id = `alert_${digest.kind}_${digest.firstAt.toString(36)}_${digest.count}`;
    Object.assign(headers, await signWebhook(target.webhookSecrets, id, nowMs / 1000, utf8Encode(body)));
  }
  const host = hostOf(target.url);
  const got = await boundedFetch(url, { method: 'POST', headers, body }, { timeoutMs, maxBytes: MAX_ANSWER_BYTES, fetch: options.fetch });
  if (!got.ok) {
    return got.timedOut
      ? { ok: false, reason: 'timeout', hint: `${host} did not answer within ${timeoutMs} ms` }
      : { ok: false, reason: 'network-error', hint: `could not reach ${host}: check ALERT_URL` };
  }
  return judge(target.format, host, got.response, new TextDecoder().decode(got.bytes));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the alert URL';
  }
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** Never quotes more than a short piece of the answer, and never the URL (its token is a secret). */
function judge(format: AlertFormat, host: string, response: Response, answer: string): Verdict {
  const status = response.status;
  if (status === 429) return { ok: false, reason: 'rate-limited', hint: `${host} says too many messages (HTTP 429)`, retryAfterMs: retryAfterMs(response) };
  if (status >= 500) return { ok: false, reason: 'http-status', hint: `${host} answered HTTP ${status}` };
  if (status < 200 || status >= 300) {
    const why = status >= 300 && status < 400 ? ' (a redirect: is ALERT_URL the robot\'s webhook address?)' : status === 404 || status === 403 ? ' (is ALERT_URL still valid?)' : '';
    return { ok: false, reason: 'rejected', hint: `${host} answered HTTP ${status}${why}` };
  }
  if (format === 'dingtalk' || format === 'wecom' || format === 'feishu') return robotVerdict(format, host, answer);
  return { ok: true };
}

type RobotFormat = 'dingtalk' | 'wecom' | 'feishu';
const ROBOT_NAMES: Record<RobotFormat, string> = { dingtalk: 'DingTalk', wecom: 'WeCom', feishu: 'Feishu' };

// DingTalk: 130101 too fast (20 a minute); 310000 keyword, signature or IP refused; 300001 bad token.
// WeCom: 45009 too fast (20 a minute); 93000 invalid webhook key.
// Feishu: 11232 frequency limited; 19021 signature or timestamp refused; 19022 IP; 19024 keyword; 9499 bad request.
const RATE_LIMIT_CODES = new Set([130101, 45009, 11232]);
const ROBOT_ADVICE: Record<RobotFormat, string> = {
  dingtalk: 'check the robot\'s security settings: with "加签" ALERT_SECRET must be its SEC… secret; with keywords, a keyword must appear in the message (e.g. alipay-notify-edge)',
  wecom: 'check that ALERT_URL is the robot\'s current webhook address (…/cgi-bin/webhook/send?key=…)',
  feishu: 'check the robot\'s security settings (安全设置): with 签名校验 ALERT_SECRET must be its signing secret; with keywords, a keyword must appear in the message (e.g. alipay-notify-edge)',
};
// Feishu names what it refused, so the hint can say which setting to look at.
const FEISHU_ADVICE: Readonly<Record<number, string>> = {
  19021: 'the robot checks 签名校验: ALERT_SECRET must be its signing secret, copied whole',
  19022: 'the robot has an IP allow-list, and a Worker does not send from fixed addresses: use 签名校验 or a keyword instead',
  19024: 'the robot checks keywords: add one every message contains, e.g. alipay-notify-edge',
};

/** The robot's answer code and message: DingTalk and WeCom say errcode/errmsg; Feishu code/msg, or StatusCode/StatusMessage on older deployments. */
function robotAnswer(format: RobotFormat, parsed: Record<string, unknown>): { code: number; message: unknown } {
  const [code, message] = format === 'feishu' ? [parsed.code ?? parsed.StatusCode, parsed.msg ?? parsed.StatusMessage] : [parsed.errcode, parsed.errmsg];
  return { code: typeof code === 'number' ? code : Number(code), message };
}

function robotVerdict(format: RobotFormat, host: string, answer: string): Verdict {
  const name = format === 'feishu' ? 'code' : 'errcode';
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { ok: false, reason: 'rejected', hint: `${host} did not answer as a ${ROBOT_NAMES[format]} robot does (no JSON ${name}): is ALERT_FORMAT right?` };
  }
  const { code, message } = robotAnswer(format, parsed as Record<string, unknown>);
  if (code === 0) return { ok: true };
  const said = typeof message === 'string' ? message.slice(0, 120) : '';
  if (RATE_LIMIT_CODES.has(code)) return { ok: false, reason: 'rate-limited', hint: `${host} says too many messages (${name} ${code})` };
  const advice = (format === 'feishu' ? FEISHU_ADVICE[code] : undefined) ?? ROBOT_ADVICE[format];
  return { ok: false, reason: 'rejected', hint: `${host} refused the message (${name} ${Number.isFinite(code) ? code : '?'}${said ? `: ${said}` : ''}); ${advice}` };
}
