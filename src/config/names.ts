// The names of every setting and the defaults of those that have one. A leaf module: the Worker,
// the command-line tool, the dev launcher, the tests and wrangler.toml's check all read it.

/** Every setting, in the order docs/CONFIGURATION.md lists them (problems are reported in this order). */
export const SETTING_NAMES = [
  'ALIPAY_PUBLIC_KEY',
  'ALIPAY_APP_ID',
  'ALIPAY_SELLER_ID',
  'ALIPAY_SIGN_TYPES',
  'ALIPAY_MD5_KEY',
  'ORIGIN_URL',
  'FORWARD_SECRET',
  'FORWARD_FORMAT',
  'FORWARD_EVENTS',
  'ORIGIN_ACK_BODY',
  'ACK_MODE',
  'RETRY_SCHEDULE',
  'DELIVERY_TIMEOUT',
  'ORIGIN_MAX_RPS',
  'MAX_NOTIFY_AGE',
  'NOTIFY_PATH',
  'ADMIN_TOKEN',
  'FORWARD_SIGNING',
  'ORIGIN_MD5_KEY',
  'ORIGIN_RETURN_URL',
  'STATUS_SECRET',
  'STATUS_ALLOWED_ORIGINS',
  'INDEX_SHARDS',
  'ALIPAY_APP_PRIVATE_KEY',
  'ALIPAY_GATEWAY_URL',
  'ALIPAY_APP_CERT',
  'ALIPAY_ROOT_CERT',
  'RECONCILE_SCHEDULE',
  'ALERT_URL',
  'ALERT_FORMAT',
  'ALERT_SECRET',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

/** The Worker's env as far as configuration goes. Bindings and unknown names are ignored. */
export type ConfigEnv = { readonly [K in SettingName]?: string };

export const DEFAULTS = {
  ALIPAY_SIGN_TYPES: 'RSA2',
  FORWARD_FORMAT: 'form',
  FORWARD_EVENTS: 'paid',
  ACK_MODE: 'durable',
  RETRY_SCHEDULE: '10s,1m,5m,30m,2h,6h,12h,24h,24h,24h',
  DELIVERY_TIMEOUT: '15s',
  ORIGIN_MAX_RPS: '5',
  MAX_NOTIFY_AGE: '72h',
  NOTIFY_PATH: '/alipay/notify',
  FORWARD_SIGNING: 'standard-webhooks',
  INDEX_SHARDS: '1',
  ALIPAY_GATEWAY_URL: 'https://openapi.alipay.com/gateway.do',
  RECONCILE_SCHEDULE: '30s,2m,5m,15m,1h,3h,12h',
} as const satisfies Partial<Record<SettingName, string>>;

/** The buyer's payment status (src/http/status.ts). Fixed, like RETURN_PATH; the widget lives beside it at /alipay/status.js. */
export const STATUS_PATH = '/alipay/status';

/** Where the merchant's site registers an order it expects (src/http/orders.ts), signed with STATUS_SECRET. */
export const ORDERS_PATH = '/alipay/orders';

/** Alipay's sandbox OpenAPI gateway (docs and messages name it; ALIPAY_GATEWAY_URL defaults to production). */
export const ALIPAY_SANDBOX_GATEWAY_URL = 'https://openapi-sandbox.dl.alipaydev.com/gateway.do';

/** Where Alipay's return_url lands when ORIGIN_RETURN_URL is set (src/http/return-page.ts). Fixed: it is the gateway's own address. */
export const RETURN_PATH = '/alipay/return';
