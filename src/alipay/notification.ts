// Decoded params -> the typed fields the gateway reasons about.

import type { Notification } from './types';

/**
 * Empty values are read as absent: they are left out of the signed content, so anyone could add
 * `out_biz_no=` to a genuine body, and it must not change what the notification means.
 */
export function toNotification(params: Record<string, string>): Notification {
  const field = (name: string): string | null => {
    const v = Object.hasOwn(params, name) ? params[name] : undefined;
    return v === undefined || v === '' ? null : v;
  };
  return {
    params,
    notifyId: field('notify_id'),
    notifyTime: field('notify_time'),
    notifyType: field('notify_type'),
    appId: field('app_id'),
    sellerId: field('seller_id'),
    outTradeNo: field('out_trade_no'),
    tradeNo: field('trade_no'),
    tradeStatus: field('trade_status'),
    // Legacy mapi notifications name the amount total_fee.
    totalAmount: field('total_amount') ?? field('total_fee'),
    refundFee: field('refund_fee'),
    outBizNo: field('out_biz_no'),
    gmtRefund: field('gmt_refund'),
  };
}
