// What a verified `alipay.trade.query` answer means (ALIPAY.md "Asking Alipay"): `code` 10000 is a
// trade and its `trade_status`; `40004` with `ACQ.TRADE_NOT_EXIST` is "no such trade yet" (not
// paid, or not created): an answer, not an error. Every other answer is a failure with a reason, and
// `transient` says whether asking again later may help or a person has to fix something.
//
// Like a notification, an answer is validated field by field before anything acts on it: the trade
// must be the one asked about, the status one Alipay defines and the amounts real decimals.

import { parseAmountCents } from './amount';
import { parseBeijingTime } from './beijing-time';
import type { TradeRef } from './query-request';
import { verifySignedResponse, type ResponseFailureReason } from './signed-response';
import type { Advice, AlipayPublicKey, SetupAdvice } from './types';

export const QUERY_RESPONSE_NAME = 'alipay_trade_query_response';

export type QueriedTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';
const TRADE_STATUSES: readonly QueriedTradeStatus[] = ['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_SUCCESS', 'TRADE_FINISHED'];

export interface QueriedTrade {
  readonly outTradeNo: string;
  readonly tradeNo: string;
  readonly tradeStatus: QueriedTradeStatus;
  /** TRADE_SUCCESS or TRADE_FINISHED: the buyer paid (a refund may have followed: see refund queries). */
  readonly paid: boolean;
  readonly totalAmount: string;
  /** `send_pay_date`: when the payment was made (Beijing time text), when Alipay gives it. */
  readonly sendPayDate: string | null;
  readonly buyerUserId: string | null;
  /** Already masked by Alipay (e.g. `854***@qq.com`). */
  readonly buyerLogonId: string | null;
  /** Every top-level string field of the answer as sent (`code` and `msg` included): what a `form` delivery of a query result carries. */
  readonly fields: Readonly<Record<string, string>>;
}

export type QueryFailureReason =
  | ResponseFailureReason
  | 'invalid-trade-ref'
  | 'timeout'
  | 'network-error'
  | 'http-status'
  | 'alipay-error'
  | 'unexpected-answer';

/** What Alipay said in an error answer. `verified` is false when the answer's sign did not check out: then it is a clue, never a fact. */
export interface AlipaySaid {
  readonly code: string | null;
  readonly msg: string | null;
  readonly subCode: string | null;
  readonly subMsg: string | null;
  readonly verified: boolean;
}

export type QueryResult =
  | { ok: true; status: 'found'; trade: QueriedTrade; keyFingerprint: string; signedText: string }
  | { ok: true; status: 'not-found'; keyFingerprint: string }
  | { ok: false; reason: QueryFailureReason; hint: string; transient: boolean; alipay?: AlipaySaid; advice?: Advice | SetupAdvice };

/**
 * Whether asking again later can help. Network trouble and Alipay's own outages pass; an answer
 * that does not verify may be a proxy's page (passes) or a wrong key (does not): it counts as
 * transient here and a person hears of it when it keeps happening.
 */
export const TRANSIENT = {
  'too-large': true,
  unparsable: true,
  'no-response-value': true,
  unsigned: true,
  'signature-encoding': true,
  'signature-mismatch': false,
  'no-usable-key': false,
  'invalid-trade-ref': false,
  timeout: true,
  'network-error': true,
  'http-status': true,
  'alipay-error': false,
  'unexpected-answer': false,
} satisfies Record<QueryFailureReason, boolean>;

const TEXT_LIMIT = 200;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

function short(value: string | null): string | null {
  return value === null ? null : value.length > TEXT_LIMIT ? `${value.slice(0, TEXT_LIMIT)}…` : value;
}

function said(value: Readonly<Record<string, unknown>> | undefined, verified: boolean): AlipaySaid | undefined {
  if (value === undefined) return undefined;
  return { code: short(text(value.code)), msg: short(text(value.msg)), subCode: short(text(value.sub_code)), subMsg: short(text(value.sub_msg)), verified };
}

/** Reads the bytes of an answer to `alipay.trade.query` about `asked`. Never throws. */
export async function readQueryResponse(bytes: Uint8Array, keys: readonly AlipayPublicKey[], asked: TradeRef): Promise<QueryResult> {
  const verified = await verifySignedResponse(bytes, keys, { responseName: QUERY_RESPONSE_NAME });
  if (!verified.ok) {
    const clue = said(verified.unverified, false);
    const claimed = clue?.subCode || clue?.code ? ` Unverified, it says: ${describeSaid(clue)}.` : '';
    return {
      ok: false,
      reason: verified.reason,
      hint: verified.hint + claimed,
      transient: TRANSIENT[verified.reason],
      ...(clue ? { alipay: clue } : {}),
      ...(verified.advice ? { advice: verified.advice } : {}),
    };
  }
  const value = verified.value;
  const code = text(value.code);
  const subCode = text(value.sub_code);
  if (code === '40004' && subCode === 'ACQ.TRADE_NOT_EXIST') {
    const echoed = text(value.out_trade_no);
    if ('outTradeNo' in asked && echoed !== null && echoed !== '' && echoed !== asked.outTradeNo) {
      return unexpected(`the "no such trade" answer is about out_trade_no ${short(echoed)}, not the one asked about`);
    }
    return { ok: true, status: 'not-found', keyFingerprint: verified.keyFingerprint };
  }
  if (code !== '10000' || verified.name !== QUERY_RESPONSE_NAME) {
    const alipay = said(value, true)!;
    const { hint, advice } = alipayErrorHint(alipay);
    return { ok: false, reason: 'alipay-error', hint, transient: isTransientAlipayError(alipay), alipay, ...(advice ? { advice } : {}) };
  }
  const trade = tradeOf(value);
  if (typeof trade === 'string') return unexpected(trade);
  if ('outTradeNo' in asked ? trade.outTradeNo !== asked.outTradeNo : trade.tradeNo !== asked.tradeNo) {
    return unexpected(`the answer is about another trade (out_trade_no ${short(trade.outTradeNo)})`);
  }
  return { ok: true, status: 'found', trade, keyFingerprint: verified.keyFingerprint, signedText: new TextDecoder().decode(verified.signedBytes) };
}

