// The whole pure pipeline for one body: verify the bytes, decode by the signed charset, check the
// business rules, classify. Each stage reports its own failure so the gateway can pick the reply.

import { checkBusiness } from './checks';
import { classify } from './classify';
import { decodeParams } from './charset';
import { toNotification } from './notification';
import type { BusinessRules, Charset, ClassifiedEvent, Notification, VerifyOptions, VerifySuccess } from './types';
import { verifyForm } from './verify';

export type ProcessResult =
  | { ok: true; verified: VerifySuccess; charset: Charset; notification: Notification; event: ClassifiedEvent }
  | { ok: false; stage: 'verify' | 'decode' | 'business'; reason: string; hint: string; verified?: VerifySuccess };

/** `checks.business: false` skips app_id/seller_id/age (the CLI checks signatures only unless asked). */
export async function processNotification(
  body: Uint8Array,
  options: VerifyOptions & BusinessRules,
  nowMs: number,
  checks: { business?: boolean } = {},
): Promise<ProcessResult> {
  const verified = await verifyForm(body, options);
  if (!verified.ok) return { ok: false, stage: 'verify', reason: verified.reason, hint: verified.hint };

  const decoded = decodeParams(verified.pairs);
  if (!decoded.ok) return { ok: false, stage: 'decode', reason: decoded.reason, hint: decoded.hint, verified };

  const notification = toNotification(decoded.params);
  if (checks.business !== false) {
    const business = checkBusiness(notification, options, nowMs);
    if (!business.ok) return { ok: false, stage: 'business', reason: business.reason, hint: business.hint, verified };
  }
  return { ok: true, verified, charset: decoded.charset, notification, event: classify(notification) };
}
