// What to do when the gateway does not answer `simulate` with `success`. The gateway's answer is
// deliberately short (`fail: <reason>`: Alipay reads only the body, and an anonymous caller learns
// nothing more); the gateway's hint goes to its log. Here the reason is turned into advice for the
// person running the simulator, who knows which key, ids and sign type were used. The table
// names every reason the notify endpoint can answer, so a new one does not compile without advice.

import type { ProcessFailureReason } from '../src/alipay/process';
import type { AcceptResult } from '../src/orders/ledger-types';
import type { OrderKeyProblem } from '../src/orders/order-key';
import type { BodyProblem } from '../src/utils/read-capped';

export interface AdviceContext {
  /** The gateway's base URL (where `check` and /health are). */
  readonly gatewayBase: string;
  /** What signed: the private key file, or where the MD5 partner key came from (never the key). */
  readonly signedWith: string;
  readonly signType: string;
  /** Null: a legacy mapi notification, which has no app_id. */
  readonly appId: string | null;
  readonly sellerId: string;
  /** The gateway runs on this machine (`npm start`): its settings are in .dev.vars, not in Cloudflare. */
  readonly local: boolean;
}

type LedgerRefusal = Extract<AcceptResult, { ok: false }>['reason'];
/** Everything after `fail: ` in a notify answer (src/http/notify.ts). */
type GatewayRefusal =
  | ProcessFailureReason
  | LedgerRefusal
  | BodyProblem
  | OrderKeyProblem
  | 'gateway misconfigured'
  | 'storage unavailable'
  | 'method not allowed';

/**
 * How MD5 is turned on for the gateway on this machine: `npm start` generates both settings in a
 * fresh .dev.vars, but never rewrites an existing one.
 */
export const LOCAL_MD5_FIX =
  'for the gateway on this machine, add ALIPAY_SIGN_TYPES="RSA2,MD5" and ALIPAY_MD5_KEY="<any 32 ASCII letters and digits>" to .dev.vars ' +
  '(or delete .dev.vars and dev-keys/: `npm start` then generates development values that include both), and restart `npm start`';

/** The other sign types an OpenAPI (RSA2, RSA) or a mapi (MD5, RSA) notification can carry than the one sent. */
function otherSignTypes(c: AdviceContext): string {
  if (c.appId === null) return 'send it signed MD5, as most mapi integrations are (--mapi without --sign-type)';
  return `send a sign type it accepts (--sign-type ${c.signType === 'RSA2' ? 'RSA' : 'RSA2'}; --mapi for a legacy integration that signs MD5)`;
}

const check = (c: AdviceContext) => `npx alipay-notify-edge check ${c.gatewayBase}`;
/** simulate sends well-formed, signed, current notifications; if the gateway cannot read one, --to is probably not the gateway. */
const UNREADABLE = (c: AdviceContext) =>
  `the gateway could not read what simulate sent, which simulate should never cause: is ${c.gatewayBase} the gateway? (if it is, please report this)`;
const MISCONFIGURED = (c: AdviceContext) => `the gateway's settings have problems, so it refuses every notification until they are fixed: ${check(c)}`;

