// `simulate`: plays Alipay against a gateway (or any notify_url). Builds a realistic signed
// notification, POSTs it as Alipay does, and prints one JSON line per reply. `--repeat` re-sends
// it the way Alipay does (same notify_id, new notify_time and sign); `--concurrency` sends
// identical copies at the same moment, which is what exercises the per-order lock. Every
// notification for the same --order carries the same trade_no and buyer_id. An answer other than
// `success` gets advice (simulate-advice.ts); a successful send, the admin command for the order.
// `--mapi` (or `--sign-type MD5`, which only mapi notifications carry) plays the legacy interface
// an old ASP site is on: signed with the MD5 partner key, which is never printed.

import { createHash } from 'node:crypto';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminCurl, isLocalGateway } from './admin-curl';
import { standInClient } from './alipay-standin';
import { DEV_APP_ID, DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_KEY_FILE, DEV_SELLER_ID, DEV_STANDIN_PORT, DEV_VARS_FILE, readDevVars } from './dev-config';
import { LOOPBACK_HOSTS } from '../src/config/values';
import { ORDERS_PATH } from '../src/config/names';
import { signOrderRegistration } from '../src/http/order-registration';
import { parseAlipayMd5Key, splitList } from '../src/config/values';
import { describeFetchError, explainHealth, fetchHealth, healthUrlOf, type HealthSummary } from './health-check';
import { LOCAL_MD5_FIX, notFoundAdvice, replyAdvice, type AdviceContext } from './simulate-advice';
import { classify } from '../src/alipay/classify';
import { toNotification } from '../src/alipay/notification';
import type { EventKind } from '../src/alipay/types';
import { DEFAULTS } from '../src/config/names';
import { parseEvents } from '../src/config/parsers';
import { readAllCapped } from '../src/utils/read-capped';
import { EXIT, parseCommandLine, printError, printHelp, readInput, usageError, type OptionValues } from './io';
import type { Command } from './main';
import {
  SIMULATED_CHARSETS,
  TRADE_STATUSES,
  hashOf,
  notificationParams,
  planNotification,
  rsaSigner,
  signNotification,
  tradeIdsFor,
  type NotificationPlan,
  type Signer,
  type SimulatedCharset,
  type SimulatedSignType,
  type TradeStatus,
} from './notification-builder';
import { loadPrivateKey } from '../src/alipay/private-key';

const SIMULATE_USAGE = `Usage: npx alipay-notify-edge simulate --to URL [options]

Sends a signed Alipay trade notification to URL, as Alipay would, and prints the reply
(one JSON line per send: status, body, ms, and a hint when the reply is not "success"). By
default it signs with the local development key that \`npm start\` generated
(dev-keys/alipay-dev-private.pem), so the local gateway accepts it:
  npx alipay-notify-edge simulate --to http://127.0.0.1:8787/alipay/notify
After a successful send it prints the admin API command that shows the order at the gateway.
--mapi sends a legacy mapi notification (no app_id; the partner id as seller_id; GBK; signed
with the MD5 partner key), as an old site on Alipay's legacy interface receives it.

Options:
  --to URL             where to POST (the gateway's notify URL)
  --status STATUS      TRADE_SUCCESS (default), TRADE_FINISHED, TRADE_CLOSED, WAIT_BUYER_PAY
  --refund AMOUNT      make it a refund notification (refund_fee, gmt_refund, out_biz_no;
                       mapi: refund_status, gmt_refund);
                       without --status: TRADE_CLOSED when it refunds everything, else TRADE_SUCCESS
  --order ID           out_trade_no (default: a new SIM-... id); every notification for
                       the same order carries the same trade_no and buyer_id
  --amount AMOUNT      total_amount (mapi: total_fee) in yuan (default 1.00)
  --charset CHARSET    utf-8 (default; --mapi: gbk) or gbk: values are signed and sent as those bytes
  --repeat N           send it N times in a row, as Alipay's re-sends: same notify_id,
                       new notify_time and sign each time (default 1)
  --concurrency N      send N identical copies at once, each time (default 1)
  --private-key FILE   the RSA key to sign with (PEM PKCS#8 or PKCS#1, or bare base64)
  --app-id ID          app_id (default: ALIPAY_APP_ID from .dev.vars, else ${DEV_APP_ID})
  --seller-id ID       seller_id (default: ALIPAY_SELLER_ID from .dev.vars, else ${DEV_SELLER_ID});
                       for --mapi, the partner id (2088...)
  --sign-type TYPE     RSA2 (default, SHA256withRSA), RSA (SHA1withRSA) or MD5 (the legacy
                       partner key; implies --mapi, as only mapi notifications are MD5-signed)
  --mapi               a legacy mapi notification: no app_id or charset field, total_fee,
                       price, quantity, buyer_email, seller_email, extra_common_param...;
                       signed MD5 unless --sign-type RSA, GBK unless --charset utf-8
  --md5-key-file FILE  the MD5 partner key (合作伙伴密钥), read from FILE; default, for a gateway
                       on this machine: ALIPAY_MD5_KEY from .dev.vars. Never printed
  --md5-key KEY        the same key on the command line (it stays in ps and the shell history)
  --out FILE           also write the body it sends to FILE (the last one, with --repeat),
                       e.g. to try \`npx alipay-notify-edge verify\` on it (an MD5 body: with
                       --md5-key-file)
  --lost               the buyer pays, but the notification never arrives: the trade is
                       paid at the local Alipay stand-in (which \`npm start\` runs) and no
                       notification is sent, so the gateway can only learn of it by asking Alipay
  --standin URL        the stand-in for --lost (default: ALIPAY_GATEWAY_URL's address from
                       .dev.vars when it is on this machine, else http://127.0.0.1:${DEV_STANDIN_PORT})
  -h, --help           this help

Exit status: 0 when every reply is exactly "success" (--lost: the trade is paid at the stand-in
and the gateway asks that stand-in), 1 otherwise (--lost: the gateway asks another Alipay or none,
or refused the order's registration), 2 usage error.
`;

