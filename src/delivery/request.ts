// One signed request for one attempt: payload (form/json, or the legacy MD5 re-signed form) +
// Standard Webhooks headers. The Standard Webhooks signature is always computed over the body
// actually sent, so an origin can check it whatever FORWARD_SIGNING says.
import type { ForwardSettings } from '../config/types';
import type { AttemptRequest } from './attempt';
import { legacyMd5FormBuilder } from './legacy-md5';
import { payloadBuilder, type DeliveryEvent, type PayloadBuilder } from './payload';
import { signWebhook } from './signature';

/** alipay-md5 implies `form` (src/config/forward-settings.ts refuses it with json): an MD5-signed JSON body means nothing to a legacy page. */
function builderFor(forward: ForwardSettings): PayloadBuilder {
  if (forward.signing !== 'alipay-md5') return payloadBuilder(forward.format);
  // The settings reader reports a missing ORIGIN_MD5_KEY; never fall back to an unsigned form quietly.
  if (forward.originMd5Key === null) throw new Error('FORWARD_SIGNING=alipay-md5 without ORIGIN_MD5_KEY');
  return legacyMd5FormBuilder(forward.originMd5Key);
}

export async function buildAttemptRequest(event: DeliveryEvent, forward: ForwardSettings, nowMs: number): Promise<AttemptRequest> {
  const payload = builderFor(forward)(event);
  const signature = await signWebhook(forward.secrets, event.webhookId, Math.floor(nowMs / 1000), payload.body);
  return {
    url: forward.originUrl,
    body: payload.body,
    headers: { ...payload.headers, ...signature },
    timeoutMs: forward.timeoutMs,
    ackBody: forward.ackBody,
  };
}
