// The local development configuration `npm start` needs on a fresh clone: when a directory has
// no .dev.vars, write one with throwaway values, and the Alipay key pair that goes with it
// (dev-keys/, git-ignored like .dev.vars). The private key plays Alipay for
// `npx alipay-notify-edge simulate`; the public key is the gateway's ALIPAY_PUBLIC_KEY.
// A second pair is the app's own: its private key is ALIPAY_APP_PRIVATE_KEY (the gateway signs its
// queries to the local Alipay stand-in with it), its public key is what the stand-in checks them with.
// The local trial also accepts legacy MD5 (`simulate --mapi`), with a generated partner key and
// the dev partner id as ALIPAY_SELLER_ID, since that is the interface many old ASP sites are on.
// An existing .dev.vars is the user's: it is read, never rewritten (md5TrialAdvice says what one
// written before MD5 was part of the trial lacks).

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base64Encode } from '../src/utils/base64';
import { toPem } from '../src/alipay/pem';
import { newForwardSecret } from './secret';
import { splitList } from '../src/config/values';

export const DEV_VARS_FILE = '.dev.vars';
export const DEV_KEYS_DIR = 'dev-keys';
export const DEV_PRIVATE_KEY_FILE = join(DEV_KEYS_DIR, 'alipay-dev-private.pem');
export const DEV_PUBLIC_KEY_FILE = join(DEV_KEYS_DIR, 'alipay-dev-public.pem');
export const DEV_APP_PRIVATE_KEY_FILE = join(DEV_KEYS_DIR, 'app-dev-private.pem');
export const DEV_APP_PUBLIC_KEY_FILE = join(DEV_KEYS_DIR, 'app-dev-public.pem');
export const DEV_APP_ID = '2021000000000000';
export const DEV_SELLER_ID = '2088000000000000';
export const DEV_GATEWAY_PORT = 8787;
export const DEV_ORIGIN_PORT = 8788;
/** The local stand-in for Alipay's OpenAPI gateway (cli/alipay-standin.ts). */
export const DEV_STANDIN_PORT = 8789;
/** Short, so a failing origin shows the whole retry story within minutes while playing locally. */
const DEV_RETRY_SCHEDULE = '5s,30s,2m';
/** Short, so a payment whose notification never came is found within seconds in a local trial. */
const DEV_RECONCILE_SCHEDULE = '2s,5s,10s,30s';
/** RSA2 as Alipay signs today, and MD5 for the legacy mapi interface (ALIPAY_MD5_KEY). */
const DEV_SIGN_TYPES = 'RSA2,MD5';
const MAX_DEV_VARS_BYTES = 256 * 1024;

export interface DevVarsOptions {
  /** Port of the demo origin that ORIGIN_URL points at. Default 8788. */
  originPort?: number;
  /** Port of the Alipay stand-in that ALIPAY_GATEWAY_URL points at. Default 8789. */
  standInPort?: number;
}

export interface DevVarsOutcome {
  /** false: the file was already there and was left as it is. */
  created: boolean;
  path: string;
  vars: Record<string, string>;
}

/**
 * wrangler's reading of .dev.vars: dotenv's `parse`, which wrangler bundles, line for line.
 * `NAME=value` (or `export NAME=value`), `#` comments (also after a closing quote), values in
 * '…', "…" or `…` that may span lines, \n and \r escapes inside double quotes only.
 */
const DOTENV_LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

/** One setting in .dev.vars, and where its `NAME=value` stands in the text (line breaks as \n). */
export interface DevVarsEntry {
  name: string;
  value: string;
  /** From the name (or `export`) to the end of the value: an inline comment after it is not included. */
  start: number;
  end: number;
}

/** The entries of a .dev.vars text, in order; positions are in `normalizeLineBreaks(text)`. */
export function devVarsEntries(text: string): DevVarsEntry[] {
  const src = normalizeLineBreaks(text);
  const entries: DevVarsEntry[] = [];
  for (const match of src.matchAll(DOTENV_LINE)) {
    const raw = match[2];
    const start = match.index + /^\s*/.exec(match[0])![0].length;
    const lineEnd = src.indexOf('\n', start);
    const end = raw === undefined ? (lineEnd === -1 ? src.length : lineEnd) : match.indices![2]![0] + raw.trimEnd().length;
    entries.push({ name: match[1]!, value: dotenvValue(raw ?? ''), start, end });
  }
  return entries;
}

export function normalizeLineBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** dotenv: trimmed, one pair of surrounding quotes removed, \n and \r turned back inside double quotes. */
function dotenvValue(raw: string): string {
  let value = raw.trim();
  const quote = value[0];
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
  if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return value;
}

/** .dev.vars -> settings, as wrangler reads them (a later line for the same name wins). */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const entry of devVarsEntries(text)) vars[entry.name] = entry.value;
  return vars;
}

/** The settings in `dir`/.dev.vars, or null when there is no such file. */
export async function readDevVars(dir: string): Promise<Record<string, string> | null> {
  let text: string;
  try {
    const bytes = await readFile(join(dir, DEV_VARS_FILE));
    if (bytes.length > MAX_DEV_VARS_BYTES) return null;
    text = bytes.toString('utf8');
  } catch {
    return null;
  }
  return parseDevVars(text);
}

