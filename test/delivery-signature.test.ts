// The forwarded signature must verify with the reference Standard Webhooks library, not our own code.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../src/delivery/signature';
import { webhookIdFor } from '../src/delivery/webhook-id';
import { base64, utf8 } from './support/encoding';

const oldSecret = utf8('old-secret-0123456789abcdef012345');
const newSecret = utf8('new-secret-0123456789abcdef012345');
const body = utf8('out_trade_no=A1&subject=%D6%A7%B8%B6&total_amount=1.00');

function headersOf(h: Awaited<ReturnType<typeof signWebhook>>): Record<string, string> {
  return { ...h };
}

describe('Standard Webhooks signature', () => {
  it('verifies with the standardwebhooks package, once per configured secret (rotation)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = await signWebhook([newSecret, oldSecret], 'msg_test1', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [newSecret, oldSecret]) {
      const wh = new Webhook(`whsec_${base64(secret)}`);
      expect(() => wh.verify(new TextDecoder().decode(body), headersOf(headers), { jsonParse: false })).not.toThrow();
    }
  });

  it('fails verification when the body, id or secret differs', async () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = await signWebhook([newSecret], 'msg_test2', now, body);
    const wh = new Webhook(`whsec_${base64(newSecret)}`);
    const text = new TextDecoder().decode(body);
    expect(() => wh.verify(text, headersOf(headers), { jsonParse: false })).not.toThrow();
    expect(() => wh.verify(`${text}&x=1`, headersOf(headers))).toThrow();
    expect(() => wh.verify(text, { ...headersOf(headers), 'webhook-id': 'msg_other' })).toThrow();
    const other = new Webhook(`whsec_${base64(oldSecret)}`);
    expect(() => other.verify(text, headersOf(headers))).toThrow();
  });

  it('signs the timestamp of the attempt', async () => {
    const a = await signWebhook([newSecret], 'msg_t', 1_700_000_000, body);
    const b = await signWebhook([newSecret], 'msg_t', 1_700_000_001, body);
    expect(a['webhook-timestamp']).toBe('1700000000');
    expect(a['webhook-signature']).not.toBe(b['webhook-signature']);
  });

  it('derives a stable webhook-id per order and event', async () => {
    const id = await webhookIdFor('2021000000000001:T1', 'paid');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(await webhookIdFor('2021000000000001:T1', 'paid')).toBe(id);
    expect(await webhookIdFor('2021000000000001:T1', 'closed')).not.toBe(id);
    expect(await webhookIdFor('2021000000000001:T2', 'paid')).not.toBe(id);
  });
});
