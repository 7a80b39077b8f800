// charset=GBK notifications. Node can decode GBK but not encode it, so the GBK bytes come from
// the synthetic GBK vector's raw_body (its `body` and `subject` values); ids and times are made
// fresh, and the pairs are signed as Alipay signs a GBK notification: RSA2 over the GBK BYTES of
// the v1 content, with the TEST-ONLY fixture key the gateway trusts (or the vector's own key).
import { utf8 } from './encoding';
import { parseFormBody, withValues } from './form';
import { alipayPrivateKey, beijingTime, signedNotificationPairs, uniqueId } from './notifications';
import { signedVector } from './vectors';

const gbkVector = signedVector('synthetic_gbk_notify_rsa2_v1');

/**
 * A new TRADE_SUCCESS notification with charset=GBK for a new order, as Alipay sends it: every
 * GBK byte percent-encoded (so the body itself is ASCII). `key: 'vector'` signs with the vector's
 * own test key (the gateway tests trust it too, as a second key) instead of the fixture key.
 */
export async function gbkPaidNotification(options: { key?: 'fixture' | 'vector' } = {}): Promise<{ outTradeNo: string; body: Uint8Array }> {
  const now = Date.now();
  const outTradeNo = uniqueId('GBK');
  const pairs = withValues(parseFormBody(utf8(gbkVector.raw_body!)), {
    notify_id: uniqueId('nid-gbk'),
    notify_time: beijingTime(now),
    gmt_create: beijingTime(now - 60_000),
    gmt_payment: beijingTime(now - 30_000),
    out_trade_no: outTradeNo,
    trade_no: uniqueId('2026'),
  });
  const key = options.key === 'vector' ? await alipayPrivateKey(gbkVector.test_private_key_pem!) : undefined;
  // signedNotificationPairs drops the vector's sign/sign_type and appends sign_type=RSA2 and the new sign.
  return { outTradeNo, body: await signedNotificationPairs(pairs, { key }) };
}

/**
 * The same form with every `%XX` of a byte >= 0x80 written as the raw byte: the values (and so
 * Alipay's signature) are unchanged, but the body is no longer valid UTF-8. The pairs split the
 * same way: a byte >= 0x80 is never `&`, `=`, `%` or `+`.
 */
export function withRawHighBytes(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const hex = body[i] === 0x25 ? String.fromCharCode(body[i + 1] ?? 0, body[i + 2] ?? 0) : '';
    if (/^[89a-fA-F][0-9a-fA-F]$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(body[i]!);
    }
  }
  return Uint8Array.from(out);
}
