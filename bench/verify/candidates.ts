// The things bench:verify times, built from the shared vectors. Each one is proven correct
// first (valid on the vector, invalid on a tampered copy): a fast verifier that says "no" to
// everything, or "yes" to everything, would otherwise win the benchmark.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AlipaySdk } from 'alipay-sdk';
import { buildSignContent, getParam, loadPublicKeys, parseForm, verifyForm, type AlipayPublicKey, type FormPair, type VerifyOptions } from '../../src/alipay/index';
import { base64DecodeBytes } from '../../src/utils/base64';
import { utf8Encode } from '../../src/utils/bytes';
import { formBodyOf as encodeForm } from '../../test/support/form';
import type { Candidate } from './harness';
import type { WorkerdInput } from './workerd';

const VECTORS = new URL('../../test/fixtures/vectors/', import.meta.url);
export const REAL_VECTOR = 'node_yuque_trade_notify_rsa2_v1.json';
export const GBK_VECTOR = 'synthetic_gbk_notify_rsa2_v1.json';

interface Vector {
  id: string;
  params?: Record<string, string>;
  raw_body?: string;
  alipay_public_key: string;
  expected_sign_content?: string;
}

function readVector(file: string): Vector {
  return JSON.parse(readFileSync(fileURLToPath(new URL(file, VECTORS)), 'utf8')) as Vector;
}

/** Raw bodies in the vectors are ASCII (values are percent-encoded): one char per byte. */
function asciiBytes(text: string): Uint8Array {
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  if (bytes.some((b, i) => b !== text.charCodeAt(i))) throw new Error('raw_body is not ASCII');
  return bytes;
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`tamper target "${from}" not found`);
  return text.replace(from, to);
}

function check(label: string, what: string, actual: boolean, expected: boolean): void {
  if (actual !== expected) throw new Error(`correctness: ${label} says ${actual} on ${what}, expected ${expected}`);
}

async function loadKeys(vector: Vector): Promise<AlipayPublicKey[]> {
  const loaded = await loadPublicKeys(vector.alipay_public_key);
  if (!loaded.ok) throw new Error(`${vector.id}: key does not load: ${loaded.problems.join('; ')}`);
  return loaded.keys;
}

export interface Fixtures {
  readonly candidates: Candidate[];
  /** Sync pieces of the core path, timed alone in a tight loop (hot caches). */
  readonly pieces: Candidate[];
  /** The core path rebuilt step by step, for the op-by-op run: where (a) spends its time beyond (b). */
  readonly steps: Candidate[];
  readonly description: string[];
  /** The same notification for the workerd section. */
  readonly workerdInput: WorkerdInput;
}

