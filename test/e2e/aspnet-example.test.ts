// The gateway's real deliveries, checked by the ASP.NET example's own code (compiled with Mono,
// test/support/aspnet-example.ts): what a merchant on ASP.NET runs must accept exactly what the
// gateway sends. A UTF-8 and a GBK notification go through the shared `wrangler dev`; the
// deliveries the test origin recorded (body bytes, Content-Type, Standard Webhooks headers) are
// handed to the example's signature check, form parser and paid rule.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TEST_ONLY_FORWARD_SECRETS } from '../fixtures/gateway-test-keys';
import { b64, compileAspnetExample, COMPILE_HOOK_TIMEOUT_MS, fieldsOf, type CompiledExample } from '../support/aspnet-example';
import { parseFormBody } from '../support/form';
import { gbkPaidNotification } from '../support/gbk-notifications';
import { paidNotification } from '../support/notifications';
import { acceptedAtOrigin, bodyBytes, eventually, postNotification } from './client';
import type { OriginDelivery } from './harness';

let example: CompiledExample;
beforeAll(() => {
  example = compileAspnetExample();
}, COMPILE_HOOK_TIMEOUT_MS);
afterAll(() => example?.remove());

async function deliveredFor(outTradeNo: string): Promise<OriginDelivery> {
  return eventually(`a delivery for ${outTradeNo}`, async () => (await acceptedAtOrigin(outTradeNo))[0]);
}

/** The example's answers for one recorded delivery: its signature check, its fields, its paid rule. */
function exampleOn(delivery: OriginDelivery, secrets: string) {
  const body = bodyBytes(delivery);
  const [verified, parsed] = example.ask([
    ['verify', b64(secrets), b64(body), b64(delivery.webhookId!), b64(delivery.webhookTimestamp!), b64(delivery.webhookSignature!), Number(delivery.webhookTimestamp)],
    ['parse', b64(delivery.contentType!), b64(body)],
  ]);
  const fields = fieldsOf(parsed!);
  // The paid rule reads the parsed fields; the driver takes them as a UTF-8 form.
  const [paid] = example.ask([['paid', b64(new URLSearchParams(fields).toString())]]);
  return { verified, fields, paid };
}

test('a UTF-8 paid order: the example verifies the gateway\'s signature with either forward secret, and reads the fields Alipay signed', async () => {
  const { params, body } = await paidNotification({ subject: '测试 & <商品>' });
  expect(await postNotification(body)).toEqual({ status: 200, body: 'success' });
  const delivery = await deliveredFor(params.out_trade_no!);

  for (const secrets of [TEST_ONLY_FORWARD_SECRETS.join(' '), ...TEST_ONLY_FORWARD_SECRETS]) {
    const seen = exampleOn(delivery, secrets);
    expect(seen.verified).toBe('ok');
    expect(seen.paid).toBe('true');
    expect(seen.fields).toMatchObject({ out_trade_no: params.out_trade_no, total_amount: params.total_amount, subject: '测试 & <商品>', trade_status: 'TRADE_SUCCESS' });
  }
  // And nothing else: another secret, or one changed byte, is refused.
  const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
  expect(exampleOn(delivery, other).verified).toBe('fail 403 signature-mismatch');
  const changed = { ...delivery, bodyBase64: b64(Buffer.from(bodyBytes(delivery)).toString('latin1').replace(params.total_amount!, '0.01')) };
  expect(exampleOn(changed, TEST_ONLY_FORWARD_SECRETS[0]!).verified).toBe('fail 403 signature-mismatch');
});

test('a GBK paid order: the body stays GBK, and the example decodes it by the charset the gateway names', async () => {
  const { outTradeNo, body } = await gbkPaidNotification();
  expect(await postNotification(body, 'GBK')).toEqual({ status: 200, body: 'success' });
  const delivery = await deliveredFor(outTradeNo);
  expect(delivery.contentType?.toLowerCase()).toContain('charset=gbk');

  const seen = exampleOn(delivery, TEST_ONLY_FORWARD_SECRETS[0]!);
  expect(seen.verified).toBe('ok');
  expect(seen.paid).toBe('true');
  const expected = Object.fromEntries(parseFormBody(bodyBytes(delivery)).map((pair) => [pair.key, new TextDecoder('gbk').decode(pair.value)]));
  expect(expected['subject']).toMatch(/[\u4e00-\u9fff]/);
  expect(seen.fields).toEqual(expected);
  expect(seen.fields['out_trade_no']).toBe(outTradeNo);
});