const ADVICE = {
  'malformed-body': UNREADABLE,
  'duplicate-key': UNREADABLE,
  'missing-signature': UNREADABLE,
  'signature-encoding': UNREADABLE,
  'unknown-charset': UNREADABLE,
  'charset-decode': UNREADABLE,
  'invalid-field': UNREADABLE,
  'missing-field': UNREADABLE,
  'notify-time-invalid': UNREADABLE,
  'too-large': UNREADABLE,
  'too-slow': UNREADABLE,
  unreadable: UNREADABLE,
  'method not allowed': UNREADABLE,
  'sign-type-not-accepted': (c) =>
    c.signType === 'MD5'
      ? c.local
        ? `the gateway does not accept MD5 (ALIPAY_SIGN_TYPES): ${LOCAL_MD5_FIX}`
        : 'the gateway does not accept MD5 (ALIPAY_SIGN_TYPES): if your mapi integration signs with MD5, add MD5 to ALIPAY_SIGN_TYPES and set ALIPAY_MD5_KEY (the partner key); ' +
          'if it signs with RSA, send --mapi --sign-type RSA'
      : `the gateway does not accept ${c.signType} (ALIPAY_SIGN_TYPES): ${otherSignTypes(c)}, or add ${c.signType} to ALIPAY_SIGN_TYPES`,
  'signature-mismatch': (c) =>
    c.signType === 'MD5'
      ? `the gateway's ALIPAY_MD5_KEY is not the key simulate signed with (${c.signedWith}): give simulate the gateway's partner key with --md5-key-file FILE; ` +
        'for the local gateway, restart `npm start` if .dev.vars changed since it started'
      : `the gateway's ALIPAY_PUBLIC_KEY is not the public half of the key simulate signed with (${c.signedWith}): ` +
        'if .dev.vars or dev-keys/ were generated again, restart `npm start`; with --private-key, give the gateway the matching public key',
  'unknown-cert-sn': (c) =>
    `the notification names an Alipay certificate SN the gateway does not have, and its keys do not verify it: simulate signs without alipay_cert_sn, so is ${c.gatewayBase} the gateway? (${check(c)})`,
  'no-usable-key': (c) =>
    c.signType === 'MD5'
      ? `the gateway has no MD5 key: ALIPAY_MD5_KEY (the partner key) is not set (${c.local ? LOCAL_MD5_FIX : check(c)})`
      : `the gateway has no usable key for ${c.signType}: ALIPAY_PUBLIC_KEY is missing or cannot be used (${check(c)})`,
  'app-id-mismatch': (c) =>
    c.appId === null
      ? `a legacy mapi notification has no app_id: the gateway takes one only when its ALIPAY_SELLER_ID lists the seller_id ${c.sellerId} (your partner id): set it, or pass --seller-id with the partner id it lists`
      : `app_id ${c.appId} is not in the gateway's ALIPAY_APP_ID: pass --app-id with one of its app ids (${check(c)} lists them)`,
  'seller-id-mismatch': (c) =>
    `seller_id ${c.sellerId} is not in the gateway's ALIPAY_SELLER_ID: pass --seller-id with one of its seller ids (${check(c)} lists them)`,
  'notify-too-old': () => "the gateway found notify_time older than its MAX_NOTIFY_AGE: this machine's clock and the gateway's disagree",
  'gateway misconfigured': MISCONFIGURED,
  misconfigured: MISCONFIGURED,
  'storage unavailable': () => 'the gateway could not record it (its Durable Object storage did not answer); Alipay would send it again later: try again',
  'not-delivered': () =>
    'ACK_MODE=after-delivery: the gateway answers "success" only once the origin has the event, and the origin has not taken it yet ' +
    "(the gateway's log says why); send it again later, as Alipay would",
  dead: () => 'the event is dead-lettered (the origin never took it): redeliver it with the admin API, then send it again',
} satisfies Record<GatewayRefusal, (c: AdviceContext) => string>;

/** Advice for an answer that is not `success`; null for `success` and for no answer at all. */
export function replyAdvice(status: number | null, body: string | null, c: AdviceContext): string | null {
  if (status === null || body === 'success') return null;
  const reason = /^fail: (.+)$/.exec(body?.trim() ?? '')?.[1];
  const advice = reason !== undefined ? ADVICE[reason as GatewayRefusal] : undefined;
  if (advice !== undefined) return advice(c);
  if (status >= 300 && status < 400) return 'a redirect: Alipay does not follow redirects, so --to must be the notify URL itself';
  if (status === 200) return `answered 200 but not exactly "success": is ${c.gatewayBase} the gateway?`;
  return `answered HTTP ${status}: is ${c.gatewayBase} the gateway? (${check(c)})`;
}

/** A 404: the gateway (when /health says what its notify path is) or something else answered. */
export function notFoundAdvice(path: string, gatewayNotifyPath: string | null, c: AdviceContext): string {
  if (gatewayNotifyPath !== null && gatewayNotifyPath !== path) {
    return `the gateway has no notify endpoint at ${path}: its NOTIFY_PATH is ${gatewayNotifyPath}, so use --to ${new URL(gatewayNotifyPath, c.gatewayBase).href}`;
  }
  return `nothing answers notifications at ${path}: check NOTIFY_PATH (${check(c)} shows the gateway's notify path)`;
}
