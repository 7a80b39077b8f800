// `verify`: why does (or doesn't) this notification verify? Reads a raw form body or a
// return_url query, runs the gateway's own pipeline on it (processNotification: the same answer
// the Worker gives), and prints one JSON object with the exact content that was checked, so a
// merchant can diff it against what their own code builds.

import {
  MAX_FORM_BYTES,
  decodeParams,
  getParam,
  loadPublicKeys,
  processNotification,
  type Advice,
  type AlipayPublicKey,
  type BusinessRules,
  type Charset,
  type ContentRule,
  type EventKind,
  type FormPair,
  type SignType,
  type VerifyOptions,
} from '../src/alipay/index';
import { latin1Decode, utf8Encode } from '../src/utils/bytes';
import { MAX_KEY_TEXT_LENGTH } from '../src/alipay/keys';
import { DEFAULTS } from '../src/config/names';
import { parseSignTypes } from '../src/config/parsers';
import { splitList } from '../src/config/values';
import { parseDuration } from '../src/utils/duration';
import { EXIT, parseCommandLine, printError, printHelp, printJson, readInput, usageError, type OptionValues } from './io';
import type { Command } from './main';
import { adviceForCli } from './advice';
import { RESPONSE_USAGE, verifyResponseCommand } from './verify-response';

const VERIFY_USAGE = `Usage: npx alipay-notify-edge verify --key FILE [--key FILE ...] [options] [--body FILE]

Checks the signature of an Alipay notification (the raw POST body) or of a return_url
query string (with or without a leading "?", or the whole URL). The body is read from
--body FILE, or from stdin when --body is absent or "-". Prints one JSON object.

Options:
  --key FILE          an Alipay public key: bare base64, PEM PUBLIC KEY, PEM RSA PUBLIC KEY,
                      or a certificate file (alipayCertPublicKey_RSA2.crt); repeat for several
  --md5-key-file FILE the legacy mapi MD5 partner key, read from FILE (enables MD5); use this
                      rather than --md5-key, which leaves the key in ps and the shell history
  --md5-key KEY       the same key on the command line
  --sign-types LIST   accepted sign types, e.g. RSA2 (default: RSA2,RSA, plus MD5 with an MD5 key)
  --body FILE         the body or query string (default: stdin)
  --app-id IDS        also check app_id (comma-separated); like the gateway, checks notify_time too
  --seller-id IDS     also check seller_id (comma-separated)
  --max-age DURATION  notify_time age limit for those checks (default ${DEFAULTS.MAX_NOTIFY_AGE})
${RESPONSE_USAGE}
  -h, --help          this help

Exit status: 0 valid, 1 not valid, 2 usage error or unreadable input.
`;

