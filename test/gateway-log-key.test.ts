// The per-notification log line names the key (first 16 hex characters of its SHA-256 SPKI
// fingerprint) and the content rule that verified it, so an operator rotating the Alipay key can
// see when the old key stops being used.
import { describe, expect, it } from 'vitest';
import { fromBase64, sha256Hex } from './support/encoding';
import { TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import { mockOrigin, orderKeyOf, postNotify, settled } from './support/gateway';
import { signedNotification, tradeParams } from './support/notifications';
import { captureJsonLogs } from './support/json-logs';

const logs = captureJsonLogs();

async function fingerprint16(spkiBase64: string): Promise<string> {
  return (await sha256Hex(fromBase64(spkiBase64)!)).slice(0, 16);
}

function notificationLine(notifyId: string): Record<string, unknown> | undefined {
  return logs.lines.find((l) => l['msg'] === 'notification' && l['notify_id'] === notifyId);
}

describe('notification log line', () => {
  it('carries the verifying key fingerprint and content rule v1', async () => {
    mockOrigin();
    const params = tradeParams();
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    await settled(orderKeyOf(params));
    expect(notificationLine(params['notify_id']!)).toMatchObject({
      outcome: 'accepted',
      key_fingerprint: await fingerprint16(TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64),
      content_rule: 'v1',
      sign_type: 'RSA2',
    });
  });

  it('says v2 when sign_type was part of the signed content', async () => {
    mockOrigin();
    const params = tradeParams();
    expect(await (await postNotify(await signedNotification(params, { rule: 'v2' }))).text()).toBe('success');
    await settled(orderKeyOf(params));
    expect(notificationLine(params['notify_id']!)).toMatchObject({ content_rule: 'v2', key_fingerprint: await fingerprint16(TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64) });
  });
});
