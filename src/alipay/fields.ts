// The format of every field the gateway reads (docs/ALIPAY.md: the sign content has no escaping).
//
// Alipay's signed content joins `key=value` with `&` and escapes nothing, so one signature fits
// several splittings of the same bytes: a captured body can be re-split to move a pair into its
// neighbour's value (`k1=v1%26k2%3Dv2`) and still verify. Names are held to Alipay's alphabet
// by the parser (so a pair cannot hide in a name). Here:
// - each field the gateway reads must have its documented format, which a value that swallowed
//   `&k=v` never has. Formats are taken from Alipay's documentation and real notifications,
//   strict where a hidden pair would land and loose where genuine values vary (merchant order
//   numbers, legacy notify ids);
// - free text (subject, body, passback_params...) may hold anything, so a value holding
//   `&name=` for a field that decides what the gateway does, while that field is absent, is a
//   hidden field.

import { parseAmountCents } from './amount';
import type { FieldCheckResult } from './types';

interface Format {
  readonly test: (value: string) => boolean;
  /** "is not <what>" */
  readonly what: string;
}

const pattern = (re: RegExp, what: string): Format => ({ test: (v) => re.test(v), what });

/**
 * Alipay's documented limits for the merchant's order number (String(64)) and notify_id
 * (String(128)). One constant each: the admin API names orders by them (src/orders/order-key.ts),
 * so an id this file accepts is always one an admin path can name.
 */
export const MAX_OUT_TRADE_NO_CHARS = 64;
export const MAX_NOTIFY_ID_CHARS = 128;

// Alipay amounts are yuan with up to 2 decimals; `1`, `1.0` and `1.00` all occur.
const AMOUNT: Format = { test: (v) => v.length <= 32 && parseAmountCents(v) !== null, what: 'an amount (digits, a "." and up to 2 decimals)' };
const TIME = pattern(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'a time in the form yyyy-MM-dd HH:mm:ss');
// gmt_refund carries milliseconds (2024-01-01 10:00:05.321); the other gmt_* fields do not.
const GMT_TIME = pattern(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,3})?$/, 'a time in the form yyyy-MM-dd HH:mm:ss[.SSS]');
const ALIPAY_ID = pattern(/^\d{1,32}$/, 'an Alipay id (digits)');
const TRADE_NO = pattern(/^[0-9A-Za-z_-]{1,64}$/, "an Alipay trade number (letters, digits, '_' and '-', at most 64)");
// Chosen by the merchant: Alipay documents letters, digits and "_", up to 64 characters; merchants
// use "-", "." and more. Any printable ASCII but "&", which is what a re-split brings in.
const MERCHANT_NO = pattern(
  new RegExp(`^[\\x20-\\x25\\x27-\\x7e]{1,${MAX_OUT_TRADE_NO_CHARS}}$`),
  `a merchant number (printable ASCII without "&", at most ${MAX_OUT_TRADE_NO_CHARS} characters)`,
);
// Current notify ids are hex-like; legacy mapi ones are base64-like (letters, digits, "/", "+", "=").
const NOTIFY_ID = pattern(
  new RegExp(`^[\\x21-\\x25\\x27-\\x7e]{1,${MAX_NOTIFY_ID_CHARS}}$`),
  `a notify id (printable ASCII without spaces or "&", at most ${MAX_NOTIFY_ID_CHARS} characters)`,
);
const STATUS = pattern(/^[A-Z][A-Z0-9_]{0,63}$/, 'a status (upper-case letters, digits and "_")');
const NOTIFY_TYPE = pattern(/^[a-z][a-z0-9_.]{0,63}$/, 'a notify type (lower-case letters, digits, "_" and ".")');
const CHARSET = pattern(/^[A-Za-z0-9_-]{1,32}$/, 'a charset name');
const VERSION = pattern(/^\d{1,4}(?:\.\d{1,4}){0,3}$/, 'a version (e.g. 1.0)');
const SIGN_TYPE = pattern(/^(?:RSA2|RSA|MD5)$/i, 'a sign type (RSA2, RSA or MD5)');
// JSON arrays (sometimes sent HTML-escaped, `&quot;`): a swallowed `&k=v` would end after the `]`.
const JSON_LIST = pattern(/^\[[\s\S]*\]$/, 'a JSON list');

