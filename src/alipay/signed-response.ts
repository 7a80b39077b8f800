// Verifying an OpenAPI v2 answer (`{"<method>_response":{…},"sign":"…"}`): RSA2 over the exact
// bytes of the `…_response` value as they stand in the text (ALIPAY.md "Asking Alipay"). Nothing
// in an answer is trusted unless this says so; a failure still carries the unverified value so a
// tool can say what Alipay (or whoever answered) claimed, for diagnosis only.

import { base64Decode } from '../utils/base64';
import { importVerifyKey } from './key-cache';
import { memberValue, scanTopLevel, type ScannedMember } from './response-scan';
import type { Advice, AlipayPublicKey } from './types';

/** A query answer is a few KiB; this leaves room for long fund_bill_list values and nothing more. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export type ResponseFailureReason = 'too-large' | 'unparsable' | 'no-response-value' | 'unsigned' | 'signature-encoding' | 'signature-mismatch' | 'no-usable-key';

export interface VerifiedResponse {
  readonly ok: true;
  /** e.g. `alipay_trade_query_response`, or `error_response` when the gateway refused the call itself. */
  readonly name: string;
  /** The value's bytes exactly as signed. */
  readonly signedBytes: Uint8Array;
  /** The same bytes, parsed: a JSON object. */
  readonly value: Readonly<Record<string, unknown>>;
  readonly keyFingerprint: string;
  /** `alipay_cert_sn` of the answer (certificate mode), when present. */
  readonly alipayCertSn: string | null;
}

export interface ResponseFailure {
  readonly ok: false;
  readonly reason: ResponseFailureReason;
  readonly hint: string;
  readonly name?: string;
  /** The bytes that were (or would have been) checked, when the value was found. */
  readonly signedBytes?: Uint8Array;
  /** What the answer claims, NOT verified: for messages only, never for decisions. */
  readonly unverified?: Readonly<Record<string, unknown>>;
  readonly alipayCertSn?: string | null;
  /** What to change, as data (the Worker words it in its settings, `verify --response` in its flags). */
  readonly advice?: Advice;
}

export type ResponseVerifyResult = VerifiedResponse | ResponseFailure;

export interface ResponseVerifyOptions {
  /** The member to verify, e.g. `alipay_trade_query_response` (`error_response` is also accepted). Default: the one `…_response` member. */
  readonly responseName?: string;
}

const WRONG_KEY_HINT =
  'No configured key verifies the answer\'s sign: the key must be the Alipay public key (支付宝公钥) of the environment that answered ' +
  '(the sandbox and production have different keys), not your app public key (应用公钥); an answer that does not verify is never trusted.';

const RSASSA = { name: 'RSASSA-PKCS1-v1_5' } as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pickResponse(members: ScannedMember[], wanted: string | undefined): ScannedMember | 'several' | null {
  if (wanted !== undefined) return members.find((m) => m.name === wanted) ?? members.find((m) => m.name === 'error_response') ?? null;
  const candidates = members.filter((m) => m.name.endsWith('_response'));
  if (candidates.length > 1) return 'several';
  return candidates[0] ?? null;
}

