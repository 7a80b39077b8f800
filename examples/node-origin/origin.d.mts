// Types for origin.mjs (plain JavaScript so a merchant can copy it without a build step).

export interface OriginEvent {
  /** `webhook-id`: stable per event, the idempotency key. */
  readonly id: string;
  /** `webhook-timestamp` of this attempt, Unix seconds. */
  readonly timestamp: number;
  /** `x-delivery-attempt`, when the gateway sent it. Informational, not signed. */
  readonly attempt: number | null;
  /** Event kind header (paid, refund, closed, waiting, other). Informational, not signed. */
  readonly kind: string | null;
  readonly eventKey: string | null;
  /** Which Alipay scheme verified the notification at the gateway. Informational. */
  readonly verifiedBy: string | null;
  readonly contentType: string;
  /** The charset named in Content-Type (form bodies carry Alipay's signed charset). */
  readonly charset: string;
  readonly format: 'form' | 'json' | 'other';
  /** The exact bytes that were verified. */
  readonly body: Buffer;
  /** Form fields decoded with `charset` (form format only). */
  readonly fields: Readonly<Record<string, string>> | null;
  /** The parsed JSON event (json format only). */
  readonly json: unknown;
}

export interface OriginOptions {
  /** Default 8788. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** `whsec_...`, several separated by spaces during rotation, or a list. */
  secret: string | readonly string[];
  /** Called once per webhook-id. Throw to answer 500 (the gateway retries). */
  onEvent?: (event: OriginEvent) => void | Promise<void>;
  /** Body of a successful answer. Default `success`. */
  ackBody?: string;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  /** How many webhook-ids the in-memory dedupe remembers. Default 10000. */
  rememberIds?: number;
  /** One line per request; null silences it. Default console.log. */
  log?: ((line: string) => void) | null;
  /** `json` (default): one JSON object per line, for machines. `text`: one line for a person. */
  logFormat?: 'json' | 'text';
  /** Serve the sample "thank you" page with the live status widget at GET /thank-you (thank-you.mjs). */
  statusPage?: StatusPageOptions | null;
}

export interface StatusPageOptions {
  /** The gateway's STATUS_SECRET: signs the status links. */
  secret: string;
  /** The app_id the orders belong to. */
  appId: string;
  /** Where the buyer's browser reaches the gateway, e.g. http://127.0.0.1:8787. */
  gatewayUrl: string;
}

export interface RunningOrigin {
  readonly port: number;
  readonly host: string;
  /** e.g. http://127.0.0.1:8788/ */
  readonly url: string;
  close(): Promise<void>;
}

export type VerifyOutcome = { ok: true } | { ok: false; status: number; reason: string };

export function startOrigin(options: OriginOptions): Promise<RunningOrigin>;
/**
 * What a form notification means, from its signed fields, as the gateway decides it: `paid`
 * (credit the order), `recorded` (known, nothing to credit) or null (cannot be judged: throw).
 */
export function classifyNotification(fields: Readonly<Record<string, string>> | null): 'paid' | 'recorded' | null;
/** Alipay's decimal yuan as integer cents; null when it is not such an amount. */
export function amountCents(text: string | null | undefined): number | null;
/** One log record (what the JSON line holds) as the line `logFormat: 'text'` prints. */
export function textLine(fields: Record<string, unknown> & { outcome: string }): string;
export function parseSecrets(secret: string | readonly string[]): unknown[];
export function verifyWebhook(
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secrets: unknown[],
): VerifyOutcome;