const OPTIONS = {
  key: { type: 'string', multiple: true },
  'md5-key': { type: 'string' },
  'md5-key-file': { type: 'string' },
  'sign-types': { type: 'string' },
  body: { type: 'string' },
  'app-id': { type: 'string', multiple: true },
  'seller-id': { type: 'string', multiple: true },
  'max-age': { type: 'string' },
  response: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

// The partner key is 32 characters; anything near this size is the wrong file.
const MAX_MD5_KEY_FILE_BYTES = 4096;

interface VerifyReport {
  valid: boolean;
  reason: string | null;
  hint: string | null;
  /** The sign type that verified; `claimedSignType` is what the message said. */
  signType: SignType | null;
  rule: ContentRule | null;
  charset: Charset | null;
  keyFingerprint: string | null;
  /** The exact content whose signature was checked (v1 on failure), decoded by the charset for display. */
  signContent: string | null;
  event: {
    kind: EventKind;
    key: string;
    outTradeNo: string | null;
    tradeNo: string | null;
    tradeStatus: string | null;
    totalAmount: string | null;
  } | null;
  /** Where it failed: the signature, decoding the values (charset, field formats), or the business checks. */
  stage: 'verify' | 'decode' | 'business' | null;
  claimedSignType: string | null;
}

type Setup = { ok: true; options: VerifyOptions; business: BusinessRules | null; bodyPath: string | undefined } | { ok: false; message: string };

export const verifyCommand: Command = {
  async run(args) {
    const parsed = parseCommandLine(args, OPTIONS);
    if (!parsed.ok) return usageError('verify', parsed.message);
    if (parsed.values.help) return printHelp(VERIFY_USAGE);
    if (parsed.values.response === true) return verifyResponseCommand(parsed.values, parsed.positionals);
    if (parsed.positionals.length > 0) return usageError('verify', `unexpected argument "${parsed.positionals[0]}" (the body goes in --body FILE or stdin)`);

    const setup = await prepare(parsed.values);
    if (!setup.ok) return usageError('verify', setup.message);

    // Twice the gateway's cap, so a whole return URL around a query still fits; the core refuses what the gateway would.
    const input = await readInput(setup.bodyPath, MAX_FORM_BYTES * 2, 'a notification body');
    if (!input.ok) return usageError('verify', input.message);
    const body = bodyOf(input.bytes);
    if (!body.ok) return usageError('verify', body.message);

    const report = await verifyBody(body.bytes, setup.options, setup.business);
    printJson(report);
    return report.valid ? EXIT.ok : EXIT.notValid;
  },
};

async function prepare(values: OptionValues): Promise<Setup> {
  const keyFiles = (values.key as string[] | undefined) ?? [];
  const md5KeyText = values['md5-key'] as string | undefined;
  const md5KeyFile = values['md5-key-file'] as string | undefined;
  if (md5KeyText !== undefined && md5KeyFile !== undefined) {
    return { ok: false, message: 'give --md5-key-file FILE or --md5-key KEY, not both' };
  }
  const hasMd5Key = md5KeyText !== undefined || md5KeyFile !== undefined;
  if (keyFiles.length === 0 && !hasMd5Key) {
    return { ok: false, message: 'give --key FILE (the Alipay public key, 支付宝公钥) or --md5-key-file FILE' };
  }

  let signTypes: SignType[] = hasMd5Key ? ['RSA2', 'RSA', 'MD5'] : ['RSA2', 'RSA'];
  const signTypesText = values['sign-types'] as string | undefined;
  if (signTypesText !== undefined) {
    // The gateway's own parser (ALIPAY_SIGN_TYPES), so the tool accepts exactly what the setting does.
    const problems: string[] = [];
    signTypes = parseSignTypes(signTypesText, (m) => problems.push(m));
    if (problems.length > 0) return { ok: false, message: `--sign-types: ${problems[0]}` };
  }
  if (signTypes.includes('MD5') && !hasMd5Key) return { ok: false, message: '--sign-types includes MD5: give --md5-key-file FILE (or --md5-key KEY) too' };
  const business = businessRules(values);
  if (!business.ok) return business;

  // Files last: reading them is the slow part, and option mistakes are reported first.
  const md5Key = md5KeyFile !== undefined ? await readMd5KeyFile(md5KeyFile) : { ok: true as const, text: md5KeyText };
  if (!md5Key.ok) return md5Key;
  const keys: AlipayPublicKey[] = [];
  for (const file of keyFiles) {
    const loaded = await loadKeyFile(file);
    if (!loaded.ok) return loaded;
    for (const key of loaded.keys) if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key);
  }

  if (signTypes.some((t) => t !== 'MD5') && keys.length === 0 && signTypesText !== undefined) {
    return { ok: false, message: `--sign-types ${signTypes.join(',')} needs --key FILE` };
  }

  const options: VerifyOptions = {
    keys,
    signTypes,
    ...(md5Key.text !== undefined ? { md5Key: utf8Encode(md5Key.text.trim()) } : {}),
  };
  return { ok: true, options, business: business.rules, bodyPath: values.body as string | undefined };
}

/** The key as an editor or `echo KEY > FILE` saves it: the trailing newline (and a BOM) are not part of it. */
async function readMd5KeyFile(file: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const read = await readInput(file, MAX_MD5_KEY_FILE_BYTES, 'an MD5 key file');
  if (!read.ok) return read;
  // TextDecoder drops a leading BOM; trim() the line ending.
  const text = new TextDecoder().decode(read.bytes).trim();
  if (text === '') return { ok: false, message: `${file}: empty (expected the legacy MD5 partner key)` };
  return { ok: true, text };
}

async function loadKeyFile(file: string): Promise<{ ok: true; keys: AlipayPublicKey[] } | { ok: false; message: string }> {
  const read = await readInput(file, MAX_KEY_TEXT_LENGTH, 'a key file');
  if (!read.ok) return read;
  // One file at a time: the certificate rule ("the first certificate of the file") is per file.
  const loaded = await loadPublicKeys(new TextDecoder().decode(read.bytes));
  for (const warning of loaded.warnings) printError(`warning: ${file}: ${warning}`);
  if (!loaded.ok) return { ok: false, message: loaded.problems.map((p) => `${file}: ${p}`).join('\n  ') };
  return loaded;
}

function businessRules(values: OptionValues): { ok: true; rules: BusinessRules | null } | { ok: false; message: string } {
  const appIds = ((values['app-id'] as string[] | undefined) ?? []).flatMap(splitList);
  const sellerIds = ((values['seller-id'] as string[] | undefined) ?? []).flatMap(splitList);
  const maxAgeText = values['max-age'] as string | undefined;
  if (appIds.length === 0 && sellerIds.length === 0) {
    // Signature only, unless asked: the gateway's checks need to know which app is ours.
    if (maxAgeText !== undefined) return { ok: false, message: '--max-age needs --app-id or --seller-id (the checks run together, as in the gateway)' };
    return { ok: true, rules: null };
  }
  const maxNotifyAgeMs = parseDuration(maxAgeText ?? DEFAULTS.MAX_NOTIFY_AGE);
  if (maxNotifyAgeMs === null || maxNotifyAgeMs <= 0) return { ok: false, message: `--max-age: not a duration (e.g. 72h, 30m)` };
  return { ok: true, rules: { appIds, sellerIds, maxNotifyAgeMs } };
}

// ---- input ------------------------------------------------------------------

const QUESTION = 0x3f;
const HASH = 0x23;

