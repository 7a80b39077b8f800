// What a notification means (docs/ALIPAY.md "What a notification means") and its dedupe key within
// one order (docs/ARCHITECTURE.md "Dedupe keys"). The notification alone decides; no order state.

import { parseAmountCents } from './amount';
import type { ClassifiedEvent, Notification } from './types';

/**
 * A refund is told apart by its refund fields. `refund_fee=0.00` appears on plain payments
 * (e.g. TRADE_FINISHED), so a zero fee does not count as a refund.
 */
function hasRefund(n: Notification): boolean {
  if (n.outBizNo !== null || n.gmtRefund !== null) return true;
  if (n.refundFee === null) return false;
  const cents = parseAmountCents(n.refundFee);
  return cents === null || cents > 0n; // an unparsable fee is still a refund field, not proof of none
}

function refundEvent(n: Notification): ClassifiedEvent {
  // One key per refund: out_biz_no names it; gmt_refund and the cumulative refund_fee also change per refund.
  return { kind: 'refund', key: `refund:${n.outBizNo ?? n.gmtRefund ?? n.refundFee ?? ''}` };
}

export function classify(n: Notification): ClassifiedEvent {
  switch (n.tradeStatus) {
    case 'WAIT_BUYER_PAY':
      return { kind: 'waiting', key: 'waiting' };
    case 'TRADE_SUCCESS':
      return hasRefund(n) ? refundEvent(n) : { kind: 'paid', key: 'paid' };
    case 'TRADE_CLOSED':
      return hasRefund(n) ? refundEvent(n) : { kind: 'closed', key: 'closed' };
    // TRADE_FINISHED: paid with no refund possible, or the refund window of a paid trade closed.
    // Refunds are announced by their own TRADE_SUCCESS / TRADE_CLOSED notifications; a cumulative
    // refund_fee carried here is history, so it keys as `paid` and dedupes with the payment.
    case 'TRADE_FINISHED':
    case 'WAIT_SELLER_SEND_GOODS': // legacy escrow: the buyer has paid
      return { kind: 'paid', key: 'paid' };
    default:
      return { kind: 'other', key: `other:${n.notifyId ?? ''}` };
  }
}