/** Every field the gateway reads or that neighbours one in the signed content, by name. */
const FORMATS: ReadonlyMap<string, Format> = new Map([
  ['app_id', ALIPAY_ID],
  ['auth_app_id', ALIPAY_ID],
  ['seller_id', ALIPAY_ID],
  ['notify_id', NOTIFY_ID],
  ['notify_time', TIME],
  ['notify_type', NOTIFY_TYPE],
  ['trade_status', STATUS],
  ['trade_no', TRADE_NO],
  ['out_trade_no', MERCHANT_NO],
  ['out_biz_no', MERCHANT_NO],
  ['total_amount', AMOUNT],
  ['total_fee', AMOUNT], // legacy mapi
  ['refund_fee', AMOUNT],
  ['receipt_amount', AMOUNT],
  ['invoice_amount', AMOUNT],
  ['buyer_pay_amount', AMOUNT],
  ['point_amount', AMOUNT],
  ['charset', CHARSET],
  ['version', VERSION],
  ['sign_type', SIGN_TYPE],
  ['fund_bill_list', JSON_LIST],
  ['voucher_detail_list', JSON_LIST],
]);

function formatOf(name: string): Format | undefined {
  return FORMATS.get(name) ?? (name.startsWith('gmt_') ? GMT_TIME : undefined);
}

const isNameChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;

/**
 * The fields whose absence changes what the gateway decides (src/alipay/notification.ts reads
 * them: the order, the event, the amount, the refund, the checks of app, seller and age, the
 * charset): hiding one of them in a neighbour's value is how a re-split changes a notification's
 * meaning. The other formatted fields (gmt_payment, receipt_amount, fund_bill_list...) are
 * checked when present, but their absence changes nothing, so a merchant's free text that happens
 * to hold `&gmt_close=` or `&total_fee=` is not refused for it.
 */
const DECIDING_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['notify_id', []],
  ['notify_time', []],
  ['notify_type', []],
  ['app_id', []],
  ['seller_id', []],
  ['out_trade_no', []],
  ['trade_no', []],
  ['trade_status', []],
  // One amount, read from either name: hidden only when the notification has neither.
  ['total_amount', ['total_fee']],
  ['total_fee', ['total_amount']],
  ['refund_fee', []],
  ['out_biz_no', []],
  ['gmt_refund', []],
  ['charset', []],
  ['sign_type', []],
]);

const present = (params: Readonly<Record<string, string>>, name: string) => Object.hasOwn(params, name) && params[name] !== '';

/** The first deciding field that `value` holds as `&name=` while the notification lacks it. */
function hiddenField(value: string, params: Readonly<Record<string, string>>): string | undefined {
  for (let amp = value.indexOf('&'); amp >= 0; amp = value.indexOf('&', amp + 1)) {
    let end = amp + 1;
    while (end < value.length && isNameChar(value.charCodeAt(end))) end++;
    if (end === amp + 1 || value.charCodeAt(end) !== 0x3d) continue;
    const name = value.slice(amp + 1, end);
    const sameField = DECIDING_FIELDS.get(name);
    if (sameField !== undefined && !present(params, name) && !sameField.some((other) => present(params, other))) return name;
  }
  return undefined;
}

/**
 * The first field (in body order) whose value is not in its format, or that hides a field the
 * gateway reads. Empty values are absent (they are not signed). The hint names fields, never a value.
 */
export function checkFields(params: Readonly<Record<string, string>>): FieldCheckResult {
  for (const name of Object.keys(params)) {
    const value = params[name]!;
    if (value === '') continue;
    const format = formatOf(name);
    if (format !== undefined && !format.test(value)) {
      return {
        ok: false,
        reason: 'invalid-field',
        field: name,
        hint: `${name} is not ${format.what}: a genuine Alipay notification always has it so; this body was altered or re-split after it was signed.`,
      };
    }
    const hidden = value.includes('&') ? hiddenField(value, params) : undefined;
    if (hidden !== undefined) {
      return {
        ok: false,
        reason: 'invalid-field',
        field: name,
        hint:
          `${name} holds "&${hidden}=" while the notification has no ${hidden} of its own: a field hidden inside another value, ` +
          'which is how a signed body is re-split; Alipay sends each field as its own parameter.',
      };
    }
  }
  return { ok: true };
}
