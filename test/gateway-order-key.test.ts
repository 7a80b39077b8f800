// Which Durable Object owns a notification.
import { describe, expect, it } from 'vitest';
import { toNotification } from '../src/alipay/notification';
import { adminPathOf, messageKey, orderKey, orderKeyFor } from '../src/orders/order-key';

describe('orderKeyFor', () => {
  it('keys a trade on app_id and out_trade_no', () => {
    expect(orderKeyFor(toNotification({ app_id: '2021', seller_id: '2088', out_trade_no: 'T1', notify_id: 'N' }))).toEqual({
      ok: true,
      key: '2021:T1',
      app: '2021',
      outTradeNo: 'T1',
      notifyId: 'N',
    });
  });

  it('falls back to seller_id for legacy mapi notifications', () => {
    expect(orderKeyFor(toNotification({ seller_id: '2088', out_trade_no: 'T1', notify_id: 'N' }))).toMatchObject({ ok: true, key: '2088:T1' });
  });

  it('keys a message with no out_trade_no on its notify_id, apart from any order', () => {
    expect(orderKeyFor(toNotification({ app_id: '2021', notify_id: 'N9' }))).toMatchObject({ ok: true, key: '2021#notify:N9', outTradeNo: null });
  });

  it('refuses a notification without notify_id or without app_id/seller_id', () => {
    expect(orderKeyFor(toNotification({ app_id: '2021', out_trade_no: 'T1' }))).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(orderKeyFor(toNotification({ out_trade_no: 'T1', notify_id: 'N' }))).toMatchObject({ ok: false, reason: 'missing-field' });
  });
});

describe('adminPathOf', () => {
  it('names the admin route of an order or of a message, ids percent-encoded', () => {
    expect(adminPathOf(orderKey('2021', 'T 1:a/b'))).toBe('/admin/orders/2021/T%201%3Aa%2Fb');
    expect(adminPathOf(messageKey('2021', 'N1'))).toBe('/admin/messages/2021/N1');
  });
});
