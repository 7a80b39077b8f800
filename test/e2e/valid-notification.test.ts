// A correctly signed notification: Alipay gets `success`, and the origin gets the event once,
// with the original bytes and a Standard Webhooks signature the reference library accepts.
import { Webhook } from 'standardwebhooks';
import { expect, test } from 'vitest';
import { acceptedAtOrigin, bodyBytes, deliveredLedger, postNotification, stack, webhookHeadersOf } from './client';
import { paidNotification } from '../support/notifications';

test('a valid notification is acknowledged and reaches the origin once, byte-identical and signed', async () => {
  const { params, body } = await paidNotification();

  const reply = await postNotification(body);
  expect(reply).toEqual({ status: 200, body: 'success' });

  const accepted = await acceptedAtOrigin(params.out_trade_no!);
  expect(accepted).toHaveLength(1);
  const delivery = accepted[0]!;
  expect(bodyBytes(delivery)).toEqual(body);
  expect(delivery.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
  expect(delivery.eventKind).toBe('paid');

  const ledger = await deliveredLedger(params.out_trade_no!);
  expect(delivery.webhookId).toBe(ledger.events[0]!.webhookId);

  // Every configured secret (rotation) signs; check each with the reference verifier.
  const headers = webhookHeadersOf(delivery);
  const text = Buffer.from(body).toString('utf8');
  for (const secret of stack().forwardSecrets) {
    expect(() => new Webhook(secret).verify(text, headers, { jsonParse: false })).not.toThrow();
  }
  expect(() => new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').verify(text, headers, { jsonParse: false })).toThrow(/signature/i);
});
