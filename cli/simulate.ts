// `simulate`: plays Alipay against a gateway (or any notify_url). Builds a realistic signed
// notification, POSTs it as Alipay does, and prints one JSON line per reply. `--repeat` re-sends
// it the way Alipay does (same notify_id, new notify_time and sign); `--concurrency` sends
// identical copies at the same moment, which is what exercises the per-order lock. Every
// notification for the same --order carries the same trade_no and buyer_id. An answer other than
// `success` gets advice (simulate-advice.ts); a successful send, the admin command for the order.
// `--mapi` (or `--sign-type MD5`, which only mapi notifications carry) plays the legacy interface
// an old ASP site is on: signed with the MD5 partner key, which is never printed.

import { writeFile } from 'node:fs/promises';
import { adminCurl, isLocalGateway } from './admin-curl';
import { DEV_APP_ID, DEV_PRIVATE_KEY_FILE, DEV_SELLER_ID, DEV_STANDIN_PORT } from './dev-config';
import { parseAlipayMd5Key } from '../src/config/values';
import { describeFetchError, type HealthSummary } from './health-check';
import { devDefaults, isAlipayId, type DevDefaults } from './simulate-dev-defaults';
import { gatewayHealth, payWithoutNotifying, tellLocalStandIn } from './simulate-standin';
import { LOCAL_MD5_FIX, notFoundAdvice, replyAdvice, type AdviceContext } from './simulate-advice';
import { classify } from '../src/alipay/classify';
import { toNotification } from '../src/alipay/notification';
import type { EventKind } from '../src/alipay/types';
import { DEFAULTS } from '../src/config/names';
import { parseEvents } from '../src/config/parsers';
import { answerText, EXIT, parseCommandLine, printError, printHelp, readInput, usageError, type OptionValues } from './io';
import type { Command } from './main';
import {
  SIMULATED_CHARSETS,
  TRADE_STATUSES,
  hashOf,
  notificationParams,
  planNotification,
  md5Signer,
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
const SHOWN_REPLY_CHARS = 500;
const MAX_PRIVATE_KEY_BYTES = 64 * 1024;
// The partner key is 32 characters; anything near this size is the wrong file.
const MAX_MD5_KEY_FILE_BYTES = 4096;
const SUCCESS = 'success';
/** What --private-key needs: the advice every key problem ends with. The legacy RSA key is 1024 bits. */
const SIGNING_KEY_WANT = `signing as Alipay needs the private key that matches the gateway's ALIPAY_PUBLIC_KEY (locally: ${DEV_PRIVATE_KEY_FILE})`;

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
  const text = await answerText(response);
  return text.length > SHOWN_REPLY_CHARS ? `${text.slice(0, SHOWN_REPLY_CHARS)}…` : text;
}
