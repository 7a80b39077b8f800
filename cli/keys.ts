// `keys FILE`: what is in this file, and is it the key the gateway needs? Merchants paste the
// wrong thing more often than anything else (their app's own key, a private key, the root
// bundle), so this names what each piece looks like and prints the exact value to set.

import { describeKeyText, type KeyDescription } from '../src/alipay/index';
import { WANT } from '../src/alipay/key-advice';
import { MAX_KEY_TEXT_LENGTH } from '../src/alipay/keys';
import { EXIT, parseCommandLine, printHelp, printJson, readInput, usageError } from './io';
import { printPrivateKeyReport, privateKeyReport, secretFromFileCommands, withShellNote } from './keys-private';
import type { Command } from './main';

const KEYS_USAGE = `Usage: npx alipay-notify-edge keys FILE [--json]

Says what FILE holds (a public key, a certificate, a private key by mistake, ...), the SHA-256
fingerprint of each usable key, and the value to store as the ALIPAY_PUBLIC_KEY secret.
For your app private key (ALIPAY_APP_PRIVATE_KEY) it prints the matching app public key
(应用公钥) and its fingerprint instead, never the private key itself.
FILE may be "-" for stdin.

Options:
  --json      print one JSON object instead of text
  -h, --help  this help

A legacy MD5 partner key (合作伙伴密钥) is named as such, with the ALIPAY_MD5_KEY step; never printed.

Exit status: 0 usable keys only (an MD5 partner key counts: it is usable as ALIPAY_MD5_KEY),
1 something in the file cannot be used, 2 usage error or unreadable file.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SECRET_NAME = 'ALIPAY_PUBLIC_KEY';

interface KeysReport {
  file: string;
  /** True when every piece is usable (or an ignored chain certificate) and there is at least one key. */
  usable: boolean;
  keys: KeyDescription[];
  /** Bare base64 SPKI of every usable key, space-separated: the ALIPAY_PUBLIC_KEY value. */
  value: string | null;
  /** The commands that store `value` (or the file itself) as the Worker secret. */
  wrangler: string[];
  /** Set when the file holds no key material at all (empty, or plain text): the whole verdict, one line. */
  problem: string | null;
  /** The Worker secret the file is for: ALIPAY_PUBLIC_KEY, or ALIPAY_MD5_KEY for a legacy partner key. */
  secret: typeof SECRET_NAME | typeof MD5_SECRET_NAME;
}

const MD5_SECRET_NAME = 'ALIPAY_MD5_KEY';
/** How the core names a legacy partner key (src/alipay/key-material.ts). */
const MD5_KEY_LOOKS_LIKE = /^a legacy MD5 partner key/;

/** What the core calls a word of text that is not key material (src/alipay/key-material.ts, key-identify.ts). */
const NOT_KEY_MATERIAL = [/^text that is neither base64 nor PEM$/, /^broken base64$/, /^base64 that decodes to \d+ bytes which are not a key or certificate$/];
/** A base64 run this long may be a key cut off or damaged while pasting: worth a piece-by-piece report. */
const KEY_LIKE_RUN = /[A-Za-z0-9+/]{40,}/;

/**
 * Empty, or plain text: no PEM block, no base64 run long enough to be (part of) a key, and every
 * piece only a word that is not key material (a misplaced secret or id keeps its own explanation).
 */
function noKeyMaterial(text: string, keys: KeyDescription[]): string | null {
  if (keys.length === 0) return `no key here: the file is empty. ${WANT}`;
  const onlyWords = keys.every((k) => k.source.startsWith('base64 value') && NOT_KEY_MATERIAL.some((p) => p.test(k.looksLike)));
  if (!onlyWords || KEY_LIKE_RUN.test(text)) return null;
  const words = `${keys.length} word${keys.length === 1 ? '' : 's'}`;
  return `no key here: plain text (${words}), with no PEM block (-----BEGIN …) and no base64 key value. ${WANT}`;
}

export const keysCommand: Command = {
  async run(args) {
    const parsed = parseCommandLine(args, OPTIONS);
    if (!parsed.ok) return usageError('keys', parsed.message);
    if (parsed.values.help) return printHelp(KEYS_USAGE);
    if (parsed.positionals.length !== 1) return usageError('keys', 'give exactly one FILE');
    const file = parsed.positionals[0]!;

    const read = await readInput(file, MAX_KEY_TEXT_LENGTH, 'a key file');
    if (!read.ok) return usageError('keys', read.message);
    const text = new TextDecoder().decode(read.bytes);
    // A private key: the app private key (ALIPAY_APP_PRIVATE_KEY) and the app public key it implies.
    const privateReport = await privateKeyReport(file, text);
    if (privateReport !== null) return printPrivateKeyReport(privateReport, parsed.values.json === true);
    const report = keysReport(file, text, await describeKeyText(text));

    if (parsed.values.json) printJson(report);
    else process.stdout.write(keysText(report));
    return report.usable ? EXIT.ok : EXIT.notValid;
  },
};

function keysReport(file: string, text: string, keys: KeyDescription[]): KeysReport {
  const problem = noKeyMaterial(text, keys);
  if (problem !== null) return { file, usable: false, keys: [], value: null, wrangler: [], problem, secret: SECRET_NAME };
  // The partner key alone is not a mistake: it is the right key for a legacy MD5 site, stored as
  // ALIPAY_MD5_KEY from the file, so the key itself is never printed (value stays null).
  if (keys.length === 1 && MD5_KEY_LOOKS_LIKE.test(keys[0]!.looksLike)) {
    return { file, usable: true, keys: keys.map((k) => ({ ...k, problem: null })), value: null, wrangler: file === '-' ? [] : secretFromFileCommands(MD5_SECRET_NAME, file), problem: null, secret: MD5_SECRET_NAME };
  }
  const normalized = [...new Set(keys.flatMap((k) => (k.normalized ? [k.normalized] : [])))];
  const usable = normalized.length > 0 && keys.every((k) => k.problem === null);
  const value = normalized.length > 0 ? normalized.join(' ') : null;
  const wrangler: string[] = [];
  if (value !== null && usable) {
    // cmd.exe would keep single quotes as part of the value; base64 and spaces need none there or in PowerShell.
    wrangler.push(process.platform === 'win32' ? `echo ${value} | npx wrangler secret put ${SECRET_NAME}` : `echo '${value}' | npx wrangler secret put ${SECRET_NAME}`);
    // Certificate mode: the file itself also works (the first certificate's key is used).
    if (file !== '-' && keys.some((k) => k.certificate !== null && !k.ignored)) {
      wrangler.push(...secretFromFileCommands(SECRET_NAME, file));
    }
  }
  return { file, usable, keys, value, wrangler, problem: null, secret: SECRET_NAME };
}

/** A legacy partner key: what it is and the step, without repeating the core's verdict on it as a public key. */
function md5KeyText(report: KeysReport, name: string): string {
  const store =
    report.wrangler.length > 0
      ? ['Store it as the Worker secret:', ...report.wrangler.map((c) => `  ${withShellNote(c)}`)]
      : [`Store it with \`npx wrangler secret put ${MD5_SECRET_NAME}\` and paste the key when asked.`];
  return `${[
    `${name} holds a legacy MD5 partner key (合作伙伴密钥 / MD5密钥, 32 letters and digits): the key Alipay's legacy mapi interface signs notifications with. It is not the Alipay public key (ALIPAY_PUBLIC_KEY).`,
    '',
    ...store,
    `and accept MD5: MD5 in ALIPAY_SIGN_TYPES (e.g. ALIPAY_SIGN_TYPES = "RSA2,MD5" in wrangler.toml [vars]). The key is not printed here.`,
  ].join('\n')}\n`;
}

function keysText(report: KeysReport): string {
  const out: string[] = [];
  const name = report.file === '-' ? 'stdin' : report.file;
  if (report.problem !== null) return `${name}: ${report.problem}\n`;
  if (report.secret === MD5_SECRET_NAME) return md5KeyText(report, name);
  out.push(`${name} holds ${report.keys.length === 1 ? '1 piece' : `${report.keys.length} pieces`}:`);

  report.keys.forEach((k, i) => {
    out.push('', `${i + 1}. ${k.source}: ${k.looksLike}`);
    if (k.ignored) out.push('   ignored (only the first certificate of a file is used)');
    if (k.fingerprint) out.push(`   RSA-${k.bits}, SHA-256 fingerprint ${k.fingerprint}`);
    if (k.certificate) {
      const c = k.certificate;
      out.push(`   subject: ${c.subject}`, `   issuer:  ${c.issuer}`, `   serial:  ${c.serialNumber}  (Alipay cert SN ${c.sn})`);
      out.push(`   valid:   ${c.notBefore} to ${c.notAfter}`);
      if (!k.ignored && Date.parse(c.notAfter) < Date.now()) {
        out.push('   note: this certificate has expired; Alipay signs with the key of its current certificate (download it again from the console)');
      }
    }
    if (k.warning) out.push(`   warning: ${k.warning}`);
    if (k.problem) out.push(`   cannot be used: ${k.problem}`);
  });

  if (report.value !== null) {
    out.push('', `${SECRET_NAME} value (bare base64 SubjectPublicKeyInfo${report.value.includes(' ') ? ', space-separated' : ''}):`, report.value);
  }
  if (report.wrangler.length > 0) {
    if (report.keys.some((k) => k.warning)) out.push('', 'Read the warning above before you store it.');
    out.push('', 'Store it as the Worker secret:', ...report.wrangler.map((c) => `  ${withShellNote(c)}`));
    out.push(`or run \`npx wrangler secret put ${SECRET_NAME}\` and paste the value when asked.`);
  } else {
    out.push('', `Nothing here can be stored as ${SECRET_NAME} as it is: fix the problems above.`);
  }
  return `${out.join('\n')}\n`;
}
