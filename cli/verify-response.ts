// `verify --response`: does this synchronous OpenAPI answer (e.g. what alipay.trade.query or
// alipay.trade.pay returned) verify? The sign covers the exact bytes of the `…_response` value as
// they stand in the text; the report shows those bytes, so a merchant can compare them with what
// their own code checks, and says what the answer means once it is verified.

import { loadPublicKeys } from '../src/alipay/keys';
import { MAX_KEY_TEXT_LENGTH } from '../src/alipay/keys';
import { QUERY_RESPONSE_NAME, describeSaid, readQueryResponse } from '../src/alipay/query-response';
import { MAX_RESPONSE_BYTES, methodOfResponse, verifySignedResponse } from '../src/alipay/signed-response';
import type { AlipayPublicKey } from '../src/alipay/types';
import { adviceForCli } from './advice';
import { EXIT, printError, printJson, readInput, usageError, type OptionValues } from './io';

export const RESPONSE_USAGE = `  --response          the input is a synchronous OpenAPI answer ({"…_response":{…},"sign":"…"}),
                      e.g. what alipay.trade.query returned; checked with --key (no MD5 options)`;

/** Options that mean nothing for an answer: refused rather than silently ignored. */
const NOT_FOR_RESPONSES = ['md5-key', 'md5-key-file', 'sign-types', 'app-id', 'seller-id', 'max-age'] as const;

interface ResponseReport {
  valid: boolean;
  reason: string | null;
  hint: string | null;
  /** The member that is signed, e.g. alipay_trade_query_response. */
  response: string | null;
  method: string | null;
  keyFingerprint: string | null;
  alipayCertSn: string | null;
  /** The exact bytes the sign covers (UTF-8), from { to its matching }. */
  signContent: string | null;
  /** What the answer says; from an answer that did not verify, a clue only (`verified: false`). */
  answer: {
    verified: boolean;
    code: string | null;
    msg: string | null;
    subCode: string | null;
    subMsg: string | null;
    outTradeNo: string | null;
    tradeNo: string | null;
    tradeStatus: string | null;
    totalAmount: string | null;
  } | null;
  /** For a verified alipay.trade.query answer: what the gateway makes of it. */
  meaning: string | null;
  stage: 'read' | 'verify' | null;
}

export async function verifyResponseCommand(values: OptionValues, positionals: string[]): Promise<number> {
  if (positionals.length > 0) return usageError('verify', `unexpected argument "${positionals[0]}" (the answer goes in --body FILE or stdin)`);
  const misplaced = NOT_FOR_RESPONSES.find((name) => values[name] !== undefined);
  if (misplaced) return usageError('verify', `--${misplaced} is for notifications; an OpenAPI answer is checked with --key only`);
  const keyFiles = (values.key as string[] | undefined) ?? [];
  if (keyFiles.length === 0) return usageError('verify', 'give --key FILE (the Alipay public key, 支付宝公钥, or alipayCertPublicKey_RSA2.crt)');
  const keys: AlipayPublicKey[] = [];
  for (const file of keyFiles) {
    const read = await readInput(file, MAX_KEY_TEXT_LENGTH, 'a key file');
    if (!read.ok) return usageError('verify', read.message);
    const loaded = await loadPublicKeys(new TextDecoder().decode(read.bytes));
    for (const warning of loaded.warnings) printError(`warning: ${file}: ${warning}`);
    if (!loaded.ok) return usageError('verify', loaded.problems.map((p) => `${file}: ${p}`).join('\n  '));
    for (const key of loaded.keys) if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key);
  }
  const input = await readInput(values.body as string | undefined, MAX_RESPONSE_BYTES, 'an OpenAPI answer');
  if (!input.ok) return usageError('verify', input.message);
  if (new TextDecoder().decode(input.bytes).trim() === '') return usageError('verify', 'the answer is empty');

  const report = await verifyResponseBytes(input.bytes, keys);
  printJson(report);
  return report.valid ? EXIT.ok : EXIT.notValid;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

export async function verifyResponseBytes(bytes: Uint8Array, keys: readonly AlipayPublicKey[]): Promise<ResponseReport> {
  const result = await verifySignedResponse(bytes, keys);
  const value = result.ok ? result.value : result.unverified;
  const answer = value
    ? {
        verified: result.ok,
        code: text(value.code),
        msg: text(value.msg),
        subCode: text(value.sub_code),
        subMsg: text(value.sub_msg),
        outTradeNo: text(value.out_trade_no),
        tradeNo: text(value.trade_no),
        tradeStatus: text(value.trade_status),
        totalAmount: text(value.total_amount),
      }
    : null;
  const signContent = result.signedBytes ? new TextDecoder().decode(result.signedBytes) : null;
  const name = result.name ?? null;
  const common = {
    response: name,
    method: name ? methodOfResponse(name) : null,
    alipayCertSn: result.alipayCertSn ?? null,
    signContent,
    answer,
  };
  if (!result.ok) {
    const hint = result.advice ? `${result.hint} ${adviceForCli(result.advice)}` : result.hint;
    return { valid: false, reason: result.reason, hint, keyFingerprint: null, meaning: null, stage: result.signedBytes ? 'verify' : 'read', ...common };
  }
  return { valid: true, reason: null, hint: null, keyFingerprint: result.keyFingerprint, meaning: await meaningOf(bytes, keys, name!, answer), stage: null, ...common };
}

/** What a verified query answer means to the gateway: the same reading the reconciliation uses. */
async function meaningOf(bytes: Uint8Array, keys: readonly AlipayPublicKey[], name: string, answer: ResponseReport['answer']): Promise<string | null> {
  if (name !== QUERY_RESPONSE_NAME || !answer) return null;
  const asked = answer.outTradeNo ? { outTradeNo: answer.outTradeNo } : answer.tradeNo ? { tradeNo: answer.tradeNo } : null;
  if (asked === null) return 'an answer that names no trade';
  const read = await readQueryResponse(bytes, keys, asked);
  if (read.ok && read.status === 'not-found') return 'Alipay has no such trade: not paid yet (not an error)';
  if (read.ok) return `${read.trade.tradeStatus}: ${read.trade.paid ? `paid, total_amount ${read.trade.totalAmount}` : 'not paid'}`;
  return read.alipay ? `an error answer: ${describeSaid(read.alipay)} (${read.hint})` : read.hint;
}
