// Runs INSIDE workerd for bench:verify's workerd section. workerd freezes the clocks while a
// request runs (a Spectre mitigation), so nothing is timed here: each request repeats one kind
// of verification `n` times and Node times the requests from outside.

import { loadPublicKeys, verifyForm, type VerifyOptions } from '../../src/alipay/index';
import { base64Decode } from '../../src/utils/base64';

interface Fixture {
  body: Uint8Array;
  options: VerifyOptions;
  cryptoKey: CryptoKey;
  signature: Uint8Array;
  content: Uint8Array;
}

/** What Node posts once before timing: everything as base64 or text. */
interface FixtureText {
  body: string;
  key: string;
  signature: string;
  content: string;
}

const RSA2 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
let fixture: Fixture | undefined;

async function setUp(text: FixtureText): Promise<Response> {
  const loaded = await loadPublicKeys(text.key);
  if (!loaded.ok) return new Response(loaded.problems.join('; '), { status: 400 });
  const key = loaded.keys[0]!;
  fixture = {
    body: base64Decode(text.body)!,
    options: { keys: loaded.keys, signTypes: ['RSA2'] },
    cryptoKey: await crypto.subtle.importKey('spki', key.spki, RSA2, false, ['verify']),
    signature: base64Decode(text.signature)!,
    content: base64Decode(text.content)!,
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
    let valid = 0;
    for (let i = 0; i < n; i++) {
      const ok = mode === 'core' ? (await verifyForm(f.body, f.options)).ok : await crypto.subtle.verify(RSA2, f.cryptoKey, f.signature, f.content);
      if (ok) valid++;
    }
    return new Response(String(valid));
  },
};
