// charset=GBK notifications for the end-to-end suite. Node can decode GBK but not encode it, so
// the GBK bytes come from the synthetic GBK vector's raw_body (its `body` and `subject` values);
// ids and times are made fresh, and the pairs are signed as Alipay signs a GBK notification:
// RSA2 over the GBK BYTES of the v1 content, here with the TEST-ONLY fixture key the gateway trusts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatBeijingTime } from '../../src/alipay/beijing-time';
import { utf8Encode } from '../../src/utils/bytes';
import { parseForm } from '../../src/alipay/parse';
import type { FormPair } from '../../src/alipay/types';
import { signedNotificationPairs } from '../support/notifications';
import { uniqueId } from './notifications';

const GBK_VECTOR = new URL('../fixtures/vectors/synthetic_gbk_notify_rsa2_v1.json', import.meta.url);

function vectorPairs(): FormPair[] {
  const vector = JSON.parse(readFileSync(fileURLToPath(GBK_VECTOR), 'utf8')) as { raw_body: string };
  const parsed = parseForm(utf8Encode(vector.raw_body));
  if (!parsed.ok) throw new Error(`the GBK vector's raw_body does not parse: ${parsed.hint}`);
  return parsed.pairs;
}

/**
 * A new TRADE_SUCCESS notification with charset=GBK for a new order, as Alipay sends it: every
 * GBK byte percent-encoded (so the body itself is ASCII).
 */
export async function gbkPaidNotification(): Promise<{ outTradeNo: string; body: Uint8Array }> {
  const now = Date.now();
  const outTradeNo = uniqueId('E2EGBK');
  const fresh: Record<string, string> = {
    notify_id: uniqueId('nid'),
    notify_time: formatBeijingTime(now),
    gmt_create: formatBeijingTime(now - 60_000),
    gmt_payment: formatBeijingTime(now - 30_000),
    out_trade_no: outTradeNo,
    trade_no: uniqueId('2026'),
  };
  const pairs = vectorPairs().map((pair) => (pair.key in fresh ? { key: pair.key, value: utf8Encode(fresh[pair.key]!) } : pair));
  // signedNotificationPairs drops the vector's sign/sign_type and appends sign_type=RSA2 and the new sign.
  return { outTradeNo, body: await signedNotificationPairs(pairs) };
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
