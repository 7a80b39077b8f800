// The checks Alipay tells merchants to make after the signature: the notification is for our
// app (app_id) and our seller (seller_id), and it is fresh (notify_time), which bounds replays of
// an old genuine notification.

import { parseBeijingTime } from './beijing-time';
import type { BusinessCheckResult, BusinessRules, Notification } from './types';

/** A clock a little ahead of ours is normal; far ahead means the time is wrong. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** The message is for our app (app_id) and our seller (seller_id). Also used for return_url queries. */
export function checkIdentity(n: Pick<Notification, 'appId' | 'sellerId'>, rules: BusinessRules): BusinessCheckResult {
  if (n.appId !== null) {
    if (!rules.appIds.includes(n.appId)) {
      return {
        ok: false,
        reason: 'app-id-mismatch',
        hint: `app_id ${n.appId.slice(0, 32)} is not an accepted app id: a genuine notification for another app (a shared key?), or the accepted app ids are wrong.`,
        advice: { kind: 'check-app-id' },
      };
    }
  } else if (rules.sellerIds.length === 0) {
    return {
      ok: false,
      reason: 'app-id-mismatch',
      hint: 'The notification has no app_id (a legacy mapi notification): it is accepted only for a seller id (your partner id, 2088...) that is set.',
      advice: { kind: 'configure-seller-id' },
    };
  }

  if (rules.sellerIds.length > 0) {
    if (n.sellerId === null) {
      return { ok: false, reason: 'missing-field', hint: 'The notification has no seller_id, and accepted seller ids are set.', advice: { kind: 'check-seller-id' } };
    }
    if (!rules.sellerIds.includes(n.sellerId)) {
      return {
        ok: false,
        reason: 'seller-id-mismatch',
        hint: `seller_id ${n.sellerId.slice(0, 32)} is not an accepted seller id: the payment went to another Alipay account.`,
        advice: { kind: 'check-seller-id' },
      };
    }
  }
  return { ok: true };
}

export function checkBusiness(n: Notification, rules: BusinessRules, nowMs: number): BusinessCheckResult {
  const identity = checkIdentity(n, rules);
  if (!identity.ok) return identity;

  if (n.notifyTime === null) {
    return { ok: false, reason: 'missing-field', hint: 'The notification has no notify_time, so its age cannot be checked.' };
  }
  const sentAt = parseBeijingTime(n.notifyTime);
  if (sentAt === null) {
    return { ok: false, reason: 'notify-time-invalid', hint: 'notify_time is not a Beijing time in the form yyyy-MM-dd HH:mm:ss.' };
  }
  if (sentAt - nowMs > MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: 'notify-time-invalid',
      hint: `notify_time ${n.notifyTime} is more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes in the future (it is Beijing time, UTC+8).`,
    };
  }
  if (nowMs - sentAt > rules.maxNotifyAgeMs) {
    return {
      ok: false,
      reason: 'notify-too-old',
      hint: `notify_time ${n.notifyTime} is older than the accepted age: a replay of an old notification, or a clock problem.`,
      advice: { kind: 'check-max-age' },
    };
  }
  return { ok: true };
}