/** Never throws; an answer is trusted only when the result is `ok`. */
export async function verifySignedResponse(
  bytes: Uint8Array,
  keys: readonly AlipayPublicKey[],
  options: ResponseVerifyOptions = {},
): Promise<ResponseVerifyResult> {
  if (bytes.length > MAX_RESPONSE_BYTES) {
    return { ok: false, reason: 'too-large', hint: `The answer is ${bytes.length} bytes; an OpenAPI answer is never more than ${MAX_RESPONSE_BYTES}.` };
  }
  const scan = scanTopLevel(bytes);
  if (!scan.ok) {
    const why =
      scan.reason === 'duplicate-member'
        ? 'it names the same member twice, so what was signed and what would be read could differ'
        : scan.reason === 'not-an-object'
          ? 'it is not a JSON object (an HTML error page, or a proxy\'s answer?)'
          : `it is not well-formed JSON (at byte ${scan.at})`;
    return { ok: false, reason: 'unparsable', hint: `The answer cannot be read: ${why}.` };
  }
  const member = pickResponse(scan.members, options.responseName);
  if (member === 'several') return { ok: false, reason: 'unparsable', hint: 'The answer holds several "…_response" members; a real answer holds one.' };
  if (member === null) {
    const expected = options.responseName ?? '…_response';
    const names = scan.members.map((m) => m.name).slice(0, 5).join(', ') || 'none';
    return { ok: false, reason: 'no-response-value', hint: `The answer has no "${expected}" member (members: ${names}).` };
  }
  const name = member.name;
  const signedBytes = bytes.slice(member.valueStart, member.valueEnd);
  const value = member.kind === 'object' ? memberValue(bytes, member) : null;
  if (!isObject(value)) return { ok: false, reason: 'unparsable', name, hint: `"${name}" is not a JSON object in UTF-8.` };

  const certSnMember = scan.members.find((m) => m.name === 'alipay_cert_sn');
  const certSnValue = certSnMember ? memberValue(bytes, certSnMember) : null;
  const alipayCertSn = typeof certSnValue === 'string' ? certSnValue : null;
  const failed = (reason: ResponseFailureReason, hint: string, advice?: Advice): ResponseFailure => ({
    ok: false,
    reason,
    hint,
    name,
    signedBytes,
    unverified: value,
    alipayCertSn,
    ...(advice ? { advice } : {}),
  });

  const signMember = scan.members.find((m) => m.name === 'sign');
  const signText = signMember ? memberValue(bytes, signMember) : null;
  if (signMember === undefined || signText === '') {
    return failed('unsigned', 'The answer carries no sign: whoever sent it, nothing in it is trusted.');
  }
  if (typeof signText !== 'string') return failed('signature-encoding', 'The answer\'s "sign" is not a JSON string.');
  const signature = signText.length <= 2048 ? base64Decode(signText) : null;
  if (signature === null || signature.length === 0) return failed('signature-encoding', 'The answer\'s sign is not base64.');
  if (keys.length === 0) return failed('no-usable-key', 'Verifying Alipay\'s answers needs the Alipay public key (支付宝公钥); none is configured.', { kind: 'configure-public-key' });

  // Certificate mode names the signing certificate: its key goes first. The others are still tried,
  // because the signature, not the SN, is what proves the answer.
  const ordered = alipayCertSn === null ? keys : [...keys.filter((k) => k.certSn === alipayCertSn), ...keys.filter((k) => k.certSn !== alipayCertSn)];
  // The bytes as they stand first; then, when they escape "/" as "\/", the same text unescaped:
  // the official Java SDK retries so (AbstractAlipayClient.checkResponseSign), because answers
  // signed over "/" have been sent with "\/". Both parse to the same value, which is read from
  // the bytes as they stand either way.
  const contents = [signedBytes];
  const unescaped = unescapeSolidus(signedBytes);
  if (unescaped !== null) contents.push(unescaped);
  let lengthMatches = 0;
  for (const key of ordered) {
    if (signature.length !== (key.modulusBits + 7) >> 3) continue;
    lengthMatches++;
    try {
      const cryptoKey = await importVerifyKey(key, 'SHA-256');
      for (const content of contents) {
        if (await crypto.subtle.verify(RSASSA, cryptoKey, signature, content)) {
          return { ok: true, name, signedBytes: content, value, keyFingerprint: key.fingerprint, alipayCertSn };
        }
      }
    } catch {
      // An unusable key is a mismatch, like any other key that does not verify.
    }
  }
  if (lengthMatches === 0) {
    return failed('signature-mismatch', `The sign is ${signature.length} bytes, which no configured key makes: it is truncated or made with another key.`);
  }
  if (alipayCertSn !== null && keys.some((k) => k.certSn !== undefined) && !keys.some((k) => k.certSn === alipayCertSn)) {
    const sn = alipayCertSn.slice(0, 40);
    return failed(
      'signature-mismatch',
      `${WRONG_KEY_HINT} The answer names Alipay certificate SN ${sn}, which is not among the configured certificates: Alipay may have renewed it (download alipayCertPublicKey_RSA2.crt again).`,
      { kind: 'update-alipay-cert', sn },
    );
  }
  return failed('signature-mismatch', WRONG_KEY_HINT, { kind: 'check-public-key-environment' });
}

const BACKSLASH = 0x5c;
const SOLIDUS = 0x2f;

/**
 * JSON text with each escape `\/` written as `/`, or null when it has none. Only escapes: in `\\/`
 * the backslash is itself escaped and stays, so the text still means exactly the same.
 */
function unescapeSolidus(text: Uint8Array): Uint8Array<ArrayBuffer> | null {
  let found = false;
  const out = new Uint8Array(text.length);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === BACKSLASH && i + 1 < text.length) {
      if (text[i + 1] === SOLIDUS) {
        found = true;
        out[o++] = SOLIDUS;
      } else {
        out[o++] = c;
        out[o++] = text[i + 1]!;
      }
      i++;
    } else {
      out[o++] = c;
    }
  }
  return found ? out.subarray(0, o) : null;
}

/** The method an answer member belongs to: `alipay_trade_query_response` -> `alipay.trade.query`. */
export function methodOfResponse(name: string): string | null {
  return name.endsWith('_response') && name !== 'error_response' ? name.slice(0, -'_response'.length).replace(/_/g, '.') : null;
}
