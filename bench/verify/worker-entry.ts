// Runs INSIDE workerd for bench:verify's workerd section. workerd freezes the clocks while a
// request runs (a Spectre mitigation), so nothing is timed here: each request repeats one kind
// of verification `n` times and Node measures the requests from outside (workerd's CPU time).

import { signContentBufferSize, signContentInto } from '../../src/alipay/content';
import { loadPublicKeys, verifyForm, type VerifyOptions } from '../../src/alipay/index';
import { verifyKeyFor } from '../../src/alipay/key-cache';
import { MAX_FORM_BYTES, parseForm } from '../../src/alipay/parse';
import { measureSignature, startVerify } from '../../src/alipay/subtle-verify';
import type { FormPair, ParsedForm } from '../../src/alipay/types';
import { base64Decode } from '../../src/utils/base64';

interface Fixture {
  body: Uint8Array;
  options: Record<'one' | 'ten', VerifyOptions>;
  cryptoKey: CryptoKey;
  signature: Uint8Array;
  content: Uint8Array;
  hostile: Uint8Array[];
}

/** What Node posts once before timing: everything as base64 or text. */
interface FixtureText {
  body: string;
  key: string;
  /** `key` and nine more (whitespace-separated), for the 10-key configuration. */
  tenKeys: string;
  signature: string;
  content: string;
  hostile: string[];
}

const RSA2 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
let fixture: Fixture | undefined;
const CONTENT_BUFFER = new Uint8Array(signContentBufferSize(MAX_FORM_BYTES));

/**
 * The core path rebuilt step by step from the core's own functions, each step ending in a verify
 * (`step` 1..4), so that each step's cost is read inside the pipeline, as verifyForm pays it:
 * 1 parseForm, then the bare verify; 2 + the v1 content built into a reused buffer (signContentInto),
 * verified with the signature decoded beforehand; 3 + the sign measured and decoded from the body
 * (measureSignature, then startVerify, which decodes it and builds the content itself); 4 + the
 * key looked up (verifyKeyFor). verifyForm adds the rest: finding sign and sign_type, the sign
 * type and certificate checks, the result object, its async function.
 */
async function stepwise(f: Fixture, step: number): Promise<boolean> {
  const parsed = parseForm(f.body);
  if (!parsed.ok) return false;
  if (step === 1) return crypto.subtle.verify(RSA2, f.cryptoKey, f.signature, f.content);
  if (step === 2) return crypto.subtle.verify(RSA2, f.cryptoKey, f.signature, signContentInto(parsed.sorted, 'v1', undefined, CONTENT_BUFFER));
  const signPair = signPairOf(parsed);
  if (signPair === undefined || typeof measureSignature(signPair) !== 'number') return false;
  const key = step === 3 ? f.cryptoKey : verifyKeyFor(f.options.one.keys[0]!, 'SHA-256');
  return startVerify(key instanceof Promise ? await key : key, signPair, undefined, parsed, 'v1', 'RSA2');
}

function signPairOf(form: ParsedForm): FormPair | undefined {
  for (const p of form.pairs) if (p.key === 'sign') return p;
  return undefined;
}

async function setUp(text: FixtureText): Promise<Response> {
  const one = await loadPublicKeys(text.key);
  const ten = await loadPublicKeys(text.tenKeys);
  if (!one.ok || !ten.ok) return new Response([...(one.ok ? [] : one.problems), ...(ten.ok ? [] : ten.problems)].join('; '), { status: 400 });
  fixture = {
    body: base64Decode(text.body)!,
    options: { one: { keys: one.keys, signTypes: ['RSA2'] }, ten: { keys: ten.keys, signTypes: ['RSA2', 'RSA'] } },
    cryptoKey: await crypto.subtle.importKey('spki', one.keys[0]!.spki, RSA2, false, ['verify']),
    signature: base64Decode(text.signature)!,
    content: base64Decode(text.content)!,
    hostile: text.hostile.map((b) => base64Decode(b)!),
  };
  return new Response('ready');
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method === 'POST') return setUp(await request.json<FixtureText>());
    if (fixture === undefined) return new Response('not set up', { status: 409 });
    const url = new URL(request.url);
    const mode = url.searchParams.get('mode');
    const n = Number(url.searchParams.get('n') ?? '0');
    const f = fixture;
    // Counts the answers that are right: the real notification verifies, a hostile body does not.
    let right = 0;
    if (mode === 'core') {
      for (let i = 0; i < n; i++) if ((await verifyForm(f.body, f.options.one)).ok) right++;
    } else if (mode === 'step') {
      const step = Number(url.searchParams.get('step'));
      for (let i = 0; i < n; i++) if (await stepwise(f, step)) right++;
    } else if (mode === 'bare') {
      for (let i = 0; i < n; i++) if (await crypto.subtle.verify(RSA2, f.cryptoKey, f.signature, f.content)) right++;
    } else if (mode === 'hostile') {
      const options = f.options[url.searchParams.get('config') === 'ten' ? 'ten' : 'one'];
      const index = Number(url.searchParams.get('body'));
      const body = index < 0 ? f.body : f.hostile[index]!;
      for (let i = 0; i < n; i++) if ((await verifyForm(body, options)).ok === index < 0) right++;
    }
    return new Response(String(right));
  },
};
