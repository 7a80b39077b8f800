// Is the receiving page ready? Sends it what the gateway would send for one event, built and
// signed by the gateway's own code (src/delivery: the form payload, Standard Webhooks signing, one
// attempt with redirects reported, the ack body compared), then the same body with a wrong
// signature, which a page that checks signatures must refuse.
//
// The test event is a "waiting for payment" notification for an order that does not exist
// (out_trade_no ANE-INIT-PROBE-…, trade_status WAIT_BUYER_PAY): the example receivers record its
// webhook-id as seen and answer `success`; nothing is credited.

import { formatBeijingTime } from '../src/alipay/beijing-time';
import { parseOriginUrl, parseWebhookSecrets } from '../src/config/values';
import { attemptDelivery } from '../src/delivery/attempt';
import type { ForwardSettings } from '../src/config/types';
import type { DeliveryEvent } from '../src/delivery/payload';
import { buildAttemptRequest } from '../src/delivery/request';
import { hexEncode } from '../src/utils/hex';
import { utf8Encode } from '../src/utils/bytes';
import { describeFetchError } from './health-check';
import { newForwardSecret } from './secret';

export const PROBE_ORDER_PREFIX = 'ANE-INIT-PROBE-';
export const PROBE_TIMEOUT_MS = 15_000;

export type ProbeOutcome =
  | { kind: 'ok'; status: number }
  /** The gateway itself would refuse this ORIGIN_URL (not https, not absolute). */
  | { kind: 'bad-url'; message: string }
  /** The FORWARD_SECRET given is not a usable whsec_ secret: nothing was sent. */
  | { kind: 'bad-secret'; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'timeout'; seconds: number }
  /** 3xx: the gateway does not follow redirects (a redirected POST loses its body). */
  | { kind: 'redirect'; status: number; location: string | null }
  /** The page refused the signature: it does not have this FORWARD_SECRET (yet). */
  | { kind: 'secret-refused'; status: number; excerpt: string }
  /** The page refused the timestamp: its clock is more than 5 minutes off. */
  | { kind: 'clock'; status: number; excerpt: string }
  | { kind: 'http-status'; status: number; excerpt: string }
  /** 2xx, but not exactly the ack body: the gateway would retry this forever. */
  | { kind: 'wrong-ack'; status: number; excerpt: string; ackBody: string }
  /** The page answered `success` to a wrongly signed POST: it does not check signatures. */
  | { kind: 'accepts-forgery'; status: number };

export interface ProbeOptions {
  originUrl: string;
  forwardSecret: string;
  appId?: string;
  /** ORIGIN_ACK_BODY; default `success` (form). */
  ackBody?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export async function probeReceivingPage(options: ProbeOptions): Promise<ProbeOutcome> {
  const url = parseOriginUrl(options.originUrl);
  if (!url.ok) return { kind: 'bad-url', message: url.message };
  const secrets = parseWebhookSecrets(options.forwardSecret);
  if (!secrets.ok) return { kind: 'bad-secret', message: secrets.message };
  const fetchImpl = options.fetchImpl ?? fetch;
  const ackBody = options.ackBody ?? 'success';
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const event = probeEvent(options.appId);
  const forward: ForwardSettings = {
    originUrl: url.value.href,
    format: 'form',
    events: new Set(['waiting']),
    ackBody,
    secrets: secrets.value,
    timeoutMs,
    maxRps: 1,
    retryScheduleMs: [],
    signing: 'standard-webhooks',
    originMd5Key: null,
  };

  const genuine = await attemptDelivery(await buildAttemptRequest(event, forward, Date.now()), fetchImpl);
  if (!genuine.ok) {
    if (genuine.reason === 'timeout') return { kind: 'timeout', seconds: timeoutMs / 1000 };
    if (genuine.reason === 'network-error') return { kind: 'unreachable', message: await whyUnreachable(url.value.href, fetchImpl) };
    if (genuine.reason === 'wrong-ack') return { kind: 'wrong-ack', status: genuine.status ?? 200, excerpt: genuine.excerpt, ackBody };
    return classifyStatus(genuine.status ?? 0, genuine.excerpt, genuine.hint);
  }

  // The same event signed with a secret the page cannot have: must not be taken.
  const forged = { ...forward, secrets: (parseWebhookSecrets(newForwardSecret()) as { ok: true; value: Uint8Array[] }).value };
  const wrong = await attemptDelivery(await buildAttemptRequest({ ...event, webhookId: `${event.webhookId}x` }, forged, Date.now()), fetchImpl);
  if (wrong.ok) return { kind: 'accepts-forgery', status: wrong.status };
  return { kind: 'ok', status: genuine.status };
}

function classifyStatus(status: number, excerpt: string, hint: string): ProbeOutcome {
  if (status >= 300 && status < 400) {
    const location = /redirected to (.*?);/.exec(hint)?.[1] ?? null;
    return { kind: 'redirect', status, location };
  }
  if (/timestamp-too-(old|new)/.test(excerpt)) return { kind: 'clock', status, excerpt };
  if (status === 401 || status === 403) return { kind: 'secret-refused', status, excerpt };
  return { kind: 'http-status', status, excerpt };
}

/** attemptDelivery keeps only the error's name; ask once more to say why in words. */
async function whyUnreachable(url: string, fetchImpl: typeof fetch): Promise<string> {
  try {
    const response = await fetchImpl(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return `the POST failed, though the page answers HEAD with ${response.status}`;
  } catch (error) {
    return describeFetchError(error, 5_000);
  }
}

function probeEvent(appId: string | undefined): DeliveryEvent {
  const random = hexEncode(crypto.getRandomValues(new Uint8Array(12)));
  const now = formatBeijingTime(Date.now());
  const params: Record<string, string> = {
    gmt_create: now,
    charset: 'utf-8',
    notify_time: now,
    notify_type: 'trade_status_sync',
    notify_id: `ane-init-probe-${random}`,
    app_id: appId ?? '',
    out_trade_no: `${PROBE_ORDER_PREFIX}${random}`,
    trade_status: 'WAIT_BUYER_PAY',
    total_amount: '0.01',
    subject: 'alipay-notify-edge init probe',
  };
  if (!appId) delete params['app_id'];
  const body = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return {
    webhookId: `msg_initprobe_${random}`,
    orderKey: `probe/${random}`,
    eventKey: 'waiting',
    kind: 'waiting',
    attempt: 1,
    notifyId: params['notify_id']!,
    signType: 'RSA2',
    contentRule: 'v1',
    charset: 'utf-8',
    rawBody: utf8Encode(body),
    params,
  };
}
