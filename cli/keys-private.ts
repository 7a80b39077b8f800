// `keys FILE` when FILE holds a private key: the app private key (ALIPAY_APP_PRIVATE_KEY), whose
// public half the merchant uploads to Alipay as the app public key (应用公钥). Prints that public
// half (fingerprint and base64 SPKI) and the wrangler step, never any part of the private key.

import { loadPrivateKey, publicKeyBase64, type PrivateKeyForm } from '../src/alipay/private-key';
import { hintForGateway } from '../src/config/advice';
import { EXIT, printJson } from './io';

const SECRET_NAME = 'ALIPAY_APP_PRIVATE_KEY';

export interface PrivateKeyReport {
  file: string;
  usable: boolean;
  /** Always empty: nothing in a private key file is an ALIPAY_PUBLIC_KEY (kept for the shape of `keys --json`). */
  keys: [];
  value: null;
  /** The commands that store the file as ALIPAY_APP_PRIVATE_KEY. */
  wrangler: string[];
  privateKey: {
    looksLike: string;
    form: PrivateKeyForm | null;
    bits: number | null;
    problem: string | null;
    /** The public half as bare base64 SPKI: the app public key (应用公钥) the Alipay console takes. */
    appPublicKey: string | null;
    appPublicKeyFingerprint: string | null;
  };
}

/**
 * The private-key report for `text`, or null when the text is not a (single) private key, so the
 * public-key path describes it instead.
 */
export async function privateKeyReport(file: string, text: string): Promise<PrivateKeyReport | null> {
  const loaded = await loadPrivateKey(text);
  if (loaded.material !== 'private-key') return null;
  const wrangler = loaded.ok && file !== '-' ? secretFromFileCommands(SECRET_NAME, file) : [];
  return {
    file,
    usable: loaded.ok,
    keys: [],
    value: null,
    wrangler,
    privateKey: loaded.ok
      ? {
          looksLike: loaded.looksLike,
          form: loaded.key.form,
          bits: loaded.key.modulusBits,
          problem: null,
          appPublicKey: publicKeyBase64(loaded.key),
          appPublicKeyFingerprint: loaded.key.publicFingerprint,
        }
      : // `keys` explains the Worker's settings: misplaced material is named by the setting it belongs in.
        { looksLike: loaded.looksLike, form: null, bits: null, problem: hintForGateway(loaded.problem, loaded.advice), appPublicKey: null, appPublicKeyFingerprint: null },
  };
}

export function printPrivateKeyReport(report: PrivateKeyReport, json: boolean): number {
  if (json) printJson(report);
  else process.stdout.write(privateKeyText(report));
  return report.usable ? EXIT.ok : EXIT.notValid;
}

/**
 * The commands that store a file's text as the Worker secret `name`. `< 'file'` is sh only: on
 * Windows, cmd.exe and PowerShell each get the form docs/DEPLOY.md gives, with double quotes (no
 * Windows file name holds one; PowerShell's `$` and backtick are escaped).
 */
export function secretFromFileCommands(name: string, file: string, platform: NodeJS.Platform = process.platform): string[] {
  if (platform !== 'win32') return [`npx wrangler secret put ${name} < ${shellQuote(file)}`];
  return [`type "${file}" | npx wrangler secret put ${name}`, `Get-Content -Raw "${file.replace(/[`$]/g, '`$&')}" | npx wrangler secret put ${name}`];
}

/** The shell a printed command is for, when it works in one only. */
export function withShellNote(command: string): string {
  if (command.startsWith('type ')) return `${command}   (cmd)`;
  if (command.startsWith('Get-Content ')) return `${command}   (PowerShell)`;
  return command;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function privateKeyText(report: PrivateKeyReport): string {
  const k = report.privateKey;
  const name = report.file === '-' ? 'stdin' : report.file;
  const out = [`${name} holds a private key: ${k.looksLike}. No part of it is shown here.`];
  if (k.problem !== null) {
    out.push('', `It cannot be used: ${k.problem}`);
    return `${out.join('\n')}\n`;
  }
  out.push(
    '',
    'It is an app private key (应用私钥), or in local testing the key that plays Alipay.',
    'Nothing here can be stored as ALIPAY_PUBLIC_KEY: that setting takes the Alipay public key (支付宝公钥).',
    '',
    'Its public half, the app public key (应用公钥):',
    `   SHA-256 fingerprint ${k.appPublicKeyFingerprint}`,
    `   ${k.appPublicKey}`,
    'That value is what the Alipay open platform console takes as the app public key of your app',
    '(接口加签方式 → 公钥); Alipay checks the gateway\'s queries with it.',
  );
  if (report.wrangler.length > 0) {
    out.push('', `Store the private key as the Worker secret (it lets the gateway ask Alipay about unpaid orders):`, ...report.wrangler.map((c) => `  ${withShellNote(c)}`));
  } else {
    out.push('', `Store it as the Worker secret with \`npx wrangler secret put ${SECRET_NAME}\`, pasting it when asked.`);
  }
  return `${out.join('\n')}\n`;
}
