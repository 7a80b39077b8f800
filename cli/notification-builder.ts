// Builds and signs an asynchronous notification the way Alipay does, for `simulate`. Pure
// (WebCrypto, TextDecoder and the core only), so it runs anywhere the core does.
//
// A notification is planned once (ids, amounts, trade times) and then rendered per send with
// its own `notify_time`: Alipay's re-sends keep `notify_id` and everything else, and change
// `notify_time`, and therefore `sign`. The trade's own ids (trade_no, buyer_id) belong to the
// order, not to one notification: they are derived from app_id and out_trade_no (tradeIdsFor), with
// trade_no starting with the trade's date, so every notification about the same order simulated on
// the same Beijing day carries the same ones, in any run, as Alipay's do.
//
// Two shapes: the OpenAPI notification (app_id, charset, total_amount), and the legacy mapi one
// ("即时到账", docs/ALIPAY.md) an old ASP site still gets: no app_id, no charset field (its bytes
// are in the merchant's _input_charset), the partner id as seller_id, total_fee, price and
// quantity, usually signed MD5. The sign itself comes from a Signer, so the MD5 one can use
// node:crypto in the CLI while this file stays pure.

import { createHash } from 'node:crypto';
import { parseAmountCents } from '../src/alipay/amount';
import { formatBeijingTime } from '../src/alipay/beijing-time';
import { base64Encode } from '../src/utils/base64';
import { utf8Encode } from '../src/utils/bytes';
import { buildSignContent } from '../src/alipay/content';
import { encodeFormBytes } from '../src/alipay/parse';
import type { FormPair } from '../src/alipay/types';
import { encodeGbk } from './gbk';

export const TRADE_STATUSES = ['TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED', 'WAIT_BUYER_PAY'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];
export const SIMULATED_CHARSETS = ['utf-8', 'gbk'] as const;
export type SimulatedCharset = (typeof SIMULATED_CHARSETS)[number];
export type SimulatedSignType = 'RSA2' | 'RSA' | 'MD5';
/** Turns the signed content (v1: no sign, no sign_type, no empty values; sorted) into the `sign` value. */
export type Signer = (content: Uint8Array) => Promise<string>;

/** What the user chose (all validated by `planNotification`). */
interface NotificationSpec {
  /** Absent: TRADE_SUCCESS, or TRADE_CLOSED for a refund of the whole amount (Alipay's full refund). */
  readonly status?: TradeStatus;
  readonly outTradeNo: string;
  /** Decimal yuan, e.g. "1.00", "88", "0.5". */
  readonly amount: string;
  /** refund_fee (decimal yuan, the cumulative refunded amount), or absent for a payment notification. */
  readonly refund?: string;
  /** Null: a legacy mapi notification, which has no app_id (its seller_id, the partner id, names the merchant). */
  readonly appId: string | null;
  readonly sellerId: string;
  readonly charset: SimulatedCharset;
  readonly signType: SimulatedSignType;
  /** The order's trade ids (tradeIdsFor). */
  readonly tradeIds: TradeIds;
}

/** Alipay's ids of one trade: the same in every notification about the order. */
export interface TradeIds {
  /** 28 digits: a date, "22001", 15 more digits (the shape of real ones). */
  readonly tradeNo: string;
  /** 2088 and 12 digits. */
  readonly buyerId: string;
}

/** Everything that stays the same across the re-sends of one notification. */
export interface NotificationPlan {
  readonly status: TradeStatus;
  readonly outTradeNo: string;
  readonly totalAmount: string;
  readonly refundFee: string | null;
  /** Null: a legacy mapi notification. */
  readonly appId: string | null;
  readonly sellerId: string;
  readonly charset: SimulatedCharset;
  readonly signType: SimulatedSignType;
  readonly notifyId: string;
  readonly tradeNo: string;
  readonly buyerId: string;
  readonly outBizNo: string | null;
  readonly gmtCreateMs: number;
  readonly gmtPaymentMs: number | null;
  readonly gmtCloseMs: number | null;
  readonly gmtRefundMs: number | null;
}

