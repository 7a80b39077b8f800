// Which Durable Object owns a notification, and how the admin API names it.
import { Router, type IRequest } from 'itty-router';
import { describe, expect, it } from 'vitest';
import { toNotification } from '../src/alipay/notification';
import {
  MAX_NOTIFY_ID_CHARS,
  MAX_OUT_TRADE_NO_CHARS,
  adminPathOf,
  idFromSegment,
  idSegment,
  messageKey,
  orderKey,
  orderKeyFor,
} from '../src/orders/order-key';
import { AWKWARD_IDS } from './support/awkward-ids';

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

  it('refuses an out_trade_no or an orderless notify_id longer than Alipay allows, naming the field', () => {
    const n = (fields: Record<string, string>) => orderKeyFor(toNotification({ app_id: '2021', notify_id: 'N', ...fields }));
    expect(n({ out_trade_no: 'T'.repeat(MAX_OUT_TRADE_NO_CHARS) })).toMatchObject({ ok: true });
    expect(n({ out_trade_no: '测'.repeat(MAX_OUT_TRADE_NO_CHARS) })).toMatchObject({ ok: true });
    expect(n({ out_trade_no: '🦊'.repeat(MAX_OUT_TRADE_NO_CHARS) })).toMatchObject({ ok: true }); // characters, not UTF-16 units
    expect(n({ out_trade_no: 'T'.repeat(MAX_OUT_TRADE_NO_CHARS + 1) })).toMatchObject({ ok: false, reason: 'invalid-field', field: 'out_trade_no' });
    expect(n({ out_trade_no: 'T'.repeat(2060) })).toMatchObject({ ok: false, reason: 'invalid-field', field: 'out_trade_no' });
    expect(n({ notify_id: 'N'.repeat(MAX_NOTIFY_ID_CHARS) })).toMatchObject({ ok: true });
    expect(n({ notify_id: 'N'.repeat(MAX_NOTIFY_ID_CHARS + 1) })).toMatchObject({ ok: false, reason: 'invalid-field', field: 'notify_id' });
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

  it('an out_trade_no that contains the message mark is still an order', () => {
    expect(adminPathOf(orderKey('2021', 'x#notify:y'))).toBe('/admin/orders/2021/x%23notify%3Ay');
  });

  it('escapes the ids a URL parser would resolve or a route could not match', () => {
    expect(idSegment('..')).toBe('~..');
    expect(idSegment('.')).toBe('~.');
    expect(idSegment('')).toBe('~');
    expect(idSegment('~x')).toBe('~~x');
    expect(idSegment('...')).toBe('...');
  });
});

describe('an id survives the URL parser and the router', () => {
  // The same pattern as the admin API's routes; the pathname as the URL parser leaves it.
  const router = Router<IRequest, [], string | null>({ base: '/admin' }).get('/orders/:app/:outTradeNo', (r) => idFromSegment(r.params['outTradeNo']!));

  it.each(AWKWARD_IDS.map((id) => [JSON.stringify(id), id]))('%s', async (_, id) => {
    const path = adminPathOf(orderKey('2021', id));
    const url = new URL(`https://gateway.test${path}`);
    expect(url.pathname).toBe(path); // nothing resolved or re-encoded on the way
    expect(await router.fetch(new Request(url))).toBe(id);
  });

  it('a segment that is not valid percent-encoded UTF-8 is no id', () => {
    expect(idFromSegment('%E6%B5')).toBeNull();
    expect(idFromSegment('%zz')).toBeNull();
  });

  it('the encodings a client may choose decode the same: %7E for ~, lowercase hex', () => {
    expect(idFromSegment('%7E..')).toBe('..');
    expect(idFromSegment('a%2fb')).toBe('a/b');
  });
});
