// Types shared by the pure Alipay core. Nothing here touches Workers bindings:
// the core needs only WebCrypto and TextDecoder, so it runs in workerd, Node and tests alike.

export type SignType = 'RSA2' | 'RSA' | 'MD5';
export const SIGN_TYPES: readonly SignType[] = ['RSA2', 'RSA', 'MD5'];

/** v1 drops `sign` and `sign_type`; v2 ("rsaCheckV2") keeps `sign_type`. Both drop `sign` and empty values. */
export type ContentRule = 'v1' | 'v2';

/** One form parameter, percent-decoded to bytes exactly once. Keys are ASCII in practice; held as latin1 text. */
export interface FormPair {
  readonly key: string;
  readonly value: Uint8Array;
}

export type ParseFailureReason = 'malformed-body' | 'duplicate-key';

/** A parsed body: its pairs in body order, and the same pairs in key byte order (keys are distinct). */
export interface ParsedForm {
  readonly pairs: FormPair[];
  readonly sorted: readonly FormPair[];
}

export type ParseResult = ({ ok: true } & ParsedForm) | { ok: false; reason: ParseFailureReason; hint: string };

// ---- keys ----------------------------------------------------------------

export type KeyForm = 'base64-spki' | 'pem-spki' | 'pem-pkcs1' | 'certificate';

/** An Alipay public key ready to verify with. `spki` is the DER SubjectPublicKeyInfo. */
export interface AlipayPublicKey {
  readonly form: KeyForm;
  readonly spki: Uint8Array;
  readonly modulusBits: number;
  /** Lowercase hex SHA-256 of `spki` (64 chars). Safe to show: it is a public-key fingerprint. */
  readonly fingerprint: string;
  /** Certificate mode only: the Alipay cert SN (md5 of issuer DN + decimal serial). */
  readonly certSn?: string;
  /** Certificate mode only: notAfter, epoch ms. */
  readonly notAfter?: number;
}

export type KeyLoadResult =
  | { ok: true; keys: AlipayPublicKey[] }
  | { ok: false; problems: string[] };

// ---- verification --------------------------------------------------------

export interface VerifyOptions {
  /** Every configured Alipay public key (rotation: each is tried). */
  readonly keys: readonly AlipayPublicKey[];
  /** Sign types the merchant accepts; the message's `sign_type` must be one of them. */
  readonly signTypes: readonly SignType[];
  /** Legacy mapi MD5 partner key, as bytes. Required for MD5 to be usable. */
  readonly md5Key?: Uint8Array;
}

export type VerifyFailureReason =
  | ParseFailureReason
  | 'missing-signature'
  | 'sign-type-not-accepted'
  | 'signature-encoding'
  | 'signature-mismatch'
  | 'no-usable-key'
  /** Certificate mode: the message names an Alipay certificate (`alipay_cert_sn`) that is not configured, and no configured key verifies it. */
  | 'unknown-cert-sn';

export interface VerifySuccess {
  ok: true;
  signType: SignType;
  /** Which content matched. MD5 always reports `v1` (legacy content drops sign_type too). */
  rule: ContentRule;
  /** Index into VerifyOptions.keys of the key that matched; -1 for MD5. */
  keyIndex: number;
  /** Fingerprint of the matching key; null for MD5. */
  keyFingerprint: string | null;
  pairs: FormPair[];
  /** The exact bytes whose signature matched. */
  signContent: Uint8Array;
}

