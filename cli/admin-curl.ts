// The ready-to-paste admin command for one order: `npm start`'s banner and `simulate` print it so
// a newcomer can see what the gateway recorded and how the delivery to the origin went.
// Double quotes only, so the same line works in sh, PowerShell and Windows cmd.exe (curl.exe
// ships with Windows 10 and later).

import { LOOPBACK_HOSTS } from '../src/config/values';
import { adminPathOf, orderKey } from '../src/orders/order-key';

/** Stands in for a token the tool does not know (or should not print). Literal inside double quotes. */
export const ADMIN_TOKEN_PLACEHOLDER = '<ADMIN_TOKEN>';

/** Characters that mean nothing to sh or cmd.exe inside double quotes; the generated dev token has only these. */
const PASTE_SAFE = /^[A-Za-z0-9._~+/=-]+$/;

export interface AdminCurlTarget {
  /** Any URL on the gateway (its base, or the notify URL): the admin API is at its root. */
  readonly gatewayUrl: string;
  readonly appId: string;
  readonly outTradeNo: string;
  /** The token to put in the command, or null for the placeholder. */
  readonly token: string | null;
}

/** `curl -H "Authorization: Bearer …" http://…/admin/orders/<app>/<out_trade_no>` */
export function adminCurl(target: AdminCurlTarget): string {
  const url = new URL(adminPathOf(orderKey(target.appId, target.outTradeNo)), new URL(target.gatewayUrl).origin).href;
  const token = target.token !== null && PASTE_SAFE.test(target.token) ? target.token : ADMIN_TOKEN_PLACEHOLDER;
  return `curl -H "Authorization: Bearer ${token}" ${url}`;
}

/**
 * The admin token is printed only for a gateway on this machine (the throwaway one `npm start`
 * runs from .dev.vars); for any other gateway the command keeps the placeholder.
 */
export function isLocalGateway(gatewayUrl: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(gatewayUrl).hostname);
  } catch {
    return false;
  }
}
