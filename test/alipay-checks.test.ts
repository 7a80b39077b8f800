import { describe, expect, it } from 'vitest';
import { formatBeijingTime, parseBeijingTime } from '../src/alipay/beijing-time';
import { checkBusiness } from '../src/alipay/checks';
import { toNotification } from '../src/alipay/notification';
import type { BusinessRules } from '../src/alipay/types';

const HOUR = 3600_000;
const now = Date.UTC(2024, 0, 1, 2, 0, 0); // 2024-01-01 10:00:00 Beijing
const rules: BusinessRules = { appIds: ['2021000000000001'], sellerIds: [], maxNotifyAgeMs: 72 * HOUR };
const base = { app_id: '2021000000000001', seller_id: '2088000000000002', notify_time: '2024-01-01 09:59:00' };
const check = (params: Record<string, string>, r: BusinessRules = rules) => checkBusiness(toNotification(params), r, now);

describe('Beijing time', () => {
  it('parses yyyy-MM-dd HH:mm:ss as UTC+8', () => {
    expect(parseBeijingTime('2024-01-01 10:00:00')).toBe(now);
    expect(parseBeijingTime('2024-01-01 07:00:00')).toBe(Date.UTC(2023, 11, 31, 23, 0, 0));
    expect(formatBeijingTime(now)).toBe('2024-01-01 10:00:00');
    expect(formatBeijingTime(parseBeijingTime('2019-08-15 15:56:25')!)).toBe('2019-08-15 15:56:25');
  });

  it.each(['2024-02-30 10:00:00', '2024-13-01 10:00:00', '2024-01-01 24:00:00', '2024-01-01T10:00:00', '2024-1-1 10:00:00', '2024-01-01 10:00'])(
    'rejects %s',
    (s) => expect(parseBeijingTime(s)).toBeNull(),
  );
});

describe('checkBusiness', () => {
  it('accepts our app with a fresh notify_time', () => {
    expect(check(base)).toEqual({ ok: true });
  });

  it('refuses another app_id', () => {
    expect(check({ ...base, app_id: '2021999' })).toMatchObject({ ok: false, reason: 'app-id-mismatch' });
  });

  it('legacy mapi (no app_id): needs accepted seller ids, then checks seller_id', () => {
    const legacy = { seller_id: '2088000000000002', notify_time: base.notify_time };
    const noSeller = check(legacy);
    expect(noSeller).toMatchObject({ ok: false, reason: 'app-id-mismatch' });
    expect(!noSeller.ok && noSeller.advice).toEqual({ kind: 'configure-seller-id' });
    expect(check(legacy, { ...rules, sellerIds: ['2088000000000002'] })).toEqual({ ok: true });
    expect(check(legacy, { ...rules, sellerIds: ['2088111'] })).toMatchObject({ ok: false, reason: 'seller-id-mismatch' });
  });

  it('checks seller_id whenever accepted seller ids are set', () => {
    const withSellers = { ...rules, sellerIds: ['2088000000000002'] };
    expect(check(base, withSellers)).toEqual({ ok: true });
    expect(check({ ...base, seller_id: '2088999' }, withSellers)).toMatchObject({ ok: false, reason: 'seller-id-mismatch' });
    expect(check({ app_id: base.app_id, notify_time: base.notify_time }, withSellers)).toMatchObject({ ok: false, reason: 'missing-field' });
  });

  it('treats an empty (unsigned) app_id as absent', () => {
    expect(check({ ...base, app_id: '' })).toMatchObject({ ok: false, reason: 'app-id-mismatch' });
  });

  it('requires a valid notify_time', () => {
    expect(check({ app_id: base.app_id })).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(check({ ...base, notify_time: '2024/01/01 10:00:00' })).toMatchObject({ ok: false, reason: 'notify-time-invalid' });
  });

  it('refuses notifications older than maxNotifyAgeMs', () => {
    expect(check({ ...base, notify_time: '2023-12-29 10:00:00' })).toEqual({ ok: true }); // exactly 72h
    expect(check({ ...base, notify_time: '2023-12-29 09:59:59' })).toMatchObject({ ok: false, reason: 'notify-too-old' });
  });

  it('allows 10 minutes of clock skew into the future, no more', () => {
    expect(check({ ...base, notify_time: '2024-01-01 10:10:00' })).toEqual({ ok: true });
    expect(check({ ...base, notify_time: '2024-01-01 10:10:01' })).toMatchObject({ ok: false, reason: 'notify-time-invalid' });
  });
});