function unexpected(why: string): QueryResult {
  return { ok: false, reason: 'unexpected-answer', hint: `A verified answer that cannot be used: ${why}.`, transient: false };
}

/** The trade of a `code` 10000 answer, or what is wrong with it. */
function tradeOf(value: Readonly<Record<string, unknown>>): QueriedTrade | string {
  const fields: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') fields[key] = v;
  const outTradeNo = fields.out_trade_no ?? '';
  const tradeNo = fields.trade_no ?? '';
  const status = fields.trade_status ?? '';
  const totalAmount = fields.total_amount ?? '';
  if (outTradeNo === '' || tradeNo === '') return 'it names no out_trade_no or trade_no';
  if (!/^\d{1,64}$/.test(tradeNo)) return 'its trade_no is not digits';
  if (!(TRADE_STATUSES as readonly string[]).includes(status)) return `its trade_status "${short(status)}" is not one Alipay defines`;
  if (parseAmountCents(totalAmount) === null) return `its total_amount "${short(totalAmount)}" is not an amount`;
  for (const key of ['buyer_pay_amount', 'receipt_amount', 'invoice_amount', 'point_amount']) {
    const amount = fields[key];
    if (amount !== undefined && amount !== '' && parseAmountCents(amount) === null) return `its ${key} is not an amount`;
  }
  const sendPayDate = fields.send_pay_date ?? null;
  if (sendPayDate !== null && sendPayDate !== '' && parseBeijingTime(sendPayDate) === null) return 'its send_pay_date is not a Beijing time';
  const tradeStatus = status as QueriedTradeStatus;
  return {
    outTradeNo,
    tradeNo,
    tradeStatus,
    paid: tradeStatus === 'TRADE_SUCCESS' || tradeStatus === 'TRADE_FINISHED',
    totalAmount,
    sendPayDate: sendPayDate || null,
    buyerUserId: fields.buyer_user_id || fields.buyer_open_id || null,
    buyerLogonId: fields.buyer_logon_id || null,
    fields,
  };
}

export function describeSaid(s: AlipaySaid): string {
  return [s.code, s.msg, s.subCode, s.subMsg].filter((x) => x !== null && x !== '').join(' / ');
}

// Alipay's codes: 20000 service unavailable, 20001 authorisation, 40001 missing parameter,
// 40002 invalid parameter, 40004 business failure, 40006 insufficient permissions.
function isTransientAlipayError(s: AlipaySaid): boolean {
  return s.code === '20000' || s.subCode === 'ACQ.SYSTEM_ERROR' || (s.subCode ?? '').startsWith('isp.');
}

const SUB_CODE_HINTS: Record<string, { hint: string; advice?: SetupAdvice }> = {
  'isv.invalid-signature': {
    hint:
      'Alipay could not verify the request\'s signature: the public half of the app private key (`npx alipay-notify-edge keys` prints it) must be ' +
      'the app public key (应用公钥) set for this app in the console of the same environment (sandbox or production).',
    advice: { kind: 'check-app-public-key' },
  },
  'isv.invalid-app-id': {
    hint: 'Alipay does not know this app_id in this environment: sandbox app ids work only with the sandbox gateway, and production ones only with production.',
    advice: { kind: 'check-app-environment' },
  },
  'isv.insufficient-isv-permissions': { hint: 'The app may not call alipay.trade.query: add a payment product (e.g. 电脑网站支付) to the app in the Alipay console.' },
  'isv.invalid-timestamp': { hint: 'Alipay refused the request\'s timestamp: the clock of the machine that sent it is wrong.' },
};

function alipayErrorHint(s: AlipaySaid): { hint: string; advice?: SetupAdvice } {
  const known = s.subCode !== null && Object.hasOwn(SUB_CODE_HINTS, s.subCode) ? SUB_CODE_HINTS[s.subCode] : undefined;
  const prefix = `Alipay answered ${describeSaid(s) || 'without a code'}.`;
  if (known) return { hint: `${prefix} ${known.hint}`, ...(known.advice ? { advice: known.advice } : {}) };
  if (s.code && s.code.startsWith('4000') && (s.subCode ?? '').includes('cert')) {
    return { hint: `${prefix} In certificate mode, the app certificate and the root bundle must be the files of this app, downloaded from the console.`, advice: { kind: 'check-request-certs' } };
  }
  return { hint: isTransientAlipayError(s) ? `${prefix} Alipay is having trouble; the query is asked again later.` : prefix };
}