export interface VerifyFailure {
  ok: false;
  reason: VerifyFailureReason;
  /** One sentence on what is wrong, naming the likely cause where it is knowable; no setting names. */
  hint: string;
  /** What the merchant can change on their side, when it is a setting: the caller words it. */
  advice?: Advice;
  /** Present once the body parsed: lets tools show what was checked. */
  pairs?: FormPair[];
  /** The v1 content (what a merchant compares with their own code); built only when read. */
  readonly signContent?: Uint8Array;
  /** The sign type the message claimed, if any. */
  claimedSignType?: string;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

/**
 * What a merchant can change about the verifier's or the checks' settings, as data: the core
 * never names a setting, so the Worker words it in terms of its settings and the command-line
 * tool in terms of its flags.
 */
export type Advice =
  /** The message uses a sign type that is not accepted; accept it if the Alipay app really signs so. */
  | { readonly kind: 'accept-sign-type'; readonly signType: SignType; readonly accepted: readonly SignType[] }
  /** No sign_type, and no public-key sign type (RSA2, RSA) is accepted. */
  | { readonly kind: 'accept-public-key-sign-type'; readonly accepted: readonly SignType[] }
  | { readonly kind: 'configure-public-key' }
  /** No configured public key verifies: is it the Alipay public key (not the app's own)? */
  | { readonly kind: 'check-public-key' }
  | { readonly kind: 'configure-md5-key' }
  | { readonly kind: 'check-md5-key' }
  /** app_id is not an accepted one. */
  | { readonly kind: 'check-app-id' }
  /** A legacy notification (no app_id) needs the accepted seller ids to be set. */
  | { readonly kind: 'configure-seller-id' }
  /** seller_id is not an accepted one (or absent while seller ids are set). */
  | { readonly kind: 'check-seller-id' }
  /** notify_time is older than the accepted age. */
  | { readonly kind: 'check-max-age' }
  /** Alipay signs with a certificate (SN `sn`) that is not configured: add the renewed alipayCertPublicKey_RSA2.crt. */
  | { readonly kind: 'update-alipay-cert'; readonly sn: string }
  /** An OpenAPI answer no configured key verifies: the Alipay public key must be the one of the environment that answered. */
  | { readonly kind: 'check-public-key-environment' };

/** Where a piece of the merchant's material goes, named without naming a setting. */
export type SetupPlace =
  | 'alipay-public-key'
  | 'app-private-key'
  | 'app-cert'
  | 'root-cert'
  | 'app-or-root-cert'
  | 'forward-secret'
  | 'alert-secret'
  | 'md5-key';

/**
 * What a merchant can change about the setup for asking Alipay (the app private key, the
 * certificate files, the gateway), as data like `Advice`. Only the Worker's settings (and the
 * `keys` command, which explains them) word it: checking a message never leads here.
 */
export type SetupAdvice =
  /** The material pasted is another piece of the setup: it goes `place`. */
  | { readonly kind: 'belongs-in'; readonly place: SetupPlace }
  /** The gateway could not be reached, or redirected. */
  | { readonly kind: 'check-gateway-url' }
  /** Alipay refused the request's signature: the app public key set in its console must be the private key's public half. */
  | { readonly kind: 'check-app-public-key' }
  /** Alipay does not know the app id in the environment asked (sandbox app ids work with the sandbox gateway only). */
  | { readonly kind: 'check-app-environment' }
  /** Certificate mode: the app certificate and the root bundle must be this app's. */
  | { readonly kind: 'check-request-certs' };

// ---- after verification --------------------------------------------------

export type Charset = 'utf-8' | 'gbk' | 'gb2312' | 'gb18030';

export type DecodeFailureReason = 'unknown-charset' | 'charset-decode';

export type DecodeResult =
  | { ok: true; charset: Charset; params: Record<string, string> }
  | { ok: false; reason: DecodeFailureReason; hint: string };

/** A field the gateway reads does not have its format: refused with the field's name (never its value). */
export type FieldCheckResult = { ok: true } | { ok: false; reason: 'invalid-field'; field: string; hint: string };

/** The fields the gateway reasons about, decoded. Everything else stays in `params`. */
export interface Notification {
  readonly params: Readonly<Record<string, string>>;
  readonly notifyId: string | null;
  readonly notifyTime: string | null;
  readonly notifyType: string | null;
  readonly appId: string | null;
  readonly sellerId: string | null;
  readonly outTradeNo: string | null;
  readonly tradeNo: string | null;
  readonly tradeStatus: string | null;
  readonly totalAmount: string | null;
  readonly refundFee: string | null;
  readonly outBizNo: string | null;
  readonly gmtRefund: string | null;
}

export interface BusinessRules {
  /** Accepted app_id values. Legacy mapi notifications carry no app_id: then seller_id must match. */
  readonly appIds: readonly string[];
  /** Accepted seller_id values; empty = not checked. */
  readonly sellerIds: readonly string[];
  /** `notify_time` older than this is refused (replay guard). */
  readonly maxNotifyAgeMs: number;
}

export type BusinessCheckReason =
  | 'missing-field'
  | 'app-id-mismatch'
  | 'seller-id-mismatch'
  | 'notify-time-invalid'
  | 'notify-too-old';

export type BusinessCheckResult =
  | { ok: true }
  | { ok: false; reason: BusinessCheckReason; hint: string; advice?: Advice };

export type EventKind = 'paid' | 'refund' | 'closed' | 'waiting' | 'other';
export const EVENT_KINDS: readonly EventKind[] = ['paid', 'refund', 'closed', 'waiting', 'other'];

/** What a notification means. `key` is the dedupe key within one order (docs/ARCHITECTURE.md "Dedupe keys"). */
export interface ClassifiedEvent {
  readonly kind: EventKind;
  readonly key: string;
}
