import { describe, expect, it } from 'vitest';
import { classify } from '../src/alipay/classify';
import { toNotification } from '../src/alipay/notification';
import { signedVector } from './support/vectors';

const event = (params: Record<string, string>) => classify(toNotification({ notify_id: 'N1', ...params }));

describe('classify', () => {
  it('WAIT_BUYER_PAY is waiting', () => {
    expect(event({ trade_status: 'WAIT_BUYER_PAY' })).toEqual({ kind: 'waiting', key: 'waiting' });
  });

  it('TRADE_SUCCESS without refund fields is paid', () => {
    expect(event({ trade_status: 'TRADE_SUCCESS', total_amount: '1.00' })).toEqual({ kind: 'paid', key: 'paid' });
    expect(event({ trade_status: 'TRADE_SUCCESS', refund_fee: '0.00' })).toEqual({ kind: 'paid', key: 'paid' });
    expect(event({ trade_status: 'TRADE_SUCCESS', refund_fee: '', out_biz_no: '' })).toEqual({ kind: 'paid', key: 'paid' });
  });

  it('TRADE_FINISHED and legacy WAIT_SELLER_SEND_GOODS are paid', () => {
    expect(event({ trade_status: 'TRADE_FINISHED' })).toEqual({ kind: 'paid', key: 'paid' });
    expect(event({ trade_status: 'WAIT_SELLER_SEND_GOODS' })).toEqual({ kind: 'paid', key: 'paid' });
  });

  it('the lokielse vector (TRADE_FINISHED, refund_fee=0.00) is paid', () => {
    const params = signedVector('lokielse_aop_notify_rsa_sha1_testkey_v1').params!;
    expect(classify(toNotification(params))).toEqual({ kind: 'paid', key: 'paid' });
  });

  it('TRADE_SUCCESS with refund fields is a partial refund keyed by out_biz_no, else gmt_refund, else refund_fee', () => {
    const refund = { trade_status: 'TRADE_SUCCESS', refund_fee: '0.50', gmt_refund: '2024-01-02 10:00:00.123' };
    expect(event({ ...refund, out_biz_no: 'R1' })).toEqual({ kind: 'refund', key: 'refund:R1' });
    expect(event(refund)).toEqual({ kind: 'refund', key: 'refund:2024-01-02 10:00:00.123' });
    expect(event({ trade_status: 'TRADE_SUCCESS', refund_fee: '0.50' })).toEqual({ kind: 'refund', key: 'refund:0.50' });
  });

  it('TRADE_CLOSED is a full refund with refund fields, closed without', () => {
    expect(event({ trade_status: 'TRADE_CLOSED', refund_fee: '1.00', out_biz_no: 'R2' })).toEqual({ kind: 'refund', key: 'refund:R2' });
    expect(event({ trade_status: 'TRADE_CLOSED', gmt_close: '2024-01-01 10:00:00' })).toEqual({ kind: 'closed', key: 'closed' });
    expect(event({ trade_status: 'TRADE_CLOSED', refund_fee: '0.00' })).toEqual({ kind: 'closed', key: 'closed' });
  });

  it('anything else is other, keyed by notify_id', () => {
    expect(event({ notify_type: 'servicemarket_order_notify' })).toEqual({ kind: 'other', key: 'other:N1' });
    expect(event({ trade_status: 'TRADE_PENDING' })).toEqual({ kind: 'other', key: 'other:N1' });
  });
});