type PlanResult = { ok: true; plan: NotificationPlan } | { ok: false; message: string };
type SignedNotification = { ok: true; body: Uint8Array; sign: string } | { ok: false; message: string };

// Realistic text: Chinese, a space, "+" and "&" all have to survive percent-encoding byte-exactly.
export const SIMULATED_SUBJECT = '测试商品 1+1';
const SIMULATED_BODY = 'alipay-notify-edge 模拟通知 & 测试';
// Alipay masks the buyer's login in notifications itself.
const MASKED_LOGON_ID = 'sim***@example.com';
// mapi: the merchant's Alipay account, and the passback a legacy page put in its payment request
// (often its own query string, so "&" and "=" in a value have to survive).
const SIMULATED_SELLER_EMAIL = 'shop@example.com';
const SIMULATED_PASSBACK = 'from=simulate&site=asp';

const MAX_AMOUNT_CENTS = 100_000_000_00n; // Alipay's single-payment ceiling
const SECOND = 1000;

/** `n` random characters of `alphabet` (WebCrypto, so ids do not collide between simulator runs). */
function randomOf(alphabet: string, n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

const randomDigits = (n: number) => randomOf('0123456789', n);

function formatYuan(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/**
 * trade_no and buyer_id for an order. trade_no begins, as Alipay's does, with the trade's date
 * (yyyyMMdd, Beijing): the day `tradeDayMs` falls on, which planNotification makes gmt_create's day
 * too. The rest is derived from SHA-256 of `app_id:out_trade_no`, so re-sends, later notifications
 * and later runs about the same order carry the same ids as long as they are simulated on the same
 * Beijing day (a simulator keeps no record of the day an order was first simulated).
 */
export async function tradeIdsFor(appId: string, outTradeNo: string, tradeDayMs: number): Promise<TradeIds> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8Encode(`${appId}:${outTradeNo}`)));
  const digits = (from: number, count: number) => Array.from(hash.subarray(from, from + count), (b) => String(b % 10)).join('');
  return { tradeNo: `${beijingDate(tradeDayMs)}22001${digits(3, 15)}`, buyerId: `2088${digits(18, 12)}` };
}

/** `yyyyMMdd` of a Beijing time, the prefix Alipay's trade_no and notify_id start with. */
function beijingDate(ms: number): string {
  return formatBeijingTime(ms).slice(0, 10).replaceAll('-', '');
}

const BEIJING_OFFSET_MS = 8 * 3600 * SECOND; // UTC+8 all year, no daylight saving
const DAY_MS = 24 * 3600 * SECOND;

/** 00:00:00 Beijing time of the day `ms` falls on. */
function beijingDayStart(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
}

/**
 * Ids and trade times for a notification whose first send carries `firstNotifyMs` as notify_time.
 * Trade times come before it, in the order Alipay produces them (created, paid, closed/refunded).
 */
