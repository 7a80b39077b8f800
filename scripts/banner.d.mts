// Types for banner.mjs (plain JavaScript: the launcher runs before the TypeScript loader).

export interface BannerRow {
  readonly label: string;
  readonly value: string;
  readonly note?: string;
  /** A detail of the row above it. */
  readonly indent?: boolean;
}

export interface TryIt {
  readonly simulate: string;
  /** The admin curl for the simulated order; null when the admin API is off. */
  readonly curl: string | null;
  /** Whether the demo origin runs (it prints what it receives). */
  readonly demoOrigin: boolean;
  /** `simulate --lost` for a new order, when the Alipay stand-in runs; absent otherwise. */
  readonly lost?: string | null;
}

export interface Banner {
  readonly rows: readonly BannerRow[];
  readonly healthLines: readonly string[];
  readonly healthy: boolean;
  readonly tryIt: TryIt;
  readonly checkCommand: string;
}

export function bannerLines(banner: Banner): string[];
export function demoOrderId(now?: Date): string;
/** The console's address and (for a loopback gateway) the one-click sign-in link; none without a token. */
export function consoleRows(options: { gatewayUrl: string; adminToken: string | null | undefined; loopback: boolean }): BannerRow[];
/** The demo origin's thank-you page with the live status widget, for one order. */
export function thankYouRow(options: { originUrl: string; outTradeNo: string }): BannerRow;