const OPTIONS = {
  to: { type: 'string' },
  status: { type: 'string' },
  refund: { type: 'string' },
  order: { type: 'string' },
  amount: { type: 'string' },
  charset: { type: 'string' },
  repeat: { type: 'string' },
  concurrency: { type: 'string' },
  'private-key': { type: 'string' },
  'app-id': { type: 'string' },
  'seller-id': { type: 'string' },
  'sign-type': { type: 'string' },
  mapi: { type: 'boolean' },
  'md5-key': { type: 'string' },
  'md5-key-file': { type: 'string' },
  out: { type: 'string' },
  lost: { type: 'boolean' },
  standin: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MAX_REPEAT = 1000;
const MAX_CONCURRENCY = 100;
const SEND_TIMEOUT_MS = 30_000;
const MAX_REPLY_BYTES = 64 * 1024;
const SHOWN_REPLY_CHARS = 500;
const HEALTH_TIMEOUT_MS = 5_000;
const MAX_PRIVATE_KEY_BYTES = 64 * 1024;
// The partner key is 32 characters; anything near this size is the wrong file.
const MAX_MD5_KEY_FILE_BYTES = 4096;
const SUCCESS = 'success';
/** What --private-key needs: the advice every key problem ends with. The legacy RSA key is 1024 bits. */
const SIGNING_KEY_WANT = `signing as Alipay needs the private key that matches the gateway's ALIPAY_PUBLIC_KEY (locally: ${DEV_PRIVATE_KEY_FILE})`;
// The package root: where `npm start` writes .dev.vars and dev-keys/ when run from a clone.
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Settings {
  url: string;
  status: TradeStatus | undefined;
  refund: string | undefined;
  order: string | undefined;
  amount: string;
  charset: SimulatedCharset;
  signType: SimulatedSignType;
  repeat: number;
  concurrency: number;
  privateKeyFile: string | undefined;
  appId: string | undefined;
  sellerId: string | undefined;
  /** A legacy mapi notification (no app_id). */
  mapi: boolean;
  md5KeyText: string | undefined;
  md5KeyFile: string | undefined;
  outFile: string | undefined;
  /** Pay at the stand-in, send nothing. */
  lost: boolean;
  standInUrl: string | undefined;
}

/** One line of output: a send's reply (or why there was none). */
export interface SendReport {
  send: number;
  copy: number;
  status: number | null;
  body: string | null;
  ms: number;
  error?: string;
  /** What to do about a reply that is not `success`. */
  hint?: string;
  notify_id: string;
  notify_time: string;
  out_trade_no: string;
}

export const simulateCommand: Command = {
  async run(args) {
    const parsed = parseCommandLine(args, OPTIONS);
    if (!parsed.ok) return usageError('simulate', parsed.message);
    if (parsed.values.help) return printHelp(SIMULATE_USAGE);
    if (parsed.positionals.length > 0) return usageError('simulate', `unexpected argument "${parsed.positionals[0]}"`);
    const settings = readSettings(parsed.values);
    if (!settings.ok) return usageError('simulate', settings.message);
    const s = settings.value;

    const dev = await devDefaults();
    const appId = s.mapi ? null : (s.appId ?? dev.appId);
    const sellerId = s.sellerId ?? dev.sellerId;
    const outTradeNo = s.order ?? newOrderId();
    // Re-sends are one second apart in notify_time, the last one "now": all distinct, none in the future.
    const firstNotifyMs = Math.floor(Date.now() / 1000) * 1000 - (s.repeat - 1) * 1000;
    const planned = planNotification(
      {
        ...(s.status ? { status: s.status } : {}),
        ...(s.refund !== undefined ? { refund: s.refund } : {}),
        outTradeNo,
        amount: s.amount,
        appId,
        sellerId,
        charset: s.charset,
        signType: s.signType,
        // The gateway names a mapi order by its seller id, as it does an OpenAPI one by app_id.
        tradeIds: await tradeIdsFor(appId ?? sellerId, outTradeNo, firstNotifyMs),
      },
      firstNotifyMs,
    );
    if (!planned.ok) return usageError('simulate', planned.message);
    const plan = planned.plan;
    if (s.lost) return payWithoutNotifying(plan, s, dev);

    const signing = await signingFor(s, dev);
    if (!signing.ok) return usageError('simulate', signing.message);

    process.stderr.write(
      `simulate: ${plan.status}${plan.refundFee ? ` refund ${plan.refundFee}` : ''} for order ${plan.outTradeNo} ` +
        `(${plan.totalAmount} CNY, ${plan.charset}, ${plan.signType}, ${plan.appId === null ? `mapi, seller_id ${plan.sellerId}` : `app_id ${plan.appId}`}, ` +
        `trade_no ${plan.tradeNo}, notify_id ${plan.notifyId}) -> ${s.url}: ${s.repeat} send${s.repeat === 1 ? '' : 's'} x ${s.concurrency} cop${s.concurrency === 1 ? 'y' : 'ies'}\n`,
    );

    // Asked once, at the start: whom the gateway asks about orders, what it forwards, whether deliveries are held.
    const health = gatewayHealth(s.url);
    await tellLocalStandIn(plan, s, dev, health);
    const advice = adviser(health, s, {
      gatewayBase: new URL(s.url).origin,
      signedWith: signing.signedWith,
      signType: plan.signType,
      appId: plan.appId,
      sellerId: plan.sellerId,
      local: isLocalGateway(s.url),
    });
    const hints = new Set<string>();
    let allSuccess = true;
    for (let send = 1; send <= s.repeat; send++) {
      const reports = await sendRound(plan, firstNotifyMs + (send - 1) * 1000, send, s, signing.signer);
      if (reports === null) return EXIT.usage; // the notification could not be built (reported)
      for (const report of reports) {
        const hint = await advice(report);
        if (hint !== null) hints.add(hint);
        process.stdout.write(`${JSON.stringify(hint === null ? report : { ...report, hint })}\n`);
        if (report.body !== SUCCESS) allSuccess = false;
      }
    }

    if (s.outFile !== undefined) {
      process.stderr.write(`simulate: the body sent is in ${s.outFile}; check it with: npx alipay-notify-edge verify ${signing.verifyWith} --body ${s.outFile}\n`);
    }
    if (allSuccess) {
      const token = isLocalGateway(s.url) ? dev.adminToken : null;
      const reaching = await whatReachesOrigin(plan, firstNotifyMs, s, await health);
      process.stderr.write(
        `simulate: the gateway has it. What it recorded for order ${plan.outTradeNo}${reaching.forwarded ? ', and how the delivery to the origin went' : ''} (admin API, needs ADMIN_TOKEN):\n` +
          `  ${adminCurl({ gatewayUrl: s.url, appId: plan.appId ?? plan.sellerId, outTradeNo: plan.outTradeNo, token })}\n`,
      );
      for (const note of reaching.notes) process.stderr.write(`simulate: ${note}\n`);
    }
    for (const hint of hints) process.stderr.write(`simulate: ${hint}\n`);
    return allSuccess ? EXIT.ok : EXIT.notValid;
  },
};

/**
 * The hint for one report. A 404 asks the gateway's /health (once) for its real notify path, so
 * the hint can give the URL to use.
 */
function adviser(health: Promise<HealthSummary | null>, s: Settings, context: AdviceContext): (report: SendReport) => Promise<string | null> {
  return async (report) => {
    if (report.status !== 404) return replyAdvice(report.status, report.body, context);
    return notFoundAdvice(new URL(s.url).pathname, (await health)?.notifyPath ?? null, context);
  };
}

/** The gateway's /health summary, or null when it gives none (not a gateway, unreachable, problems). */
async function gatewayHealth(gatewayUrl: string): Promise<HealthSummary | null> {
  const health = healthUrlOf(gatewayUrl);
  if (!health.ok) return null;
  const answer = await fetchHealth(health.url, HEALTH_TIMEOUT_MS);
  return answer.kind === 'healthy' ? answer.summary : null;
}

/**
 * A real Alipay knows every trade it notifies about, so "ask Alipay" finds it; the local stand-in
 * knows only what it is told. So for a gateway on this machine that asks the stand-in (its /health
 * says so), the trade is told to the stand-in as it is sent: its status (a full refund is
 * TRADE_CLOSED, a partial one stays TRADE_SUCCESS: the stand-in has no refund fields). Quietly:
 * without a stand-in, simulate is what it always was. A mapi order is never asked about.
 */
async function tellLocalStandIn(plan: NotificationPlan, s: Settings, dev: DevDefaults, health: Promise<HealthSummary | null>): Promise<void> {
  if (plan.appId === null || !isLocalGateway(s.url)) return;
  const base = dev.standInUrl ?? `http://127.0.0.1:${DEV_STANDIN_PORT}`;
  const reconcile = (await health)?.reconcile;
  if (!reconcile?.enabled || !isStandIn(reconcile.gateway, base, true)) return;
  try {
    await standInClient(base, 2_000).registerTrade({ out_trade_no: plan.outTradeNo, total_amount: plan.totalAmount, trade_status: plan.status, trade_no: plan.tradeNo });
    process.stderr.write(`simulate: the local Alipay stand-in knows the trade too (${plan.status}), so asking Alipay about order ${plan.outTradeNo} finds it\n`);
  } catch {
    // Not running, or an older stand-in: the notification is what matters here.
  }
}

/**
 * After a successful send: whether the event reaches the origin. The gateway records every kind
 * but forwards only FORWARD_EVENTS (from its /health, else, for a gateway on this machine,
 * .dev.vars), and nothing while deliveries are held.
 */
async function whatReachesOrigin(plan: NotificationPlan, notifyMs: number, s: Settings, health: HealthSummary | null): Promise<{ forwarded: boolean; notes: string[] }> {
  const kind = classify(toNotification(Object.fromEntries(notificationParams(plan, notifyMs)))).kind;
  const local = isLocalGateway(s.url);
  let events: readonly EventKind[] | null = health?.forward?.events ?? null;
  if (events === null && local) {
    const setting = (await devDefaults()).forwardEvents ?? DEFAULTS.FORWARD_EVENTS;
    events = [...parseEvents(setting, () => {})];
  }
  const notes: string[] = [];
  const forwarded = events === null || events.includes(kind);
  if (!forwarded) {
    const wanted = [...new Set([...events!, kind])].join(',');
    const where = local ? 'in .dev.vars, then restart `npm start`' : 'in wrangler.toml [vars], then deploy again';
    notes.push(
      `the gateway recorded this ${kind} but does not forward ${kind} events (FORWARD_EVENTS: ${events!.join(',') || 'none'}): the origin hears nothing of it. ` +
        `To forward it, set FORWARD_EVENTS="${wanted}" (or "all") ${where}`,
    );
  }
  const held = health?.deliveries?.held === true;
  if (held && forwarded) {
    notes.push(
      `deliveries are held${health!.deliveries!.heldSince ? ` (since ${health!.deliveries!.heldSince})` : ''}: nothing reaches the origin until they are resumed ` +
        '(admin console, or POST /admin/api/deliveries/resume)',
    );
  }
  return { forwarded: forwarded && !held, notes };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function readSettings(values: OptionValues): Parsed<Settings> {
  const text = (name: keyof typeof OPTIONS): string | undefined => values[name] as string | undefined;

  const to = text('to');
  if (to === undefined) return { ok: false, message: 'give --to URL (e.g. --to http://127.0.0.1:8787/alipay/notify)' };
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    return { ok: false, message: `--to "${to.slice(0, 100)}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: '--to must be an http or https URL' };

  const statusText = text('status')?.toUpperCase();
  if (statusText !== undefined && !(TRADE_STATUSES as readonly string[]).includes(statusText)) {
    return { ok: false, message: `--status must be one of ${TRADE_STATUSES.join(', ')}` };
  }
  const signTypeText = text('sign-type')?.toUpperCase();
  if (signTypeText !== undefined && signTypeText !== 'RSA2' && signTypeText !== 'RSA' && signTypeText !== 'MD5') {
    return { ok: false, message: '--sign-type must be RSA2, RSA or MD5' };
  }
  // Alipay signs only mapi notifications with MD5, and those with MD5 unless the merchant chose RSA.
  const mapi = values.mapi === true || signTypeText === 'MD5';
  const signType: SimulatedSignType = signTypeText ?? (mapi ? 'MD5' : 'RSA2');
  if (mapi && signType === 'RSA2') return { ok: false, message: '--mapi: mapi notifications are signed MD5 or RSA, never RSA2' };
  // A mapi merchant's _input_charset is GBK unless its payment request said otherwise.
  const charsetText = (text('charset') ?? (mapi ? 'gbk' : 'utf-8')).toLowerCase().replace(/^utf8$/, 'utf-8');
  if (!(SIMULATED_CHARSETS as readonly string[]).includes(charsetText)) return { ok: false, message: '--charset must be utf-8 or gbk' };


  const order = text('order');
  if (order !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(order)) {
    return { ok: false, message: '--order: out_trade_no is 1 to 64 letters, digits, "_", "-" or "."' };
  }
  const appId = text('app-id');
  const sellerId = text('seller-id');
  for (const [name, id] of [['--app-id', appId], ['--seller-id', sellerId]] as const) {
    if (id !== undefined && !isAlipayId(id)) return { ok: false, message: `${name}: Alipay ids are digits only` };
  }
  if (mapi && appId !== undefined) {
    return { ok: false, message: '--app-id: a legacy mapi notification has no app_id (its seller_id, your partner id 2088..., names you: --seller-id)' };
  }
  if (mapi && values.lost === true) {
    return { ok: false, message: '--lost plays an OpenAPI trade the gateway asks alipay.trade.query about as one of its app ids; it never asks about a mapi order' };
  }
  const md5KeyText = text('md5-key');
  const md5KeyFile = text('md5-key-file');
  if (signType === 'MD5') {
    if (md5KeyText !== undefined && md5KeyFile !== undefined) return { ok: false, message: 'give --md5-key-file FILE or --md5-key KEY, not both' };
    if (text('private-key') !== undefined) return { ok: false, message: '--private-key signs RSA; an MD5 sign uses the partner key (--md5-key-file FILE)' };
  } else if (md5KeyText !== undefined || md5KeyFile !== undefined) {
    return { ok: false, message: `--md5-key${md5KeyText === undefined ? '-file' : ''} goes with --sign-type MD5 (this notification is signed ${signType})` };
  }

  if (values.lost === true) {
    // Nothing is sent: the options that shape sending have nothing to act on.
    for (const name of ['refund', 'repeat', 'concurrency', 'out'] as const) {
      if (text(name) !== undefined) return { ok: false, message: `--${name} shapes the notification sent; --lost sends none` };
    }
  } else if (text('standin') !== undefined) {
    return { ok: false, message: '--standin goes with --lost' };
  }
  const standin = text('standin');
  if (standin !== undefined && !/^https?:\/\/[^/]+\/?$/.test(standin)) return { ok: false, message: '--standin is the stand-in\'s address, e.g. http://127.0.0.1:8789' };

  const repeat = count(text('repeat'), '--repeat', MAX_REPEAT);
  if (!repeat.ok) return repeat;
  const concurrency = count(text('concurrency'), '--concurrency', MAX_CONCURRENCY);
  if (!concurrency.ok) return concurrency;

  return {
    ok: true,
    value: {
      url: url.href,
      status: statusText as TradeStatus | undefined,
      refund: text('refund'),
      order,
      amount: text('amount') ?? '1.00',
      charset: charsetText as SimulatedCharset,
      signType,
      repeat: repeat.value,
      concurrency: concurrency.value,
      privateKeyFile: text('private-key'),
      appId,
      sellerId,
      mapi,
      md5KeyText,
      md5KeyFile,
      outFile: text('out'),
      lost: values.lost === true,
      standInUrl: text('standin'),
    },
  };
}

function count(s: string | undefined, name: string, max: number): Parsed<number> {
  if (s === undefined) return { ok: true, value: 1 };
  const n = /^\d{1,6}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= max)) return { ok: false, message: `${name} must be a whole number from 1 to ${max}` };
  return { ok: true, value: n };
}

// ---- signing -------------------------------------------------------------------

type Signing =
  | {
      ok: true;
      signer: Signer;
      /** What signed, for advice: the private key file, or where the MD5 key came from (never the key). */
      signedWith: string;
      /** The `verify` options that check a body it signed. */
      verifyWith: string;
    }
  | { ok: false; message: string };

async function signingFor(s: Settings, dev: DevDefaults): Promise<Signing> {
  if (s.signType === 'MD5') return md5Signing(s, dev);
  const keyFile = s.privateKeyFile ?? dev.privateKeyFile;
  if (keyFile === null) return { ok: false, message: `no signing key: run \`npm start\` once (it generates ${DEV_PRIVATE_KEY_FILE}), or pass --private-key FILE` };
  const keyText = await readInput(keyFile, MAX_PRIVATE_KEY_BYTES, 'a private key');
  if (!keyText.ok) return keyText;
  const key = await loadPrivateKey(new TextDecoder().decode(keyText.bytes), { hash: hashOf(s.signType), want: SIGNING_KEY_WANT, minBits: 1024 });
  if (!key.ok) return { ok: false, message: `${keyFile}: ${key.problem}` };
  const publicKey = s.privateKeyFile === undefined ? dev.publicKeyFile : null;
  return { ok: true, signer: rsaSigner(key.key.signingKey), signedWith: keyFile, verifyWith: `--key ${publicKey ?? '<the Alipay public key file>'}` };
}

/**
 * The MD5 partner key: --md5-key-file, --md5-key, or, for a gateway on this machine only,
 * ALIPAY_MD5_KEY from .dev.vars: `init --dev-vars` puts the merchant's real partner key there,
 * which must not sign test payments for a deployed gateway unless asked to. Messages name where
 * the key came from, never the key.
 */
async function md5Signing(s: Settings, dev: DevDefaults): Promise<Signing> {
  const local = isLocalGateway(s.url);
  let text: string;
  let source: string;
  let verifyWith: string;
  if (s.md5KeyFile !== undefined) {
    const read = await readInput(s.md5KeyFile, MAX_MD5_KEY_FILE_BYTES, 'an MD5 key file');
    if (!read.ok) return read;
    // As an editor or `echo KEY > FILE` saves it: TextDecoder drops a BOM, trim() the line ending.
    text = new TextDecoder().decode(read.bytes).trim();
    source = verifyWith = `--md5-key-file ${s.md5KeyFile}`;
  } else if (s.md5KeyText !== undefined) {
    text = s.md5KeyText;
    source = '--md5-key';
    verifyWith = '--md5-key-file <a file holding the --md5-key key>';
  } else if (local && dev.md5Key !== null) {
    text = dev.md5Key;
    source = 'ALIPAY_MD5_KEY from .dev.vars';
    verifyWith = '--md5-key-file <a file holding ALIPAY_MD5_KEY from .dev.vars>';
  } else {
    const why = local ? `.dev.vars has no ALIPAY_MD5_KEY: ${LOCAL_MD5_FIX}` : 'ALIPAY_MD5_KEY from .dev.vars is used only for a gateway on this machine';
    return { ok: false, message: `MD5 signs with the partner key: give --md5-key-file FILE (or --md5-key KEY); ${why}` };
  }
  // The gateway's own rule for ALIPAY_MD5_KEY: a key it would refuse cannot be the one it checks with.
  const parsed = parseAlipayMd5Key(text);
  if (!parsed.ok) return { ok: false, message: `${source}: ${parsed.message}` };
  return { ok: true, signer: md5Signer(parsed.value), signedWith: source, verifyWith };
}

/** Alipay's mapi MD5 sign (src/alipay/md5-sign.ts): lowercase hex md5 of the content followed directly by the key. */
function md5Signer(key: Uint8Array): Signer {
  return async (content) => createHash('md5').update(content).update(key).digest('hex');
}

// ---- development defaults ------------------------------------------------------

interface DevDefaults {
  privateKeyFile: string | null;
  /** The public half, for the `verify` command simulate suggests. */
  publicKeyFile: string | null;
  appId: string;
  sellerId: string;
  /** ADMIN_TOKEN from the same .dev.vars: printed only in the admin command for a local gateway. */
  adminToken: string | null;
  /** The stand-in's address: ALIPAY_GATEWAY_URL's origin when it points at this machine. */
  standInUrl: string | null;
  /** STATUS_SECRET from the same .dev.vars: --lost registers the order with a local gateway with it. */
  statusSecret: string | null;
  /** ALIPAY_MD5_KEY from the same .dev.vars: signs MD5 for a gateway on this machine only. */
  md5Key: string | null;
  /** FORWARD_EVENTS from the same .dev.vars: what a local gateway forwards, when its /health does not say. */
  forwardEvents: string | null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The development key and ids `npm start` generated: in the current directory when it has them,
 * else in the project this tool belongs to. Both come from the same directory so they match.
 */
async function devDefaults(): Promise<DevDefaults> {
  let dir = PROJECT_ROOT;
  for (const candidate of [process.cwd(), PROJECT_ROOT]) {
    if ((await exists(join(candidate, DEV_VARS_FILE))) || (await exists(join(candidate, DEV_PRIVATE_KEY_FILE)))) {
      dir = candidate;
      break;
    }
  }
  const vars = (await readDevVars(dir)) ?? {};
  const keyFile = join(dir, DEV_PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, DEV_PUBLIC_KEY_FILE);
  return {
    privateKeyFile: (await exists(keyFile)) ? keyFile : null,
    publicKeyFile: (await exists(publicKeyFile)) ? publicKeyFile : null,
    appId: firstId(vars.ALIPAY_APP_ID) ?? DEV_APP_ID,
    sellerId: firstId(vars.ALIPAY_SELLER_ID) ?? DEV_SELLER_ID,
    adminToken: vars.ADMIN_TOKEN || null,
    standInUrl: localOrigin(vars.ALIPAY_GATEWAY_URL),
    statusSecret: vars.STATUS_SECRET || null,
    md5Key: vars.ALIPAY_MD5_KEY || null,
    forwardEvents: vars.FORWARD_EVENTS || null,
  };
}

function localOrigin(url: string | undefined): string | null {
  try {
    const parsed = new URL(url ?? '');
    return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname) ? parsed.origin : null;
  } catch {
    return null;
  }
}

// ---- a lost notification -----------------------------------------------------------

/**
 * `--lost`: the trade is paid at the stand-in (what Alipay would then answer to alipay.trade.query)
 * and no notification is sent. Prints one JSON line: the trade as the stand-in now knows it.
 * Exit 1 when the gateway cannot find the payment this way: it asks another Alipay (its
 * ALIPAY_GATEWAY_URL is not this stand-in), asks none, or refused the order's registration.
 */
async function payWithoutNotifying(plan: NotificationPlan, s: Settings, dev: DevDefaults): Promise<number> {
  const base = (s.standInUrl ?? dev.standInUrl ?? `http://127.0.0.1:${DEV_STANDIN_PORT}`).replace(/\/$/, '');
  const status = plan.status;
  let trade;
  try {
    trade = await standInClient(base).registerTrade({ out_trade_no: plan.outTradeNo, total_amount: plan.totalAmount, trade_status: status, trade_no: plan.tradeNo });
  } catch (error) {
    printError(
      `could not pay order ${plan.outTradeNo} at the Alipay stand-in ${base}: ${describeFetchError(error, 5_000)}. ` +
        'Is `npm start` running (it starts the stand-in), or `npx alipay-notify-edge standin`?',
    );
    return EXIT.notValid;
  }
  const asking = await whomGatewayAsks(s.url, base);
  const registered = asking.kind === 'stand-in' || asking.kind === 'unknown' ? await registerWithGateway(plan, s, dev) : null;
  process.stdout.write(`${JSON.stringify({ lost: true, standin: base, ...trade, registered })}\n`);
  process.stderr.write(
    `simulate: order ${plan.outTradeNo} is ${status} at the Alipay stand-in (${plan.totalAmount} CNY, trade_no ${plan.tradeNo}); ` +
      `no notification was sent to ${s.url}. The gateway hears of it only by asking Alipay.\n`,
  );
  if (asking.kind === 'never' || asking.kind === 'elsewhere') {
    process.stderr.write(`simulate: warning: ${asking.kind === 'never' ? 'the gateway does not ask Alipay at all (ALIPAY_APP_PRIVATE_KEY is not set)' : `the gateway asks ${asking.gateway}, not this stand-in (${base})`}: it will never find this payment. --lost plays out only with a gateway whose ALIPAY_GATEWAY_URL is the stand-in (as \`npm start\` sets it up).\n`);
    return EXIT.notValid;
  }
  if (asking.kind === 'unknown') process.stderr.write(`simulate: whether the gateway asks this stand-in is not known: ${asking.why}\n`);
  if (registered?.ok) {
    process.stderr.write(
      `simulate: the order is registered with the gateway, as your site would register it (POST /alipay/orders): it asks Alipay at ${registered.nextQueryAt ?? 'its next query'}, ` +
        'finds the payment and forwards it (header x-alipay-event-source: query).\n',
    );
    return EXIT.ok;
  }
  const token = isLocalGateway(s.url) ? dev.adminToken : null;
  process.stderr.write(
    `simulate: ${registered ? `the gateway did not take the registration (${registered.error ?? 'no reason given'}). ` : ''}` +
      `Ask Alipay about it from the admin API: ${adminCurl({ gatewayUrl: s.url, appId: plan.appId ?? plan.sellerId, outTradeNo: plan.outTradeNo, token }).replace(/^curl /, 'curl -X POST ')}/ask\n`,
  );
  return registered ? EXIT.notValid : EXIT.ok;
}

type Asking =
  | { kind: 'stand-in' }
  /** Its ALIPAY_GATEWAY_URL is another address (Alipay itself, or a stand-in on the gateway's own machine). */
  | { kind: 'elsewhere'; gateway: string }
  /** Reconciliation is off: it never asks. */
  | { kind: 'never' }
  /** No health report to tell (not reachable, not a gateway, an older gateway). */
  | { kind: 'unknown'; why: string };

/** Whom the gateway at `gatewayUrl` asks about unpaid orders, from its /health. */
async function whomGatewayAsks(gatewayUrl: string, standIn: string): Promise<Asking> {
  const health = healthUrlOf(gatewayUrl);
  if (!health.ok) return { kind: 'unknown', why: health.message };
  const answer = await fetchHealth(health.url, HEALTH_TIMEOUT_MS);
  if (answer.kind !== 'healthy') return { kind: 'unknown', why: explainHealth(answer)[0]! };
  const reconcile = answer.summary.reconcile;
  if (!reconcile) return { kind: 'unknown', why: `${health.url} does not say where it asks Alipay` };
  if (!reconcile.enabled) return { kind: 'never' };
  return isStandIn(reconcile.gateway, standIn, isLocalGateway(gatewayUrl)) ? { kind: 'stand-in' } : { kind: 'elsewhere', gateway: reconcile.gateway };
}

/**
 * Whether the address a gateway asks is this stand-in: the same address, or, for a gateway on this
 * machine, the same port under any loopback name (127.0.0.1 and localhost). A remote gateway's
 * 127.0.0.1 is its own machine, never this one.
 */
function isStandIn(asked: string, standIn: string, gatewayIsLocal: boolean): boolean {
  try {
    const a = new URL(asked);
    const b = new URL(standIn);
    if (LOOPBACK_HOSTS.has(a.hostname) && LOOPBACK_HOSTS.has(b.hostname)) return gatewayIsLocal && a.protocol === b.protocol && a.port === b.port;
    return a.origin === b.origin;
  } catch {
    return false;
  }
}

/** How long a simulated lost order stays payable: the gateway asks about it until then. */
const LOST_ORDER_PAYABLE_S = 30 * 60;

type Registration = { ok: boolean; nextQueryAt?: string | null; error?: string };

/**
 * Registers the order with a local gateway as the merchant's site would (POST /alipay/orders,
 * signed with STATUS_SECRET from .dev.vars), so the gateway asks Alipay about it on its schedule.
 * Null when that is not possible here (not a local gateway, or no STATUS_SECRET).
 */
async function registerWithGateway(plan: NotificationPlan, s: Settings, dev: DevDefaults): Promise<Registration | null> {
  // Orders are registered by app_id: a mapi order (which --lost refuses anyway) has none.
  if (plan.appId === null || !isLocalGateway(s.url) || dev.statusSecret === null || !/^\d+\.\d{2}$/.test(plan.totalAmount)) return null;
  const expire = Math.floor(Date.now() / 1000) + LOST_ORDER_PAYABLE_S;
  const sig = await signOrderRegistration(new TextEncoder().encode(dev.statusSecret), plan.appId, plan.outTradeNo, plan.totalAmount, expire);
  const form = new URLSearchParams({ app_id: plan.appId, out_trade_no: plan.outTradeNo, total_amount: plan.totalAmount, expire: String(expire), sig });
  let response: Response;
  let text: string;
  try {
    response = await fetch(new URL(ORDERS_PATH, s.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: AbortSignal.timeout(5_000),
    });
    const bytes = await readAllCapped(response.body, MAX_REPLY_BYTES);
    text = bytes === null ? `(a reply of more than ${MAX_REPLY_BYTES} bytes)` : new TextDecoder().decode(bytes);
  } catch (error) {
    return { ok: false, error: describeFetchError(error, 5_000) };
  }
  return registrationAnswer(response.status, text);
}

/** The gateway's JSON answer; anything else (a 404 page, a proxy's HTML) said for what it is. */
function registrationAnswer(status: number, text: string): Registration {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (typeof body === 'object' && body !== null && typeof (body as Registration).ok === 'boolean') return body as Registration;
  const shown = text.trim().replace(/\s+/g, ' ').slice(0, 100);
  const where = status === 404 ? `: nothing takes registrations at ${ORDERS_PATH} there (is --to the gateway?)` : '';
  return { ok: false, error: `it answered ${status} with something that is not the gateway's JSON${shown ? ` ("${shown}")` : ''}${where}` };
}

function firstId(list: string | undefined): string | undefined {
  const id = list === undefined ? undefined : splitList(list)[0];
  return id !== undefined && isAlipayId(id) ? id : undefined;
}

/** app_id and seller_id: digits only, the same rule the gateway applies to its settings. */
function isAlipayId(s: string): boolean {
  return /^\d{1,32}$/.test(s);
}

function newOrderId(): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `SIM-${stamp}-${suffix}`;
}

// ---- sending -------------------------------------------------------------------

/** One send: `concurrency` identical copies of the notification as of `notifyTimeMs`, all at once. */
async function sendRound(plan: NotificationPlan, notifyTimeMs: number, send: number, s: Settings, signer: Signer): Promise<SendReport[] | null> {
  const params = notificationParams(plan, notifyTimeMs);
  const signed = await signNotification(params, plan.charset, signer);
  if (!signed.ok) {
    printError(signed.message);
    return null;
  }
  if (s.outFile !== undefined) {
    try {
      await writeFile(s.outFile, signed.body);
    } catch (error) {
      printError(`--out ${s.outFile}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return null;
    }
  }
  const notifyTime = params.find(([k]) => k === 'notify_time')![1];
  const copies = Array.from({ length: s.concurrency }, (_, i) => i + 1);
  return Promise.all(
    copies.map(async (copy) => {
      const reply = await post(s.url, signed.body, plan.charset);
      return { send, copy, ...reply, notify_id: plan.notifyId, notify_time: notifyTime, out_trade_no: plan.outTradeNo };
    }),
  );
}

async function post(url: string, body: Uint8Array, charset: SimulatedCharset): Promise<Pick<SendReport, 'status' | 'body' | 'ms' | 'error'>> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` },
      redirect: 'manual', // Alipay does not follow redirects: a 3xx is a failed delivery
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await replyText(response);
    return { status: response.status, body: text, ms: ms() };
  } catch (error) {
    return { status: null, body: null, ms: ms(), error: describeFetchError(error, SEND_TIMEOUT_MS) };
  }
}

/** The reply as text, shortened for the terminal; a huge reply is not `success` either way. */
async function replyText(response: Response): Promise<string> {
  const bytes = await readAllCapped(response.body, MAX_REPLY_BYTES);
  if (bytes === null) return `(a reply of more than ${MAX_REPLY_BYTES} bytes)`;
  const text = new TextDecoder().decode(bytes);
  return text.length > SHOWN_REPLY_CHARS ? `${text.slice(0, SHOWN_REPLY_CHARS)}…` : text;
}