export function planNotification(spec: NotificationSpec, firstNotifyMs: number): PlanResult {
  const total = parseAmountCents(spec.amount);
  if (total === null || total <= 0n || total > MAX_AMOUNT_CENTS) {
    return { ok: false, message: `--amount "${spec.amount}" is not an amount in yuan between 0.01 and 100000000 (e.g. 1.00)` };
  }
  let refund: bigint | null = null;
  if (spec.refund !== undefined) {
    refund = parseAmountCents(spec.refund);
    if (refund === null || refund <= 0n) return { ok: false, message: `--refund "${spec.refund}" is not a positive amount in yuan (e.g. 0.50)` };
    if (refund > total) return { ok: false, message: `--refund ${formatYuan(refund)} is more than the order amount ${formatYuan(total)}` };
  }
  const status = spec.status ?? (refund !== null && refund === total ? 'TRADE_CLOSED' : 'TRADE_SUCCESS');
  if (refund !== null && (status === 'WAIT_BUYER_PAY' || status === 'TRADE_FINISHED')) {
    return {
      ok: false,
      message: `--refund does not go with ${status}: a refund comes as TRADE_SUCCESS (partial) or TRADE_CLOSED (full)`,
    };
  }

  const refunded = refund !== null;
  const paid = status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED' || refunded;
  // A refund happens well after the payment; a payment notification follows it within seconds.
  // The trade is created on the day it is simulated (never the evening before, just after
  // midnight), the day its trade_no begins with (tradeIdsFor).
  const gmtCreateMs = Math.max(firstNotifyMs - (refunded ? 3600 : 65) * SECOND, beijingDayStart(firstNotifyMs));
  const gmtPaymentMs = paid ? Math.min(gmtCreateMs + 5 * SECOND, firstNotifyMs) : null;
  const gmtRefundMs = refunded ? firstNotifyMs - SECOND + 123 : null; // gmt_refund carries milliseconds
  const gmtCloseMs = status === 'TRADE_CLOSED' || status === 'TRADE_FINISHED' ? firstNotifyMs - SECOND : null;
  const day = beijingDate(firstNotifyMs);
  const clock = formatBeijingTime(firstNotifyMs).slice(11).replaceAll(':', '');
  const mapi = spec.appId === null;

  return {
    ok: true,
    plan: {
      status,
      outTradeNo: spec.outTradeNo,
      totalAmount: formatYuan(total),
      refundFee: refund === null ? null : formatYuan(refund),
      appId: spec.appId,
      sellerId: spec.sellerId,
      charset: spec.charset,
      signType: spec.signType,
      // Shape of a real notify_id, new for every notification: 34 digits (date, "00222", time, ...);
      // a mapi one is 34 lowercase letters and digits.
      notifyId: mapi ? randomOf('0123456789abcdefghijklmnopqrstuvwxyz', 34) : `${day}00222${clock}${randomDigits(15)}`,
      tradeNo: spec.tradeIds.tradeNo,
      buyerId: spec.tradeIds.buyerId,
      // A mapi trade notification names no refund: refund_status and gmt_refund say there was one.
      outBizNo: refunded && !mapi ? `RF${day}${randomDigits(10)}` : null,
      gmtCreateMs,
      gmtPaymentMs,
      gmtCloseMs,
      gmtRefundMs,
    },
  };
}

function beijingMillis(ms: number): string {
  return `${formatBeijingTime(ms)}.${String(((ms % SECOND) + SECOND) % SECOND).padStart(3, '0')}`;
}

/** The parameters of one send, in the order Alipay's documentation lists them, `sign` not yet added. */
export function notificationParams(plan: NotificationPlan, notifyTimeMs: number): [string, string][] {
  if (plan.appId === null) return mapiParams(plan, notifyTimeMs);
  const params: [string, string][] = [
    ['notify_time', formatBeijingTime(notifyTimeMs)],
    ['notify_type', 'trade_status_sync'],
    ['notify_id', plan.notifyId],
    ['app_id', plan.appId],
    ['auth_app_id', plan.appId],
    ['charset', plan.charset],
    ['version', '1.0'],
    ['sign_type', plan.signType],
    ['trade_no', plan.tradeNo],
    ['out_trade_no', plan.outTradeNo],
  ];
  if (plan.outBizNo !== null) params.push(['out_biz_no', plan.outBizNo]);
  params.push(
    ['buyer_id', plan.buyerId],
    ['buyer_logon_id', MASKED_LOGON_ID],
    ['seller_id', plan.sellerId],
    ['trade_status', plan.status],
    ['total_amount', plan.totalAmount],
  );
  if (plan.gmtPaymentMs !== null) {
    params.push(
      ['receipt_amount', plan.totalAmount],
      ['invoice_amount', plan.totalAmount],
      ['buyer_pay_amount', plan.totalAmount],
      ['point_amount', '0.00'],
    );
  }
  if (plan.refundFee !== null) params.push(['refund_fee', plan.refundFee]);
  params.push(['subject', SIMULATED_SUBJECT], ['body', SIMULATED_BODY], ['gmt_create', formatBeijingTime(plan.gmtCreateMs)]);
  if (plan.gmtPaymentMs !== null) params.push(['gmt_payment', formatBeijingTime(plan.gmtPaymentMs)]);
  if (plan.gmtRefundMs !== null) params.push(['gmt_refund', beijingMillis(plan.gmtRefundMs)]);
  if (plan.gmtCloseMs !== null) params.push(['gmt_close', formatBeijingTime(plan.gmtCloseMs)]);
  if (plan.gmtPaymentMs !== null) {
    params.push(['fund_bill_list', JSON.stringify([{ amount: plan.totalAmount, fundChannel: 'ALIPAYACCOUNT' }])]);
  }
  return params;
}

