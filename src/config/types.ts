// The typed configuration the Worker runs on, and what /health may show of it.

import type { AlipayPublicKey, BusinessRules, EventKind, KeyForm, SignType, VerifyOptions } from '../alipay/types';
import type { AlertTarget } from '../alerts/types';
import type { AlertSummary } from './alert-settings';
import type { SettingName } from './names';
import type { ReconcileSettings, ReconcileSummary } from './reconcile-settings';

export interface ConfigProblem {
  readonly setting: SettingName;
  readonly message: string;
}

export type AckMode = 'durable' | 'after-delivery';
export type ForwardFormat = 'form' | 'json';
export type ForwardSigning = 'standard-webhooks' | 'alipay-md5';

export interface ForwardSettings {
  originUrl: string;
  format: ForwardFormat;
  events: ReadonlySet<EventKind>;
  /** Trimmed origin response body that means "received"; null = any 2xx. */
  ackBody: string | null;
  /** Decoded whsec_ secrets; the first is the newest. */
  secrets: Uint8Array[];
  timeoutMs: number;
  /** Delays between attempts: max attempts = length + 1. */
  retryScheduleMs: number[];
  /** Deliveries a second at most while a backlog drains after a hold (ORIGIN_MAX_RPS). */
  maxRps: number;
  signing: ForwardSigning;
  originMd5Key: Uint8Array | null;
}

export type AlipaySettings = VerifyOptions & BusinessRules;

export interface VisibilitySettings {
  /** UTF-8 bytes of STATUS_SECRET: the HMAC key of the buyer's status links; null = /alipay/status is off. */
  statusSecret: Uint8Array | null;
  /** Origins (as the Origin header spells them) whose pages may read the status. */
  statusAllowedOrigins: readonly string[];
  /** Shards per month of the payments index. */
  indexShards: number;
}

/** What /health may show: no secret, no full URL (a path or query may carry a token). */
export interface ConfigSummary {
  readonly signTypes: SignType[];
  readonly keys: { form: KeyForm; bits: number; fingerprint: string; certSn?: string; notAfter?: string }[];
  readonly appIds: string[];
  readonly sellerIds: string[];
  readonly maxNotifyAge: string;
  readonly notifyPath: string;
  readonly ackMode: AckMode;
  readonly originHost: string;
  readonly forward: {
    format: ForwardFormat;
    events: EventKind[];
    ackBody: string | null;
    signing: ForwardSigning;
    secrets: number;
    timeout: string;
    retrySchedule: string[];
    maxAttempts: number;
    maxRps: number;
  };
  readonly returnUrlHost: string | null;
  readonly adminApi: boolean;
  /** The buyer's status page: on when STATUS_SECRET is set; the origins allowed to read it. */
  readonly statusPage: { enabled: boolean; allowedOrigins: string[] };
  readonly indexShards: number;
  /** Asking Alipay (alipay.trade.query): on when ALIPAY_APP_PRIVATE_KEY is set. */
  readonly reconcile: ReconcileSummary;
  /** Where alerts go (format and host only), or null when ALERT_URL is unset. */
  readonly alerts: AlertSummary | null;
  /** Usable but suspicious settings (e.g. a key that looks like the app's own certificate). */
  readonly warnings: string[];
}

export interface Config {
  alipay: AlipaySettings;
  notifyPath: string;
  ackMode: AckMode;
  forward: ForwardSettings;
  returnUrl: string | null;
  adminToken: string | null;
  visibility: VisibilitySettings;
  /** Null when ALIPAY_APP_PRIVATE_KEY is unset: the gateway never asks Alipay. */
  reconcile: ReconcileSettings | null;
  /** Null when ALERT_URL is unset. */
  alerts: AlertTarget | null;
  summary: ConfigSummary;
}

/**
 * While the settings have problems, the gateway still answers on the paths they name (with 503),
 * so Alipay keeps its notifications: `routes` is the best reading of those two settings.
 */
export interface BrokenConfigRoutes {
  /** NOTIFY_PATH as set (trimmed, even if invalid), else the default. */
  readonly notifyPath: string;
  /** Whether ORIGIN_RETURN_URL is set at all (valid or not). */
  readonly returnPage: boolean;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[]; routes: BrokenConfigRoutes };
