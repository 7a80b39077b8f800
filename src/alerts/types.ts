// Alerts to a person: what can be alerted, one occurrence as the code that noticed it reports it,
// and the message that goes out (a digest: the first occurrences of one kind and how many there were).
// Pure data, JSON-serialisable, so a Durable Object can keep the debounce state as it is.

export type AlertFormat = 'dingtalk' | 'wecom' | 'feishu' | 'slack' | 'json';
export const ALERT_FORMATS: readonly AlertFormat[] = ['dingtalk', 'wecom', 'feishu', 'slack', 'json'];

export type AlertKind =
  | 'dead-letter'
  | 'origin-failing'
  | 'rejection-spike'
  | 'payment-found-by-query'
  | 'amount-mismatch'
  | 'certificate-expiring'
  | 'unknown-cert-sn'
  | 'deliveries-held'
  | 'query-failing'
  | 'genuine-refused';

export const ALERT_KINDS: readonly AlertKind[] = [
  'dead-letter',
  'origin-failing',
  'rejection-spike',
  'payment-found-by-query',
  'amount-mismatch',
  'certificate-expiring',
  'unknown-cert-sn',
  'deliveries-held',
  'query-failing',
  'genuine-refused',
];

export type AlertDetailValue = string | number | boolean;

/** One occurrence. Never a secret and never a full buyer identity: alerts leave the gateway. */
export interface Alert {
  readonly kind: AlertKind;
  /** One line a person can act on. */
  readonly summary: string;
  /** A few facts (order key, status, counts). */
  readonly details?: Readonly<Record<string, AlertDetailValue>>;
  /** Epoch ms. */
  readonly at: number;
  /** How many occurrences this one stands for, when they were counted before reaching the alerts (default 1). */
  readonly count?: number;
}

/** One message: the occurrences of one kind since the last message of that kind. */
export interface AlertDigest {
  readonly kind: AlertKind;
  /** How many occurrences this message stands for (at least 1). */
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  /** The first few occurrences, in order (at most MAX_SAMPLES). */
  readonly samples: readonly Alert[];
}

/** Where alerts go (ALERT_URL, ALERT_FORMAT, ALERT_SECRET). */
export interface AlertTarget {
  /** Secret: the robot's token is part of it. */
  readonly url: string;
  readonly format: AlertFormat;
  /** The group robot's signing secret: DingTalk's "加签" (SEC…) for `dingtalk`, Feishu's 签名校验 for `feishu`. */
  readonly robotSecret: string | null;
  /** Standard Webhooks secrets (decoded whsec_…), signing the `json` format. */
  readonly webhookSecrets: readonly Uint8Array[];
}
