// The origin side of the settings: where events go, how they are signed and shaped, what counts
// as received, and how long to keep trying.

import { parseChoice, parseEvents, parseRetrySchedule, parseTimeout } from './parsers';
import type { SettingsReader } from './reader';
import type { AckMode, ForwardSettings } from './types';
import { FRAGMENT_REFUSED, parseOriginMd5Key, parseOriginUrl, parseWebhookSecrets } from './values';

const MAX_ACK_BODY_CHARS = 256;
/** A backlog drained faster than this is no longer "bounded" for any site. */
export const MAX_ORIGIN_RPS = 1000;

export interface ForwardSection {
  forward: ForwardSettings;
  ackMode: AckMode;
  /** For /health: the origin's host only (its path or query may carry a token). */
  originHost: string;
}

/** The forwarding settings, or null when one of them has a problem (reported to `settings`). */
export function readForwardSettings(settings: SettingsReader): ForwardSection | null {
  const { problem, warn } = settings;
  const before = settings.problems.length;

  const originUrlText = settings.text('ORIGIN_URL');
  let originUrl: URL | null = null;
  if (originUrlText === undefined) {
    problem('ORIGIN_URL', 'required (where verified events are forwarded, e.g. https://shop.example.com/alipay/notify_url.asp)');
  } else {
    const parsed = parseOriginUrl(originUrlText);
    if (!parsed.ok) problem('ORIGIN_URL', parsed.message);
    else if (parsed.value.hash !== '') problem('ORIGIN_URL', FRAGMENT_REFUSED);
    else originUrl = parsed.value;
  }

  let secrets: Uint8Array[] = [];
  const secretText = settings.text('FORWARD_SECRET');
  if (secretText === undefined) {
    problem('FORWARD_SECRET', 'required (a whsec_… secret the origin verifies; generate one with: npx alipay-notify-edge secret)');
  } else {
    const parsed = parseWebhookSecrets(secretText);
    if (parsed.ok) secrets = parsed.value;
    else problem('FORWARD_SECRET', parsed.message);
  }

  const format = parseChoice('FORWARD_FORMAT', settings.withDefault('FORWARD_FORMAT'), ['form', 'json'] as const, problem);
  const events = parseEvents(settings.withDefault('FORWARD_EVENTS'), (m) => problem('FORWARD_EVENTS', m));

  let ackBody: string | null = format === 'form' ? 'success' : null;
  const ackBodyText = settings.text('ORIGIN_ACK_BODY');
  if (ackBodyText !== undefined) {
    if (ackBodyText.trim().length > MAX_ACK_BODY_CHARS) problem('ORIGIN_ACK_BODY', `too long (at most ${MAX_ACK_BODY_CHARS} characters)`);
    else ackBody = ackBodyText.trim();
  }

  const ackMode = parseChoice('ACK_MODE', settings.withDefault('ACK_MODE'), ['durable', 'after-delivery'] as const, problem);
  const retryScheduleMs = parseRetrySchedule(settings.withDefault('RETRY_SCHEDULE'), (m) => problem('RETRY_SCHEDULE', m));
  const timeoutMs = parseTimeout(settings.withDefault('DELIVERY_TIMEOUT'), problem);
  const maxRpsText = settings.withDefault('ORIGIN_MAX_RPS').trim();
  const maxRps = /^\d{1,4}(?:\.\d{1,3})?$/.test(maxRpsText) ? Number(maxRpsText) : NaN;
  if (!(maxRps > 0 && maxRps <= MAX_ORIGIN_RPS)) {
    problem('ORIGIN_MAX_RPS', `must be a number of deliveries a second above 0 and at most ${MAX_ORIGIN_RPS} (e.g. 5, or 0.5 for one every 2 seconds), not "${maxRpsText.slice(0, 40)}"`);
  }

  const signing = parseChoice('FORWARD_SIGNING', settings.withDefault('FORWARD_SIGNING'), ['standard-webhooks', 'alipay-md5'] as const, problem);
  let originMd5Key: Uint8Array | null = null;
  const originMd5KeyText = settings.text('ORIGIN_MD5_KEY');
  if (signing === 'alipay-md5') {
    // The MD5 sign re-creates a legacy mapi FORM for a page that checks it; a JSON body has no
    // legacy sign content, so an MD5-signed JSON event would protect nothing any page can check.
    if (format === 'json') problem('FORWARD_SIGNING', 'alipay-md5 needs FORWARD_FORMAT=form (legacy pages check the MD5 sign of a form, never of JSON)');
    if (originMd5KeyText === undefined) {
      problem('ORIGIN_MD5_KEY', 'required because FORWARD_SIGNING is alipay-md5 (the key your legacy notify page checks the MD5 sign with)');
    } else {
      const parsed = parseOriginMd5Key(originMd5KeyText);
      if (parsed.ok) originMd5Key = parsed.value;
      else problem('ORIGIN_MD5_KEY', parsed.message);
    }
  } else if (originMd5KeyText !== undefined) {
    warn('ORIGIN_MD5_KEY', 'set but not used: FORWARD_SIGNING is not alipay-md5');
  }

  if (settings.problems.length > before || !originUrl || !format || !ackMode || timeoutMs === null || !signing) return null;
  return {
    forward: { originUrl: originUrl.href, format, events, ackBody, secrets, timeoutMs, retryScheduleMs, maxRps, signing, originMd5Key },
    ackMode,
    originHost: originUrl.host,
  };
}
