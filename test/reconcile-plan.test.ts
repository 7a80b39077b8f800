// The pure parts of reconciliation: when an order's ledger asks Alipay next, and what a paid
// answer becomes (the event the origin receives, in each format, with its source).
import { describe, expect, it } from 'vitest';
import type { QueriedTrade } from '../src/alipay/query-response';
import { buildFormPayload, buildJsonPayload } from '../src/delivery/payload';
import { legacyMd5FormBuilder } from '../src/delivery/legacy-md5';
import { queryEventOf } from '../src/orders/query-event';
import { FINAL_QUERY_AFTER_EXPIRY_MS, nextQueryAt } from '../src/orders/reconcile-schedule';
import { legacyMd5Sign, plainSignContent } from './support/alipay-sign';
import { parseFormBody } from './support/form';

const S = 1_000;
const SCHEDULE = [30 * S, 120 * S, 300 * S];
const T0 = Date.UTC(2026, 4, 1, 2, 0, 0);

describe('when to ask Alipay next', () => {
  it('the n-th entry is the wait after the n-th query; the schedule ends the asking', () => {
    expect(nextQueryAt(SCHEDULE, { done: 0, since: T0, expiresAt: null })).toBe(T0 + 30 * S);
    expect(nextQueryAt(SCHEDULE, { done: 2, since: T0 + 1000 * S, expiresAt: null })).toBe(T0 + 1300 * S);
    expect(nextQueryAt(SCHEDULE, { done: 3, since: T0 + 1000 * S, expiresAt: null })).toBeNull();
  });

  it('an order that expires: never past its expiry, one last query a little after it, then none', () => {
    const expiresAt = T0 + 60 * S;
    const final = expiresAt + FINAL_QUERY_AFTER_EXPIRY_MS;
    expect(nextQueryAt(SCHEDULE, { done: 0, since: T0, expiresAt })).toBe(T0 + 30 * S);
    expect(nextQueryAt(SCHEDULE, { done: 1, since: T0 + 30 * S, expiresAt })).toBe(T0 + 150 * S);
    expect(nextQueryAt(SCHEDULE, { done: 2, since: T0 + 150 * S, expiresAt })).toBe(final);
    expect(nextQueryAt(SCHEDULE, { done: 3, since: final, expiresAt })).toBeNull();
    // A long payment window outlives the schedule: the last query still comes after expiry.
    const later = T0 + 86_400 * S;
    expect(nextQueryAt(SCHEDULE, { done: 3, since: T0 + 450 * S, expiresAt: later })).toBe(later + FINAL_QUERY_AFTER_EXPIRY_MS);
  });
});

const trade: QueriedTrade = {
  outTradeNo: 'T1',
  tradeNo: '2026050122001400000000000001',
  tradeStatus: 'TRADE_SUCCESS',
  paid: true,
  totalAmount: '88.80',
  sendPayDate: '2026-05-01 10:00:05',
  buyerUserId: '2088102122524333',
  buyerLogonId: 'buy***@example.com',
  fields: {
    code: '10000',
    msg: 'Success',
    buyer_logon_id: 'buy***@example.com',
    buyer_user_id: '2088102122524333',
    out_trade_no: 'T1',
    send_pay_date: '2026-05-01 10:00:05',
    total_amount: '88.80',
    trade_no: '2026050122001400000000000001',
    trade_status: 'TRADE_SUCCESS',
  },
};

describe('a paid answer as an event', () => {
  const found = queryEventOf(trade, '2021000000000001')!;
  const delivery = {
    webhookId: 'msg_q',
    orderKey: '2021000000000001:T1',
    eventKey: found.event.key,
    kind: found.event.kind,
    attempt: 1,
    source: 'query' as const,
    notifyId: '',
    signType: 'RSA2' as const,
    contentRule: 'query-answer' as const,
    charset: found.charset,
    rawBody: found.rawBody,
    params: found.params,
  };

  it('is the order\'s paid event; an unpaid answer is none', () => {
    expect(found.event).toEqual({ kind: 'paid', key: 'paid' });
    expect(queryEventOf({ ...trade, tradeStatus: 'WAIT_BUYER_PAY', paid: false }, '2021000000000001')).toBeNull();
  });

  it('form: a UTF-8 form of the trade fields with the app id, without the call\'s code and msg; source query', () => {
    const p = buildFormPayload(delivery);
    expect(p.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(p.headers['x-alipay-event-source']).toBe('query');
    expect(p.headers['x-alipay-verified-by']).toBe('RSA2/query-answer');
    expect(p.headers).not.toHaveProperty('x-alipay-notify-id');
    const fields = Object.fromEntries(parseFormBody(p.body).map((pair) => [pair.key, new TextDecoder().decode(pair.value)]));
    const { code: _code, msg: _msg, ...tradeFields } = trade.fields;
    expect(fields).toEqual({ app_id: '2021000000000001', ...tradeFields });
  });

  it('json: the normalised event, with its source', () => {
    const doc = JSON.parse(new TextDecoder().decode(buildJsonPayload(delivery).body));
    expect(doc).toMatchObject({ type: 'paid', source: 'query', out_trade_no: 'T1', trade_no: trade.tradeNo, total_amount: '88.80', notify_id: null, trade_status: 'TRADE_SUCCESS' });
    expect(doc.verified).toEqual({ sign_type: 'RSA2', signed: 'alipay_trade_query_response', charset: 'utf-8' });
  });

  it('the MD5 bridge re-signs it as it re-signs a notification (checked with the independent signer)', () => {
    const key = new TextEncoder().encode('legacy-md5-key-0123456789abcdefgh');
    const body = legacyMd5FormBuilder(key)(delivery).body;
    const pairs = parseFormBody(body);
    const sign = new TextDecoder().decode(pairs.find((p) => p.key === 'sign')!.value);
    expect(sign).toBe(legacyMd5Sign(plainSignContent(pairs, 'v1'), key));
    expect(new TextDecoder().decode(pairs.find((p) => p.key === 'sign_type')!.value)).toBe('MD5');
  });

  it('a notification\'s headers say so', () => {
    const p = buildFormPayload({ ...delivery, source: undefined, notifyId: 'N1', contentRule: 'v1' });
    expect(p.headers).toMatchObject({ 'x-alipay-event-source': 'notification', 'x-alipay-notify-id': 'N1', 'x-alipay-verified-by': 'RSA2/v1' });
  });
});
