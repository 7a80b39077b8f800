// The whole pure pipeline for one body: verify the bytes, decode them by the signed charset, check
// the format of every field the gateway reads, check the business rules, classify. The Worker and
// the command-line `verify` both run exactly this, so they cannot disagree about a body. Each
// stage reports its own failure reason (a string-literal union), which the caller maps to its answer.

import { checkBusiness } from './checks';
import { classify } from './classify';
import { decodeParams } from './charset';
import { checkFields } from './fields';
import { toNotification } from './notification';
import type {
  Advice,
  BusinessCheckReason,
  BusinessRules,
  Charset,
  ClassifiedEvent,
  DecodeFailureReason,
  Notification,
  VerifyFailure,
  VerifyFailureReason,
  VerifyOptions,
  VerifySuccess,
} from './types';
import { verifyForm } from './verify';

export type ProcessFailure =
  | { ok: false; stage: 'verify'; reason: VerifyFailureReason; hint: string; advice?: Advice; failure: VerifyFailure }
  /** The signed bytes are not text in the signed charset, or a field the gateway reads is not in its format (`field` names it). */
  | { ok: false; stage: 'decode'; reason: DecodeFailureReason | 'invalid-field'; hint: string; field?: string; verified: VerifySuccess }
  | { ok: false; stage: 'business'; reason: BusinessCheckReason; hint: string; advice?: Advice; verified: VerifySuccess };

/** Every reason the pipeline can refuse a body with. */
export type ProcessFailureReason = ProcessFailure['reason'];

export type ProcessResult =
  | { ok: true; verified: VerifySuccess; charset: Charset; notification: Notification; event: ClassifiedEvent }
  | ProcessFailure;

/**
 * `checks.business: false` skips app_id/seller_id/age: the command-line tool checks signatures
 * (and field formats) only, unless asked for those. The Worker always checks them.
 */
export async function processNotification(
  body: Uint8Array,
  options: VerifyOptions & BusinessRules,
  nowMs: number,
  checks: { business?: boolean } = {},
): Promise<ProcessResult> {
  const verified = await verifyForm(body, options);
  if (!verified.ok) {
    const { reason, hint, advice } = verified;
    return { ok: false, stage: 'verify', reason, hint, ...(advice ? { advice } : {}), failure: verified };
  }

  const decoded = decodeParams(verified.pairs);
  if (!decoded.ok) return { ok: false, stage: 'decode', reason: decoded.reason, hint: decoded.hint, verified };
  const fields = checkFields(decoded.params);
  if (!fields.ok) return { ok: false, stage: 'decode', reason: fields.reason, hint: fields.hint, field: fields.field, verified };

  const notification = toNotification(decoded.params);
  if (checks.business !== false) {
    const business = checkBusiness(notification, options, nowMs);
    if (!business.ok) {
      const { reason, hint, advice } = business;
      return { ok: false, stage: 'business', reason, hint, ...(advice ? { advice } : {}), verified };
    }
  }
  return { ok: true, verified, charset: decoded.charset, notification, event: classify(notification) };
}
