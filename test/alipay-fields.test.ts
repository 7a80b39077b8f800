// The format of every field the gateway reads: genuine notifications (every vector, legacy mapi
// ones included) pass; values that swallowed a neighbour's `&k=v` do not, and are refused by name.
import { describe, expect, it } from 'vitest';
import { decodeParams } from '../src/alipay/charset';
import { checkFields } from '../src/alipay/fields';
import { parseForm } from '../src/alipay/parse';
import { formBodyOf as encodeForm } from './support/form';
import { signedVectors } from './support/vectors';

const base = {
  app_id: '2021000000000001',
  notify_id: '2024010100222100005000000000000001',
  notify_time: '2024-01-01 10:00:06',
  notify_type: 'trade_status_sync',
  out_trade_no: 'T-1',
  trade_no: '2024010122001400000000000001',
  trade_status: 'TRADE_SUCCESS',
  total_amount: '1.00',
};
const check = (overrides: Record<string, string>) => checkFields({ ...base, ...overrides });

describe('checkFields', () => {
  it.each(signedVectors.filter((v) => v.expected_valid).map((v) => [v.id, v] as const))('passes the vector %s', (_id, v) => {
    const parsed = parseForm(v.raw_body !== undefined ? new TextEncoder().encode(v.raw_body) : encodeForm(v.params!));
    if (!parsed.ok) throw new Error(parsed.hint);
    const decoded = decodeParams(parsed.pairs);
    if (!decoded.ok) throw new Error(decoded.hint);
    expect(checkFields(decoded.params)).toEqual({ ok: true });
  });

  it.each([
    ['a legacy mapi notify_id (base64-like)', { notify_id: 'RqPnCoPT3K9/vwbh3InWeOSK7r8zH3Y9yMmVMNfCBiRyZ0oTVrHRd8rA5TCuG3Rdo1fJ' }],
    ['a notify_id with letters beyond hex', { notify_id: 'da3e56af64bcb163f167240dc0f781agge' }],
    ['merchant numbers with "-", ".", "/" and ":"', { out_trade_no: '20190815155618536-564-57', out_biz_no: 'RF.2024/01:7' }],
    ['the longest merchant number Alipay allows (64)', { out_trade_no: 'x'.repeat(64) }],
    ['amounts written 1, 1.0 and 0.00', { total_amount: '1', refund_fee: '1.0', point_amount: '0.00' }],
    ['legacy total_fee and seller_email', { total_fee: '0.01', seller_email: 'a&b@example.com' }],
    ['gmt_refund with milliseconds', { gmt_refund: '2024-01-01 10:00:05.321', gmt_close: '2024-01-01 10:00:05' }],
    ['a fund_bill_list sent HTML-escaped', { fund_bill_list: '[{&quot;amount&quot;:&quot;0.01&quot;,&quot;fundChannel&quot;:&quot;ALIPAYACCOUNT&quot;}]' }],
    ['free text with "&" and "="', { subject: 'A&B=1 & more', passback_params: 'order=1&out_trade_no=T-1&x=2' }],
    ['charset, version and sign_type', { charset: 'GBK', version: '1.0', sign_type: 'rsa2' }],
    ['empty values (absent: not signed)', { refund_fee: '', gmt_refund: '', out_biz_no: '' }],
  ])('accepts %s', (_what, overrides) => {
    expect(check(overrides)).toEqual({ ok: true });
  });

  it.each([
    ['gmt_payment', { gmt_payment: '2024-01-01 10:00:05&gmt_refund=2024-01-01 10:00:05.321' }],
    ['notify_type', { notify_type: 'trade_status_sync&out_biz_no=R1' }],
    ['receipt_amount', { receipt_amount: '1.00&refund_fee=0.50' }],
    ['refund_fee', { refund_fee: '0.50&seller_email=a@b.c' }],
    ['notify_id', { notify_id: 'N1&notify_time=2024-01-01 10:00:06' }],
    ['out_trade_no', { out_trade_no: 'T-1&passback_params=x' }],
    ['out_trade_no', { out_trade_no: 'x'.repeat(65) }],
    ['trade_status', { trade_status: 'TRADE_SUCCESS&version=1.0' }],
    ['trade_no', { trade_no: '2024 01' }],
    ['app_id', { app_id: '2021000000000001&auth_app_id=2021000000000001' }],
    ['fund_bill_list', { fund_bill_list: '[{"amount":"1.00"}]&gmt_create=2024-01-01 10:00:00' }],
    ['charset', { charset: 'utf-8&fund_bill_list=[]' }],
    ['version', { version: '1.0&x=1' }],
    ['gmt_refund', { gmt_refund: '2024-01-01' }],
    ['total_amount', { total_amount: '-1.00' }],
  ])('refuses a malformed %s, naming it', (field, overrides) => {
    const r = check(overrides);
    expect(r).toMatchObject({ ok: false, reason: 'invalid-field', field });
    expect(!r.ok && r.hint).toMatch(new RegExp(`^${field} is not `));
    for (const value of Object.values(overrides)) expect(!r.ok && r.hint).not.toContain(value);
  });

  it('refuses free text that hides a field deciding what the gateway does, which the notification lacks', () => {
    const hidden = check({ passback_params: 'merchant=1&point_amount=0.00&refund_fee=10.00' });
    expect(hidden).toMatchObject({ ok: false, reason: 'invalid-field', field: 'passback_params' });
    expect(!hidden.ok && hidden.hint).toMatch(/holds "&refund_fee=" while the notification has no refund_fee/);
    for (const name of ['out_biz_no', 'gmt_refund', 'trade_status', 'out_trade_no', 'notify_time', 'app_id', 'seller_id', 'charset']) {
      const lacking: Record<string, string> = { ...base, body: `x&${name}=1` };
      delete lacking[name];
      expect(checkFields(lacking), name).toMatchObject({ ok: false, field: 'body' });
    }
    // The amount under either of its names: hidden only when the notification has neither.
    const { total_amount: _amount, ...withoutAmount } = base;
    expect(checkFields({ ...withoutAmount, passback_params: 'a=1&total_fee=100' })).toMatchObject({ ok: false, field: 'passback_params' });
    // Present as its own parameter: nothing is hidden.
    expect(check({ passback_params: 'merchant=1&refund_fee=10.00', refund_fee: '10.00', point_amount: '0.00' })).toEqual({ ok: true });
    // A name the gateway does not read is not a hidden field.
    expect(check({ subject: 'a&colour=red' })).toEqual({ ok: true });
  });

  it('accepts a genuine payment whose free text holds names that decide nothing (a legacy page\'s own query string)', () => {
    // Refusing these would refuse the payment on every re-send: a missed payment, for no safety gained.
    expect(check({ passback_params: 'from=app&total_fee=100' })).toEqual({ ok: true }); // total_amount is there
    expect(check({ extra_common_param: 'uid=5&gmt_close=2024-01-01 10:00:00&point_amount=1&fund_bill_list=x' })).toEqual({ ok: true });
    expect(check({ body: 'gift&receipt_amount=1&invoice_amount=1&buyer_pay_amount=1&version=2&auth_app_id=1' })).toEqual({ ok: true });
  });
});
