// Types for status-link.mjs (plain JavaScript so a merchant can copy it without a build step).

export interface StatusLink {
  readonly appId: string;
  readonly outTradeNo: string;
  /** Unix seconds. */
  readonly exp: number;
  /** Lowercase hex HMAC-SHA256 of `app_id.out_trade_no.exp`, keyed with STATUS_SECRET. */
  readonly sig: string;
}

export function signStatusLink(options: { secret: string; appId: string; outTradeNo: string; ttlSeconds?: number; nowSeconds?: number }): StatusLink;
export function statusWidgetHtml(options: { gatewayUrl: string; link: StatusLink; lang?: 'zh' | 'en' }): string;
export function thankYouPage(options: { gatewayUrl: string; link: StatusLink; lang?: 'zh' | 'en' }): string;
