// Builds and signs an asynchronous notification the way Alipay does, for `simulate`. Pure
// (WebCrypto, TextDecoder and the core only), so it runs anywhere the core does.
//
// A notification is planned once (ids, amounts, trade times) and then rendered per send with
// its own `notify_time`: Alipay's re-sends keep `notify_id` and everything else, and change
// `notify_time`, and therefore `sign`. The trade's own ids (trade_no, buyer_id) belong to the
// order, not to one notification: they are derived from app_id and out_trade_no (tradeIdsFor), so
// every notification about the same order carries the same ones, in any run, as Alipay's do.

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
export type SimulatedSignType = 'RSA2' | 'RSA';

/** What the user chose (all validated by `planNotification`). */
interface NotificationSpec {
  /** Absent: TRADE_SUCCESS, or TRADE_CLOSED for a refund of the whole amount (Alipay's full refund). */
  readonly status?: TradeStatus;
  readonly outTradeNo: string;
  /** Decimal yuan, e.g. "1.00", "88", "0.5". */
  readonly amount: string;
  /** refund_fee (decimal yuan, the cumulative refunded amount), or absent for a payment notification. */
  readonly refund?: string;
  readonly appId: string;
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
  readonly appId: string;
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

const MAX_AMOUNT_CENTS = 100_000_000_00n; // Alipay's single-payment ceiling
const SECOND = 1000;

/** `n` random decimal digits (WebCrypto, so ids do not collide between simulator runs). */
function randomDigits(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let s = '';
  for (const b of bytes) s += String(b % 10);
  return s;
}

function formatYuan(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/**
 * trade_no and buyer_id for an order, derived from SHA-256 of `app_id:out_trade_no`: stable across
 * re-sends, later notifications and runs. (The date part of trade_no is therefore derived too, not
 * the trade's date: nothing reads it.)
 */
export async function tradeIdsFor(appId: string, outTradeNo: string): Promise<TradeIds> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8Encode(`${appId}:${outTradeNo}`)));
  const digits = (from: number, count: number) => Array.from(hash.subarray(from, from + count), (b) => String(b % 10)).join('');
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `20${two(20 + (hash[0]! % 10))}${two(1 + (hash[1]! % 12))}${two(1 + (hash[2]! % 28))}`;
  return { tradeNo: `${date}22001${digits(3, 15)}`, buyerId: `2088${digits(18, 12)}` };
}

/** `yyyyMMdd` of a Beijing time, the prefix Alipay's trade_no and notify_id start with. */
function beijingDate(ms: number): string {
  return formatBeijingTime(ms).slice(0, 10).replaceAll('-', '');
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
  const gmtCreateMs = firstNotifyMs - (refunded ? 3600 : 65) * SECOND;
  const gmtPaymentMs = paid ? gmtCreateMs + 5 * SECOND : null;
  const gmtRefundMs = refunded ? firstNotifyMs - SECOND + 123 : null; // gmt_refund carries milliseconds
  const gmtCloseMs = status === 'TRADE_CLOSED' || status === 'TRADE_FINISHED' ? firstNotifyMs - SECOND : null;
  const day = beijingDate(firstNotifyMs);
  const clock = formatBeijingTime(firstNotifyMs).slice(11).replaceAll(':', '');

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
      // Shape of a real notify_id: 34 digits (date, "00222", time, ...); new for every notification.
      notifyId: `${day}00222${clock}${randomDigits(15)}`,
      tradeNo: spec.tradeIds.tradeNo,
      buyerId: spec.tradeIds.buyerId,
      outBizNo: refunded ? `RF${day}${randomDigits(10)}` : null,
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

/** Value text -> the bytes Alipay signs and percent-encodes: the notification's charset. */
function encodeValue(value: string, charset: SimulatedCharset): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  if (charset === 'utf-8') return { ok: true, bytes: utf8Encode(value) };
  const gbk = encodeGbk(value);
  if (gbk.ok) return gbk;
  return { ok: false, message: `"${gbk.character}" (U+${gbk.character.codePointAt(0)!.toString(16).toUpperCase()}) cannot be written in GBK` };
}

/**
 * Signs like Alipay: SHA256withRSA (RSA2) or SHA1withRSA (RSA) over the v1 sign content built
 * from the charset's bytes, then the form body with every value percent-encoded from those bytes.
 * `key` must have been imported for the sign type's hash.
 */
export async function signNotification(params: [string, string][], charset: SimulatedCharset, key: CryptoKey): Promise<SignedNotification> {
  const pairs: FormPair[] = [];
  for (const [name, value] of params) {
    const encoded = encodeValue(value, charset);
    if (!encoded.ok) return { ok: false, message: `${name}: ${encoded.message}` };
    pairs.push({ key: name, value: encoded.bytes });
  }
  const content = buildSignContent(pairs, 'v1');
  const sign = base64Encode(new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, content)));
  pairs.push({ key: 'sign', value: utf8Encode(sign) });
  return { ok: true, body: encodeFormBytes(pairs), sign };
}

/** The WebCrypto hash a sign type uses. */
export function hashOf(signType: SimulatedSignType): 'SHA-256' | 'SHA-1' {
  return signType === 'RSA2' ? 'SHA-256' : 'SHA-1';
}
