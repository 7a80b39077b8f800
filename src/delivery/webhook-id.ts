// The webhook-id is derived, not random: the same event always carries the same id, even after
// a redelivery or a ledger rebuilt from Alipay's re-sends, so the origin can dedupe on it.
import { sha256Hex } from '../utils/hex';
import { utf8Encode } from '../utils/bytes';

export async function webhookIdFor(orderKey: string, eventKey: string): Promise<string> {
  return `msg_${(await sha256Hex(utf8Encode(`${orderKey}\n${eventKey}`))).slice(0, 32)}`;
}
