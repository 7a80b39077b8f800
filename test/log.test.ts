import { afterEach, expect, it, vi } from 'vitest';
import { logLine, maskBuyerId, maskLogonId, maskParams } from '../src/log';

afterEach(() => vi.restoreAllMocks());

it('writes one JSON line with a level', () => {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  logLine({ msg: 'accepted', order: 'T1', amount: 10n, err: new Error('boom') });
  logLine({ level: 'warn', msg: 'dead' });
  expect(spy).toHaveBeenCalledTimes(2);
  const first = spy.mock.calls[0]![0] as string;
  expect(first).not.toContain('\n');
  expect(JSON.parse(first)).toEqual({ level: 'info', msg: 'accepted', order: 'T1', amount: '10', err: { name: 'Error', message: 'boom' } });
  expect(JSON.parse(spy.mock.calls[1]![0] as string)).toEqual({ level: 'warn', msg: 'dead' });
});

it('never throws on a value JSON cannot hold', () => {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => logLine({ msg: 'x', cyclic })).not.toThrow();
  expect(JSON.parse(spy.mock.calls[0]![0] as string)).toMatchObject({ level: 'error', keys: ['msg', 'cyclic'] });
});

it('masks buyer identities', () => {
  expect(maskBuyerId('2088102534368455')).toBe('2088********8455');
  expect(maskBuyerId('2088')).toBe('***');
  expect(maskLogonId('xud***@126.com')).toBe('x***@126.com');
  expect(maskLogonId('buyer.name@example.com')).toBe('b***@example.com');
  expect(maskLogonId('13812345678')).toBe('138***78');
  expect(maskLogonId('138')).toBe('***');
});

it('masks the buyer fields of notification params and leaves the rest', () => {
  const params = {
    buyer_id: '2088102534368455',
    buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5',
    buyer_logon_id: 'xud***@126.com',
    buyer_email: 'someone@example.com',
    out_trade_no: 'T20240101',
    body: '',
  };
  const masked = maskParams(params);
  expect(masked).toEqual({
    buyer_id: '2088********8455',
    buyer_open_id: `074a${'*'.repeat(params.buyer_open_id.length - 8)}oCo5`,
    buyer_logon_id: 'x***@126.com',
    buyer_email: 's***@example.com',
    out_trade_no: 'T20240101',
    body: '',
  });
  expect(params.buyer_id).toBe('2088102534368455');
});

it('masks the buyer fields of an alipay.trade.query answer, and keeps names like constructor and __proto__', () => {
  const params = JSON.parse('{"buyer_user_id":"2088102534368455","buyer_user_name":"张三","constructor":"c","__proto__":"p","buyer_pay_amount":"9.00"}') as Record<string, string>;
  const masked = maskParams(params);
  expect(JSON.parse(JSON.stringify(masked))).toEqual(JSON.parse('{"buyer_user_id":"2088********8455","buyer_user_name":"张**","constructor":"c","__proto__":"p","buyer_pay_amount":"9.00"}'));
});