/** A legacy mapi trade notification (create_direct_pay_by_user's notify): one item, no coupon, no price change. */
function mapiParams(plan: NotificationPlan, notifyTimeMs: number): [string, string][] {
  const params: [string, string][] = [
    ['notify_time', formatBeijingTime(notifyTimeMs)],
    ['notify_type', 'trade_status_sync'],
    ['notify_id', plan.notifyId],
    ['sign_type', plan.signType],
    ['out_trade_no', plan.outTradeNo],
    ['subject', SIMULATED_SUBJECT],
    ['payment_type', '1'],
    ['trade_no', plan.tradeNo],
    ['trade_status', plan.status],
    ['seller_id', plan.sellerId],
    ['seller_email', SIMULATED_SELLER_EMAIL],
    ['buyer_id', plan.buyerId],
    ['buyer_email', MASKED_LOGON_ID],
    ['total_fee', plan.totalAmount],
    ['quantity', '1'],
    ['price', plan.totalAmount],
    ['discount', '0.00'],
    ['body', SIMULATED_BODY],
    ['is_total_fee_adjust', 'N'],
    ['use_coupon', 'N'],
    ['extra_common_param', SIMULATED_PASSBACK],
    ['gmt_create', formatBeijingTime(plan.gmtCreateMs)],
  ];
  if (plan.gmtPaymentMs !== null) params.push(['gmt_payment', formatBeijingTime(plan.gmtPaymentMs)]);
  if (plan.gmtCloseMs !== null) params.push(['gmt_close', formatBeijingTime(plan.gmtCloseMs)]);
  if (plan.gmtRefundMs !== null) params.push(['refund_status', 'REFUND_SUCCESS'], ['gmt_refund', formatBeijingTime(plan.gmtRefundMs)]);
  return params;
}

/** Value text -> the bytes Alipay signs and percent-encodes: the notification's charset. */
function encodeValue(value: string, charset: SimulatedCharset): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  if (charset === 'utf-8') return { ok: true, bytes: utf8Encode(value) };
  const gbk = encodeGbk(value);
  if (gbk.ok) return gbk;
  return { ok: false, message: `"${gbk.character}" (U+${gbk.character.codePointAt(0)!.toString(16).toUpperCase()}) cannot be written in GBK` };
}

/**
 * Signs like Alipay: `sign` over the v1 sign content built from the charset's bytes, then the form
 * body with every value percent-encoded from those bytes.
 */
export async function signNotification(params: [string, string][], charset: SimulatedCharset, signer: Signer): Promise<SignedNotification> {
  const pairs: FormPair[] = [];
  for (const [name, value] of params) {
    const encoded = encodeValue(value, charset);
    if (!encoded.ok) return { ok: false, message: `${name}: ${encoded.message}` };
    pairs.push({ key: name, value: encoded.bytes });
  }
  const sign = await signer(buildSignContent(pairs, 'v1'));
  pairs.push({ key: 'sign', value: utf8Encode(sign) });
  return { ok: true, body: encodeFormBytes(pairs), sign };
}

/** RSA2 (SHA256withRSA) or RSA (SHA1withRSA), base64: `key` must have been imported for the sign type's hash. */
export function rsaSigner(key: CryptoKey): Signer {
  return async (content) => base64Encode(new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, content)));
}

/** Alipay's mapi MD5 sign (src/alipay/md5-sign.ts): lowercase hex md5 of the content followed directly by the key. */
export function md5Signer(key: Uint8Array): Signer {
  return async (content) => createHash('md5').update(content).update(key).digest('hex');
}

/** The WebCrypto hash an RSA sign type uses. */
export function hashOf(signType: Exclude<SimulatedSignType, 'MD5'>): 'SHA-256' | 'SHA-1' {
  return signType === 'RSA2' ? 'SHA-256' : 'SHA-1';
}