export async function buildFixtures(): Promise<Fixtures> {
  const real = readVector(REAL_VECTOR);
  const params = real.params!;
  const body = encodeForm(params);
  const tamperedParams = { ...params, total_amount: '0.11' };
  const tamperedBody = encodeForm(tamperedParams);

  // (a) the full core path, keys loaded once beforehand as the gateway does at isolate start.
  const options: VerifyOptions = { keys: await loadKeys(real), signTypes: ['RSA2'] };
  const core = async (b: Uint8Array): Promise<boolean> => (await verifyForm(b, options)).ok;
  const first = await verifyForm(body, options);
  if (!first.ok || first.signType !== 'RSA2' || first.rule !== 'v1') throw new Error(`correctness: core path on ${real.id}: ${JSON.stringify(first)}`);
  const expectedContent = utf8Encode(real.expected_sign_content!);
  if (Buffer.compare(first.signContent, expectedContent) !== 0) throw new Error('correctness: core sign content differs from expected_sign_content');
  check('core path', 'tampered copy', await core(tamperedBody), false);

  // (b) the physical limit: the content the core verified, a key imported once, the signature decoded once.
  const rsa2 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
  const cryptoKey = await crypto.subtle.importKey('spki', options.keys[0]!.spki, rsa2, false, ['verify']);
  const signature = new Uint8Array(Buffer.from(params.sign!, 'base64'));
  const tamperedContent = utf8Encode(replaceOnce(real.expected_sign_content!, 'total_amount=0.10', 'total_amount=0.11'));
  const bare = (content: Uint8Array): Promise<boolean> => crypto.subtle.verify(rsa2, cryptoKey, signature, content);
  check('bare subtle.verify', real.id, await bare(expectedContent), true);
  check('bare subtle.verify', 'tampered copy', await bare(tamperedContent), false);

  // (c) the official SDK. It needs a private key to construct; a throwaway one is made here.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const sdk = new AlipaySdk({ appId: '2021000000000001', privateKey, keyType: 'PKCS8', alipayPublicKey: real.alipay_public_key });
  check('alipay-sdk checkNotifySignV2', real.id, sdk.checkNotifySignV2(params), true);
  check('alipay-sdk checkNotifySignV2', 'tampered copy', sdk.checkNotifySignV2(tamperedParams), false);
  // What an app pays in full: its framework parses the body into an object before the SDK sees it.
  const utf8 = new TextDecoder();
  const sdkWithParse = (b: Uint8Array): boolean => sdk.checkNotifySignV2(Object.fromEntries(new URLSearchParams(utf8.decode(b))));
  check('alipay-sdk + URLSearchParams', real.id, sdkWithParse(body), true);
  check('alipay-sdk + URLSearchParams', 'tampered copy', sdkWithParse(tamperedBody), false);

  // (d) the same core path on the synthetic GBK notification (raw wire bytes, many %XX escapes).
  const gbk = readVector(GBK_VECTOR);
  const gbkBody = asciiBytes(gbk.raw_body!);
  const gbkOptions: VerifyOptions = { keys: await loadKeys(gbk), signTypes: ['RSA2'] };
  const gbkCore = async (b: Uint8Array): Promise<boolean> => (await verifyForm(b, gbkOptions)).ok;
  check('core path', gbk.id, await gbkCore(gbkBody), true);
  check('core path', `tampered ${gbk.id}`, await gbkCore(asciiBytes(replaceOnce(gbk.raw_body!, 'total_amount=1.00', 'total_amount=1.01'))), false);

  const candidates: Candidate[] = [
    { id: 'a-seq', label: '(a) core verifyForm: parse+content+verify', mode: 'sequential', op: () => core(body) },
    { id: 'a-conc', label: '(a) core verifyForm: parse+content+verify', mode: 'concurrent', op: () => core(body) },
    { id: 'b-seq', label: '(b) bare crypto.subtle.verify (limit)', mode: 'sequential', op: () => bare(expectedContent) },
    { id: 'b-conc', label: '(b) bare crypto.subtle.verify (limit)', mode: 'concurrent', op: () => bare(expectedContent) },
    { id: 'c', label: '(c) alipay-sdk checkNotifySignV2(params)', mode: 'sync', op: () => sdk.checkNotifySignV2(params) },
    { id: 'c-parse', label: '(c+) alipay-sdk incl. body parse (info)', mode: 'sync', op: () => sdkWithParse(body) },
    { id: 'd-seq', label: '(d) core verifyForm, GBK vector (info)', mode: 'sequential', op: () => gbkCore(gbkBody) },
    { id: 'd-conc', label: '(d) core verifyForm, GBK vector (info)', mode: 'concurrent', op: () => gbkCore(gbkBody) },
  ];

  const pairs: FormPair[] = (parseForm(body) as { pairs: FormPair[] }).pairs;
  const signBytes = getParam(pairs, 'sign')!;
  const pieces: Candidate[] = [
    { id: 'parse', label: 'parseForm(body)', mode: 'sync', op: () => parseForm(body).ok },
    { id: 'content', label: "buildSignContent(pairs, 'v1')", mode: 'sync', op: () => buildSignContent(pairs, 'v1').length > 0 },
    { id: 'base64', label: 'base64DecodeBytes(sign)', mode: 'sync', op: () => base64DecodeBytes(signBytes) !== null },
  ];

  // The core path rebuilt step by step from its public functions, each step ending in the same
  // verify: timed op by op next to (a) and (b), the differences say what each step really costs
  // inside the pipeline (caches cooled by the verify in between), not in a tight loop.
  const parseThenBare = async (): Promise<boolean> => parseForm(body).ok && bare(expectedContent);
  const stepwise = async (): Promise<boolean> => {
    const parsed = parseForm(body);
    if (!parsed.ok) return false;
    const content = buildSignContent(parsed.pairs, 'v1');
    const sig = base64DecodeBytes(getParam(parsed.pairs, 'sign')!);
    return sig !== null && crypto.subtle.verify(rsa2, cryptoKey, sig, content);
  };
  check('parse, then bare verify', real.id, await parseThenBare(), true);
  check('parse + content + base64, then verify', real.id, await stepwise(), true);
  const steps: Candidate[] = [
    { id: 'step-parse', label: 'parseForm, then (b)', mode: 'sequential', op: parseThenBare },
    { id: 'step-content', label: 'parseForm + buildSignContent + base64, then verify', mode: 'sequential', op: stepwise },
  ];

  const description = [
    `vector (a)(b)(c): ${real.id}: real Alipay RSA2 signature, ${body.length}-byte UTF-8 form body (test/support/form.ts), ` +
      `${pairs.length} params, v1 content ${expectedContent.length} bytes, ${options.keys[0]!.modulusBits}-bit key`,
    `vector (d): ${gbk.id}: synthetic, ${gbkBody.length}-byte GBK raw_body`,
    'correctness: every candidate says valid on its vector and not valid on a tampered copy (total_amount changed): ok',
  ];
  const workerdInput: WorkerdInput = { body, key: real.alipay_public_key, signature, content: expectedContent };
  return { candidates, pieces, steps, description, workerdInput };
}
