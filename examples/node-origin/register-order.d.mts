// Types for register-order.mjs.
export interface OrderToRegister {
  readonly secret: string;
  readonly appId: string;
  readonly outTradeNo: string;
  /** Yuan with two decimals, e.g. "88.80". */
  readonly totalAmount: string;
  /** Unix seconds. */
  readonly expire: number;
}

export function signOrderRegistration(order: OrderToRegister): string;
export function registerOrder(
  options: OrderToRegister & { readonly gatewayUrl: string; readonly timeoutMs?: number; readonly fetch?: typeof fetch },
): Promise<{ ok: boolean; error?: string; [key: string]: unknown }>;
