// OpenAPI answers: the JSON scanner finds the `…_response` value's exact bytes, and the sign is
// checked over those bytes: a real alipay.trade.pay answer (gopay's test vector), and answers
// signed here with WebCrypto in layouts a re-serialising verifier would get wrong.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPublicKeys } from '../src/alipay/keys';
import { scanTopLevel } from '../src/alipay/response-scan';
import { methodOfResponse, verifySignedResponse } from '../src/alipay/signed-response';
import type { AlipayPublicKey } from '../src/alipay/types';
import { TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM, TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import { importSigningPem, signedAnswer } from './support/alipay-gateway';

interface ResponseVector {
  response_name: string;
  alipay_public_key: string;
  signed_content: string;
  sign: string;
  response_text: string;
  expected_valid: boolean;
}
const vector = Object.values(import.meta.glob('./fixtures/vectors/responses/gopay_alipay_trade_pay_response.json', { eager: true, import: 'default' }))[0] as ResponseVector;

const enc = new TextEncoder();
let alipayKeys: AlipayPublicKey[];
let signingKey: CryptoKey;

async function keysOf(text: string): Promise<AlipayPublicKey[]> {
  const loaded = await loadPublicKeys(text);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.keys;
}

beforeAll(async () => {
  alipayKeys = await keysOf(TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64);
  signingKey = await importSigningPem(TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM);
});

describe('the real alipay.trade.pay answer (go-pay/gopay TestSyncVerifySign)', () => {
  it('verifies over the value as it stands in the answer', async () => {
    const result = await verifySignedResponse(enc.encode(vector.response_text), await keysOf(vector.alipay_public_key));
    if (!result.ok) throw new Error(result.hint);
    expect(result.name).toBe(vector.response_name);
    expect(new TextDecoder().decode(result.signedBytes)).toBe(vector.signed_content);
    expect(result.value).toMatchObject({ code: '10000', out_trade_no: 'GZ201901301040361012', total_amount: '0.01' });
    expect(methodOfResponse(result.name)).toBe('alipay.trade.pay');
  });

  it('verifies whatever surrounds the value: pretty-printed envelope, members in another order', async () => {
    const text = `{\n  "sign" : "${vector.sign}",\n  "${vector.response_name}" :\n ${vector.signed_content}\n}\n`;
    expect((await verifySignedResponse(enc.encode(text), await keysOf(vector.alipay_public_key))).ok).toBe(true);
  });

  it('fails when one byte of the value changes, or when the value is re-serialised with spaces', async () => {
    const keys = await keysOf(vector.alipay_public_key);
    const changed = vector.response_text.replace('"total_amount":"0.01"', '"total_amount":"0.02"');
    expect(await verifySignedResponse(enc.encode(changed), keys)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    const spaced = vector.response_text.replace(vector.signed_content, JSON.stringify(JSON.parse(vector.signed_content), null, 1));
    expect(await verifySignedResponse(enc.encode(spaced), keys)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('an answer signed over "/" and sent with "\\/" verifies (as the official Java SDK retries it); a "\\\\/" is not unescaped', async () => {
    const signedText = '{"code":"10000","msg":"Success","out_trade_no":"A1","trade_status":"TRADE_SUCCESS","total_amount":"88.80","store_name":"West Lake/1"}';
    const sign = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, signingKey, enc.encode(signedText)))));
    const sent = (value: string) => enc.encode(`{"alipay_trade_query_response":${value},"sign":"${sign}"}`);
    const escaped = await verifySignedResponse(sent(signedText.replace('/', '\\/')), alipayKeys);
    expect(escaped).toMatchObject({ ok: true, value: { store_name: 'West Lake/1' } });
    // An escaped backslash before "/" means a backslash: that text is not the signed one.
    expect(await verifySignedResponse(sent(signedText.replace('/', '\\\\/')), alipayKeys)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(await verifySignedResponse(sent(signedText.replace('88.80', '8.88').replace('/', '\\/')), alipayKeys)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('is refused with a key that is not Alipay\'s', async () => {
    const result = await verifySignedResponse(enc.encode(vector.response_text), alipayKeys);
    expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(result.ok ? '' : result.hint).toMatch(/not your app public key/);
  });
});

describe('answers in layouts a re-serialising verifier gets wrong', () => {
  it.each([
    ['escaped slashes and unicode escapes', '{"code":"10000","msg":"Success","qr_code":"https:\\/\\/qr.alipay.com\\/x","subject":"\\u6d4b\\u8bd5"}'],
    ['raw UTF-8 and spaces', '{ "code" : "10000", "msg" : "Success", "subject" : "测试 {not a brace} \\"quoted\\" ]" }'],
    ['nested arrays and numbers', '{"code":"10000","fund_bill_list":[{"amount":"1.00","fund_channel":"PCREDIT"},[1,2.5e3,true,null]],"n":10}'],
    ['a backslash before the closing quote', '{"code":"10000","memo":"C:\\\\dir\\\\","z":"}"}'],
  ])('%s', async (_name, value) => {
    const text = await signedAnswer('alipay_trade_query_response', value, signingKey);
    const result = await verifySignedResponse(enc.encode(text), alipayKeys, { responseName: 'alipay_trade_query_response' });
    if (!result.ok) throw new Error(result.hint);
    expect(new TextDecoder().decode(result.signedBytes)).toBe(value);
    expect(result.value).toEqual(JSON.parse(value));
  });

  it('finds the value exactly, for any JSON value Alipay might send (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }), fc.boolean(), async (object, pretty) => {
        const value = JSON.stringify(object, null, pretty ? 2 : undefined);
        const text = `{"alipay_trade_query_response":${value},"sign":"AAAA"}`;
        const scan = scanTopLevel(enc.encode(text));
        if (!scan.ok) return false;
        const member = scan.members.find((m) => m.name === 'alipay_trade_query_response')!;
        return new TextDecoder().decode(enc.encode(text).subarray(member.valueStart, member.valueEnd)) === value;
      }),
      { numRuns: 200 },
    );
  });
});

describe('answers that are never trusted', () => {
  async function check(text: string) {
    return verifySignedResponse(enc.encode(text), alipayKeys, { responseName: 'alipay_trade_query_response' });
  }
  const value = '{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS"}';

  it('unsigned, or with an empty sign', async () => {
    expect(await check(`{"alipay_trade_query_response":${value}}`)).toMatchObject({ ok: false, reason: 'unsigned', unverified: { code: '10000' } });
    expect(await check(`{"alipay_trade_query_response":${value},"sign":""}`)).toMatchObject({ ok: false, reason: 'unsigned' });
  });

  it('a sign that is not a base64 string', async () => {
    expect(await check(`{"alipay_trade_query_response":${value},"sign":12}`)).toMatchObject({ ok: false, reason: 'signature-encoding' });
    expect(await check(`{"alipay_trade_query_response":${value},"sign":"%%%"}`)).toMatchObject({ ok: false, reason: 'signature-encoding' });
  });

  it('the response named twice (which one was signed?)', async () => {
    const signed = await signedAnswer('alipay_trade_query_response', value, signingKey);
    const doubled = signed.replace('{"alipay_trade_query_response"', `{"alipay_trade_query_response":{"code":"40004"},"alipay_trade_query_response"`);
    expect(await check(doubled)).toMatchObject({ ok: false, reason: 'unparsable' });
  });

  it.each([
    ['an HTML page', '<html>502</html>'],
    ['trailing text', `{"alipay_trade_query_response":${value},"sign":"AAAA"} x`],
    ['a trailing comma', `{"alipay_trade_query_response":${value},}`],
    ['an unterminated string', '{"alipay_trade_query_response":{"code":"10000}'],
    ['mismatched brackets', '{"alipay_trade_query_response":{"a":[1}],"sign":"AAAA"}'],
    ['a control character in a string', '{"alipay_trade_query_response":{"a":"x\ny"},"sign":"AAAA"}'],
    ['nesting past the bound', `{"alipay_trade_query_response":${'['.repeat(100)}${']'.repeat(100)},"sign":"AAAA"}`],
    ['the value not an object', '{"alipay_trade_query_response":"10000","sign":"AAAA"}'],
  ])('%s', async (_name, text) => {
    expect(await check(text)).toMatchObject({ ok: false, reason: 'unparsable' });
  });

  it('invalid UTF-8 in the value', async () => {
    const bytes = Uint8Array.of(...enc.encode('{"alipay_trade_query_response":{"a":"'), 0xff, ...enc.encode('"},"sign":"AAAA"}'));
    expect(await verifySignedResponse(bytes, alipayKeys)).toMatchObject({ ok: false, reason: 'unparsable' });
  });

  it('an answer for another method', async () => {
    const text = await signedAnswer('alipay_trade_refund_response', value, signingKey);
    expect(await check(text)).toMatchObject({ ok: false, reason: 'no-response-value' });
  });

  it('an answer far larger than any real one', async () => {
    const text = `{"alipay_trade_query_response":{"pad":"${'x'.repeat(70_000)}"},"sign":"AAAA"}`;
    expect(await check(text)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('an error_response the gateway itself signed is verified and read like any other', async () => {
    const text = await signedAnswer('error_response', '{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id"}', signingKey);
    expect(await check(text)).toMatchObject({ ok: true, name: 'error_response', value: { sub_code: 'isv.invalid-app-id' } });
  });
});