/**
 * What people paste: a body saved with a trailing newline, a query string with its "?", or the
 * whole return URL. None of those bytes can be part of a real form body (whitespace and "?"
 * would be percent-encoded), so removing them is safe. A byte-order mark is kept: the gateway
 * would receive it as part of the body and refuse it, so the tool says what the gateway says
 * (and points the BOM out).
 */
export function bodyOf(input: Uint8Array): { ok: true; bytes: Uint8Array } | { ok: false; message: string } {
  let start = 0;
  let end = input.length;
  while (start < end && isSpace(input[start]!)) start++;
  while (end > start && isSpace(input[end - 1]!)) end--;
  let bytes = input.subarray(start, end);
  if (bytes.length === 0) return { ok: false, message: 'the body is empty' };

  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 8)).toLowerCase();
  if (head.startsWith('http://') || head.startsWith('https://')) {
    const q = bytes.indexOf(QUESTION);
    if (q < 0) return { ok: false, message: 'the URL has no query string to verify' };
    bytes = bytes.subarray(q + 1);
    const h = bytes.indexOf(HASH);
    if (h >= 0) bytes = bytes.subarray(0, h);
  } else if (bytes[0] === QUESTION) {
    bytes = bytes.subarray(1);
  }
  return { ok: true, bytes };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

// ---- the check ----------------------------------------------------------------

// Signature only (and field formats) unless --app-id/--seller-id ask for the business checks.
const NO_BUSINESS_RULES: BusinessRules = { appIds: [], sellerIds: [], maxNotifyAgeMs: 0 };

function startsWithBom(body: Uint8Array): boolean {
  return body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
}

const BOM_HINT =
  'The body starts with a UTF-8 byte-order mark (EF BB BF), which no Alipay body has: the file was saved with a BOM ' +
  '(Notepad does this). The gateway refuses such a body too; save the file without a BOM to check the notification itself.';

async function verifyBody(body: Uint8Array, options: VerifyOptions, business: BusinessRules | null): Promise<VerifyReport> {
  const result = await processNotification(body, { ...options, ...(business ?? NO_BUSINESS_RULES) }, Date.now(), { business: business !== null });
  if (result.ok) {
    const { verified, notification: n, event } = result;
    return report({
      valid: true,
      signType: verified.signType,
      claimedSignType: claimedOf(verified.pairs),
      rule: verified.rule,
      keyFingerprint: verified.keyFingerprint,
      charset: result.charset,
      signContent: forDisplay(verified.signContent, result.charset),
      event: { kind: event.kind, key: event.key, outTradeNo: n.outTradeNo, tradeNo: n.tradeNo, tradeStatus: n.tradeStatus, totalAmount: n.totalAmount },
    });
  }
  const hint = [hintForCli(result.hint, result.stage === 'decode' ? undefined : result.advice), startsWithBom(body) ? BOM_HINT : ''].join(' ').trim();
  if (result.stage === 'verify') {
    const { failure } = result;
    const charset = failure.pairs ? charsetOf(failure.pairs) : null;
    return report({
      stage: 'verify',
      reason: result.reason,
      hint,
      claimedSignType: failure.claimedSignType ?? null,
      charset,
      signContent: failure.pairs && failure.signContent ? forDisplay(failure.signContent, charset) : null,
    });
  }
  const { verified } = result;
  const charset = charsetOf(verified.pairs);
  return report({
    stage: result.stage,
    reason: result.reason,
    hint,
    signType: verified.signType,
    claimedSignType: claimedOf(verified.pairs),
    rule: verified.rule,
    keyFingerprint: verified.keyFingerprint,
    charset,
    signContent: forDisplay(verified.signContent, charset),
  });
}

function hintForCli(hint: string, advice: Advice | undefined): string {
  return advice === undefined ? hint : `${hint} ${adviceForCli(advice)}`;
}

/** Every field always present, in a fixed order (the documented ones first), so output diffs cleanly. */
function report(fields: Partial<VerifyReport>): VerifyReport {
  return {
    valid: fields.valid ?? false,
    reason: fields.reason ?? null,
    hint: fields.hint ?? null,
    signType: fields.signType ?? null,
    rule: fields.rule ?? null,
    charset: fields.charset ?? null,
    keyFingerprint: fields.keyFingerprint ?? null,
    signContent: fields.signContent ?? null,
    event: fields.event ?? null,
    stage: fields.stage ?? null,
    claimedSignType: fields.claimedSignType ?? null,
  };
}

function claimedOf(pairs: FormPair[]): string | null {
  const value = getParam(pairs, 'sign_type');
  return value === undefined || value.length === 0 ? null : latin1Decode(value);
}

/** The charset the values would be decoded with, or null when they cannot be. */
function charsetOf(pairs: FormPair[]): Charset | null {
  const decoded = decodeParams(pairs);
  return decoded.ok ? decoded.charset : null;
}

// Display only: replacement characters are acceptable here, unlike when decoding for real.
function forDisplay(content: Uint8Array, charset: Charset | null): string {
  return new TextDecoder(charset ?? 'utf-8').decode(content);
}