/** Generates `dir`/.dev.vars (and the key pair in `dir`/dev-keys/) unless .dev.vars exists. */
export async function ensureDevVars(dir: string, options: DevVarsOptions = {}): Promise<DevVarsOutcome> {
  const path = join(dir, DEV_VARS_FILE);
  const existing = await readDevVars(dir);
  if (existing !== null) return { created: false, path, vars: existing };

  const alipayPair = await writeDevKeyPair(dir, DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_KEY_FILE);
  const appPair = await writeDevKeyPair(dir, DEV_APP_PRIVATE_KEY_FILE, DEV_APP_PUBLIC_KEY_FILE);
  const vars: Record<string, string> = {
    ALIPAY_PUBLIC_KEY: alipayPair.publicKeyBase64,
    ALIPAY_APP_ID: DEV_APP_ID,
    ALIPAY_SELLER_ID: DEV_SELLER_ID,
    FORWARD_SECRET: newForwardSecret(),
    ORIGIN_URL: `http://127.0.0.1:${options.originPort ?? DEV_ORIGIN_PORT}/alipay/notify`,
    ADMIN_TOKEN: randomToken(24),
    // The buyer's live status (/alipay/status), readable from the demo origin's pages.
    STATUS_SECRET: randomToken(32),
    STATUS_ALLOWED_ORIGINS: `http://127.0.0.1:${options.originPort ?? DEV_ORIGIN_PORT}, http://localhost:${options.originPort ?? DEV_ORIGIN_PORT}`,
    RETRY_SCHEDULE: DEV_RETRY_SCHEDULE,
    // Bare base64 PKCS#8, one line: the form Alipay's key tool shows an app private key in.
    ALIPAY_APP_PRIVATE_KEY: appPair.privateKeyBase64,
    ALIPAY_GATEWAY_URL: `http://127.0.0.1:${options.standInPort ?? DEV_STANDIN_PORT}/gateway.do`,
    RECONCILE_SCHEDULE: DEV_RECONCILE_SCHEDULE,
    // Legacy mapi notifications (`simulate --mapi`) are signed with the partner key; RSA2 stays first.
    ALIPAY_SIGN_TYPES: DEV_SIGN_TYPES,
    ALIPAY_MD5_KEY: randomMd5Key(),
  };
  try {
    // 'wx': if another process created .dev.vars meanwhile, theirs wins and is not overwritten.
    await writeFile(path, devVarsText(vars), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { created: false, path, vars: (await readDevVars(dir)) ?? {} };
  }
  return { created: true, path, vars };
}

/**
 * What a .dev.vars lacks for `simulate --mapi` (legacy MD5) against the local gateway, as one line
 * for `npm start`; null when MD5 is on. Files written before the trial accepted MD5 lack both
 * settings, and are never rewritten, so the person is told what to add.
 */
export function md5TrialAdvice(vars: Record<string, string>): string | null {
  const accepted = splitList((vars.ALIPAY_SIGN_TYPES ?? '').toUpperCase()).includes('MD5');
  if (accepted && vars.ALIPAY_MD5_KEY) return null;
  return (
    `.dev.vars does not accept legacy MD5 (${accepted ? 'no ALIPAY_MD5_KEY' : 'MD5 is not in ALIPAY_SIGN_TYPES'}), so \`simulate --mapi\` will be refused. ` +
    `To turn it on, add ALIPAY_SIGN_TYPES="${DEV_SIGN_TYPES}" and ALIPAY_MD5_KEY="<any 32 ASCII letters and digits>" to .dev.vars, ` +
    'or delete .dev.vars and dev-keys/ for fresh development values (which include both); then restart `npm start`'
  );
}

/** A throwaway partner key in the shape the gateway requires of ALIPAY_MD5_KEY: 32 ASCII letters and digits. */
function randomMd5Key(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  // 252 is the largest multiple of 36 below 256: rejecting the rest keeps every character equally likely.
  let key = '';
  while (key.length < 32) {
    for (const b of crypto.getRandomValues(new Uint8Array(64))) if (b < 252 && key.length < 32) key += alphabet[b % 36];
  }
  return key;
}

/** base64url of `bytes` random bytes: a token that survives .dev.vars quoting and URLs. */
function randomToken(bytes: number): string {
  return base64Encode(crypto.getRandomValues(new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh RSA-2048 pair (WebCrypto): private PKCS#8 PEM (mode 0600) and public SPKI PEM. */
async function writeDevKeyPair(dir: string, privateFile: string, publicFile: string): Promise<{ publicKeyBase64: string; privateKeyBase64: string }> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer);

  await mkdir(join(dir, DEV_KEYS_DIR), { recursive: true, mode: 0o700 });
  const privatePath = join(dir, privateFile);
  await writeFile(privatePath, toPem('PRIVATE KEY', pkcs8), { mode: 0o600 });
  // The mode option applies only when the file is created; a left-over key file keeps its old mode.
  await chmod(privatePath, 0o600);
  await writeFile(join(dir, publicFile), toPem('PUBLIC KEY', spki));
  return { publicKeyBase64: base64Encode(spki), privateKeyBase64: base64Encode(pkcs8) };
}

function devVarsText(vars: Record<string, string>): string {
  const lines = Object.entries(vars).map(([name, value]) => `${name}="${value}"`);
  return [
    '# Local development settings for `npm start` (wrangler dev reads this file; it is git-ignored).',
    `# Generated ${new Date().toISOString()} with THROWAWAY values for this machine only: the key`,
    `# pairs in ${DEV_KEYS_DIR}/ are not Alipay's. \`npx alipay-notify-edge simulate\` signs with alipay-dev-private.pem;`,
    '# ALIPAY_APP_PRIVATE_KEY (app-dev-private.pem) signs queries to the local Alipay stand-in (ALIPAY_GATEWAY_URL).',
    '# ALIPAY_MD5_KEY is a throwaway legacy partner key: `simulate --mapi` signs with it (never your real one).',
    '# Never deploy these values. Delete this file and dev-keys/ to generate fresh ones.',
    ...lines,
    '# To see refunds and closed trades at the demo origin too:',
    '# FORWARD_EVENTS="all"',
    '',
  ].join('\n');
}
