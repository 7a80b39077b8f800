// The ASP.NET example (examples/aspnet/*.cs) compiled with Mono's C# compiler as C# 5 (what the
// example promises an old Web Site's compiler), then its own code run on deliveries signed here:
// Standard Webhooks signatures (node:crypto, and the reference `standardwebhooks` library), the
// webhook-id against its column in the schema, the form parser with UTF-8 and GBK bodies, the
// refusal of a body that is not a form, what a notification means (the gateway's own rule,
// src/alipay/classify.ts) and what the handler answers before the database, the amount rule, and
// the status-link and order-registration signatures the gateway checks. The database part (SQL
// Server) is not run.
// Compiling and driving it: test/support/aspnet-example.ts (Mono from Debian, installed when missing).
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, compileAspnetExample, COMPILE_HOOK_TIMEOUT_MS, fieldsOf, type CompiledExample } from '../support/aspnet-example';
import { classify, toNotification } from '../../src/alipay';
import { parseFormBody } from '../support/form';
import { signedVector } from '../support/vectors';

let example: CompiledExample;
beforeAll(() => {
  example = compileAspnetExample();
}, COMPILE_HOOK_TIMEOUT_MS);
afterAll(() => example?.remove());

const ask = (requests: (string | number)[][]) => example.ask(requests);

it('compiles as C# 5 with Mono, without a warning', () => {
  expect(example.compilerOutput).toBe('');
});

describe('StandardWebhook.Verify', () => {
  const key = randomBytes(32);
  const secret = `whsec_${key.toString('base64')}`;
  const oldSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const body = Buffer.from('notify_id=2026abc&out_trade_no=ORDER-1001&trade_status=TRADE_SUCCESS&total_amount=88.80&subject=a%26b+c');
  const id = 'msg_2mJ1xkVTHqgmEdsXWyrZ3Ab';
  const now = 1_800_000_000;

  /** Standard Webhooks v1, computed here with node:crypto over the exact bytes. */
  const sign = (signingKey: Buffer, timestamp: number, bytes: Uint8Array, msgId = id) =>
    `v1,${createHmac('sha256', signingKey).update(Buffer.concat([Buffer.from(`${msgId}.${timestamp}.`), bytes])).digest('base64')}`;
  const verify = (setting: string, bytes: Uint8Array, timestamp: string | number, signature: string, msgId = id) =>
    ['verify', b64(setting), b64(bytes), b64(msgId), b64(String(timestamp)), b64(signature), now];

  it('accepts what the reference library and node:crypto sign, and only that', () => {
    const gbkBody = Buffer.from(signedVector('synthetic_gbk_notify_rsa2_v1').raw_body!, 'utf8');
    const rawGbk = Buffer.from([...Buffer.from('subject=')].concat([0xc4, 0xe3, 0xba, 0xc3])); // raw GBK bytes, not UTF-8
    const reference = new Webhook(secret).sign(id, new Date(now * 1000), body.toString('utf8'));
    expect(
      ask([
        verify(secret, body, now, reference),
        verify(secret, body, now, sign(key, now, body)),
        verify(secret, gbkBody, now, sign(key, now, gbkBody)),
        verify(secret, rawGbk, now, sign(key, now, rawGbk)),
        // Rotation: either secret of the setting, and a header carrying several signatures.
        verify(`${oldSecret} ${secret}`, body, now, sign(key, now, body)),
        verify(secret, body, now, `v1,${b64(randomBytes(32))} v2,xyz ${sign(key, now, body)}`),
      ]),
    ).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('refuses a changed body, another secret, a replay, a future time and missing headers', () => {
    const tampered = Buffer.from(body.toString('latin1').replace('88.80', '8.80'), 'latin1');
    expect(
      ask([
        verify(secret, tampered, now, sign(key, now, body)),
        verify(oldSecret, body, now, sign(key, now, body)),
        verify(secret, body, now, sign(key, now, body, 'msg_other'), id),
        verify(secret, body, now - 301, sign(key, now - 301, body)),
        verify(secret, body, now + 301, sign(key, now + 301, body)),
        verify(secret, body, '1e9', sign(key, now, body)),
        verify(secret, body, now, ''),
        verify(secret, body, now, `v1,not base64!`),
      ]),
    ).toEqual([
      'fail 403 signature-mismatch',
      'fail 403 signature-mismatch',
      'fail 403 signature-mismatch',
      'fail 403 timestamp-too-old',
      'fail 403 timestamp-too-new',
      'fail 400 bad-timestamp',
      'fail 400 missing-webhook-headers',
      'fail 403 signature-mismatch',
    ]);
  });

  it('refuses a webhook-id that processed_webhooks.webhook_id cannot hold as it is (400 bad-webhook-id), signed or not', () => {
    // The column the id is stored in, read from the schema the README points to: SqlClient would
    // cut a longer value to the parameter's size, and VARCHAR turns characters outside the
    // database's code page into '?', so two different ids could be stored as one (the second then
    // answered "success" as already processed, never credited).
    const schema = readFileSync(new URL('../../examples/classic-asp/schema.sql', import.meta.url), 'utf8');
    const width = Number(/^\s*webhook_id\s+VARCHAR\((\d+)\)/m.exec(schema)?.[1]);
    const gatewayId = `msg_${randomBytes(16).toString('hex')}`; // what the gateway sends: 36 characters
    expect(width).toBeGreaterThanOrEqual(gatewayId.length);
    const signedWith = (msgId: string) => verify(secret, body, now, sign(key, now, body, msgId), msgId);
    expect(
      ask([
        signedWith(gatewayId),
        signedWith('m'.repeat(width)),
        signedWith('m'.repeat(width + 1)),
        signedWith(`${gatewayId}${'0'.repeat(200)}`),
        signedWith('msg_订单'),
        signedWith('msg_é'),
        signedWith('msg_a b'),
        signedWith('msg_a\u0001'),
        verify(secret, body, now, sign(key, now, body), 'm'.repeat(width + 1)), // checked before the signature, like the timestamp
      ]),
    ).toEqual(['ok', 'ok', ...Array(7).fill('fail 400 bad-webhook-id')]);
  });

  it('the edges of the 5-minute window are inside it', () => {
    expect(ask([verify(secret, body, now - 300, sign(key, now - 300, body)), verify(secret, body, now + 300, sign(key, now + 300, body))])).toEqual(['ok', 'ok']);
  });

  it('a setting with an entry that is not whsec_ is a configuration error, not a silent pass', () => {
    expect(ask([verify(`${secret} plain-secret`, body, now, sign(key, now, body))])).toEqual(['error ConfigurationErrorsException']);
  });
});

describe('AlipayForm: the fields of the verified bytes', () => {
  const parse = (contentType: string, bytes: Uint8Array) => ['parse', b64(contentType), b64(bytes)];

  it('UTF-8: %26 stays inside its value, + is a space, percent-encoded Chinese decodes', () => {
    const [answer] = ask([parse('application/x-www-form-urlencoded; charset=utf-8', Buffer.from('subject=a%26b+c&body=%E4%BD%A0%E5%A5%BD&empty=&flag'))]);
    expect(fieldsOf(answer!)).toEqual({ subject: 'a&b c', body: '你好', empty: '', flag: '' });
  });

  it('GBK: the published GBK notification decodes to what Node decodes from the same bytes', () => {
    const raw = Buffer.from(signedVector('synthetic_gbk_notify_rsa2_v1').raw_body!, 'utf8');
    const expected = Object.fromEntries(parseFormBody(raw).map((pair) => [pair.key, new TextDecoder('gbk').decode(pair.value)]));
    expect(expected['subject']).toMatch(/[\u4e00-\u9fff]/);
    const [gbk, gb2312] = ask([parse('application/x-www-form-urlencoded; charset=GBK', raw), parse('application/x-www-form-urlencoded; charset="gb2312"', raw)]);
    expect(fieldsOf(gbk!)).toEqual(expected);
    expect(fieldsOf(gb2312!)).toEqual(expected);
  });

  it('no charset means UTF-8; an unknown charset and bytes invalid in the charset are refused', () => {
    const answers = ask([
      parse('application/x-www-form-urlencoded', Buffer.from('a=%E4%BD%A0')),
      parse('application/x-www-form-urlencoded; charset=iso-8859-1', Buffer.from('a=b')),
      parse('application/x-www-form-urlencoded; charset=utf-8', Buffer.from('a=%FF%FE')),
    ]);
    expect(fieldsOf(answers[0]!)).toEqual({ a: '你' });
    expect(answers.slice(1)).toEqual(['unknown-charset', 'decode-error']);
  });

  it('the handler reads only a form (FORWARD_FORMAT=form): anything else is 415, as are unknown charsets', () => {
    const read = (contentType: string, bytes: string) => ['read', b64(contentType), b64(bytes)];
    const jsonEvent = JSON.stringify({ type: 'paid', out_trade_no: 'ORDER-1', trade_status: 'TRADE_SUCCESS', total_amount: '88.80' });
    const answers = ask([
      read('application/x-www-form-urlencoded; charset=utf-8', 'out_trade_no=ORDER-1&trade_status=TRADE_SUCCESS'),
      read('Application/X-WWW-Form-URLEncoded ;charset=GBK', 'a=b'),
      read('application/x-www-form-urlencoded', 'a=b'),
      read('application/json', jsonEvent),
      read('application/json; charset=utf-8', jsonEvent),
      read('text/plain', 'out_trade_no=ORDER-1&trade_status=TRADE_SUCCESS'),
      read('', 'out_trade_no=ORDER-1'),
      read('application/x-www-form-urlencoded-evil', 'a=b'),
      read('application/x-www-form-urlencoded; charset=iso-8859-1', 'a=b'),
    ]);
    expect(fieldsOf(answers[0]!)).toEqual({ out_trade_no: 'ORDER-1', trade_status: 'TRADE_SUCCESS' });
    expect(fieldsOf(answers[1]!)).toEqual({ a: 'b' });
    expect(fieldsOf(answers[2]!)).toEqual({ a: 'b' });
    expect(answers.slice(3)).toEqual([
      'fail 415 form-format-expected',
      'fail 415 form-format-expected',
      'fail 415 form-format-expected',
      'fail 415 form-format-expected',
      'fail 415 form-format-expected',
      'fail 415 unknown-charset',
    ]);
    expect(ask([['read', b64('application/x-www-form-urlencoded; charset=utf-8'), b64(Buffer.from([0x61, 0x3d, 0xff]))]])).toEqual(['fail 400 charset-decode']);
  });
});

describe('OrderStore: what a notification means, and amounts', () => {
  const REFUNDED = 'refund_fee=1.00&gmt_refund=2026-11-30+10%3A00%3A00&out_biz_no=R1';
  /** [form after out_trade_no=ORDER-1&, what the example decides] */
  const CASES: [string, string][] = [
    ['trade_status=TRADE_SUCCESS&total_amount=88.80', 'Paid'],
    ['trade_status=TRADE_SUCCESS&refund_fee=0.00', 'Paid'],
    ['trade_status=TRADE_SUCCESS&refund_fee=0', 'Paid'],
    ['trade_status=TRADE_SUCCESS&refund_fee=&gmt_refund=&out_biz_no=', 'Paid'], // empty values count as absent
    ['trade_status=TRADE_SUCCESS&refund_fee=1.00', 'RecordOnly'],
    ['trade_status=TRADE_SUCCESS&refund_fee=abc', 'RecordOnly'], // not an amount: still a refund field
    ['trade_status=TRADE_SUCCESS&gmt_refund=2026-11-30+10%3A00%3A00', 'RecordOnly'],
    ['trade_status=TRADE_SUCCESS&out_biz_no=R1', 'RecordOnly'],
    [`trade_status=TRADE_SUCCESS&${REFUNDED}`, 'RecordOnly'],
    ['trade_status=TRADE_FINISHED&total_amount=88.80', 'Paid'],
    [`trade_status=TRADE_FINISHED&total_amount=88.80&${REFUNDED}`, 'Paid'], // a cumulative refund_fee is history
    ['trade_status=WAIT_SELLER_SEND_GOODS&total_fee=88.80', 'Paid'],
    [`trade_status=WAIT_SELLER_SEND_GOODS&${REFUNDED}`, 'Paid'],
    ['trade_status=WAIT_BUYER_PAY', 'RecordOnly'],
    ['trade_status=TRADE_CLOSED', 'RecordOnly'],
    [`trade_status=TRADE_CLOSED&${REFUNDED}`, 'RecordOnly'],
    ['trade_status=', 'UnknownTradeStatus'],
    ['total_amount=88.80', 'UnknownTradeStatus'],
    ['trade_status=TRADE_REFUND', 'UnknownTradeStatus'],
    ['trade_status=trade_success', 'UnknownTradeStatus'],
  ];
  const withOrder = (form: string) => `out_trade_no=ORDER-1&${form}`;

  it('classifies as the gateway does: paid, recorded only, or not judged', () => {
    expect(ask(CASES.map(([form]) => ['classify', b64(withOrder(form))]))).toEqual(CASES.map(([, kind]) => kind));
    // The same decisions as the gateway's own classify (src/alipay/classify.ts).
    const gatewayKind = { paid: 'Paid', waiting: 'RecordOnly', closed: 'RecordOnly', refund: 'RecordOnly', other: 'UnknownTradeStatus' } as const;
    for (const [form, kind] of CASES) {
      const params = Object.fromEntries(new URLSearchParams(withOrder(form)));
      expect(gatewayKind[classify(toNotification(params)).kind], form).toBe(kind);
    }
  });

  it('no out_trade_no cannot be judged, whatever the status', () => {
    const forms = ['trade_status=TRADE_SUCCESS&total_amount=88.80', 'out_trade_no=&trade_status=TRADE_SUCCESS&total_amount=88.80', 'trade_status=WAIT_BUYER_PAY'];
    expect(ask(forms.map((form) => ['classify', b64(form)]))).toEqual(['MissingOrderNumber', 'MissingOrderNumber', 'MissingOrderNumber']);
  });

  it('IsPaid is the Paid classification', () => {
    expect(ask(CASES.map(([form]) => ['paid', b64(withOrder(form))]))).toEqual(CASES.map(([, kind]) => String(kind === 'Paid')));
    expect(ask([['paid', b64('trade_status=TRADE_SUCCESS&total_amount=88.80')]])).toEqual(['false']);
  });

  it('what cannot be judged is answered 422 before the database (nothing stored, so the gateway retries and dead-letters it)', () => {
    const answer = (form: string) => ['answer', b64(form)];
    expect(
      ask([
        answer('trade_status=TRADE_SUCCESS&total_amount=88.80'),
        answer(withOrder('trade_status=')),
        answer(withOrder('trade_status=TRADE_REFUND&total_amount=88.80')),
        answer(withOrder('total_amount=88.80')),
        answer(withOrder('trade_status=TRADE_SUCCESS&total_amount=88.801')),
        answer(withOrder('trade_status=TRADE_FINISHED&refund_fee=10.00')),
        // These go on to the database, where the webhook-id is stored with the credit or alone.
        answer(withOrder('trade_status=TRADE_SUCCESS&total_amount=88.80')),
        answer(withOrder('trade_status=TRADE_FINISHED&total_amount=88.80&refund_fee=10.00')),
        answer(withOrder('trade_status=TRADE_SUCCESS&total_amount=88.80&refund_fee=10.00')),
        answer(withOrder('trade_status=WAIT_BUYER_PAY')),
        answer(withOrder('trade_status=TRADE_CLOSED')),
      ]),
    ).toEqual([
      '422 missing-out-trade-no',
      '422 unknown-trade-status',
      '422 unknown-trade-status',
      '422 unknown-trade-status',
      '400 bad-amount',
      '400 bad-amount', // paid, so it needs an amount to compare
      'database',
      'database',
      'database',
      'database',
      'database',
    ]);
  });

  it('"success" only for outcomes whose webhook-id is committed', () => {
    const outcomes = ['Credited', 'AlreadyProcessed', 'AlreadyPaid', 'RecordedOnly', 'BadAmount', 'MissingOrderNumber', 'UnknownTradeStatus', 'UnknownOrder', 'AmountMismatch', 'NotPayable'];
    expect(ask(outcomes.map((name) => ['outcome', name]))).toEqual([
      '200 success',
      '200 success',
      '200 success',
      '200 success',
      '400 bad-amount',
      '422 missing-out-trade-no',
      '422 unknown-trade-status',
      '422 unknown-order',
      '422 amount-mismatch',
      '409 order-not-payable',
    ]);
  });

  it('amounts: plain decimals with at most two places', () => {
    const texts = ['88.80', '88.8', '88', '0.01', '88.801', '-1', '1e3', '+1', ' 1', '', '1,000.00'];
    expect(ask(texts.map((text) => ['amount', b64(text)]))).toEqual(['ok 88.80', 'ok 88.8', 'ok 88', 'ok 0.01', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
  });
});

describe('the signatures the gateway checks', () => {
  const hex = (secret: string, message: string) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(message, 'utf8').digest('hex');

  it('status link: HMAC of app_id.out_trade_no.exp, and the comment\'s test vector', () => {
    const secret = 'status-secret-example-0123456789abcdef';
    const [vector, chinese] = ask([
      ['status-sig', b64(secret), b64('2021000000000000'), b64('DEMO-20260501-0001'), 1777600000],
      ['status-sig', b64(secret), b64('2021000000000001'), b64('订单-1'), 1800000600],
    ]);
    expect(vector).toBe('3f40757e22ebbfe43e18e24867c302964ad0241073e3efb8d1a9d5082b874dce');
    expect(chinese).toBe(hex(secret, '2021000000000001.订单-1.1800000600'));
  });

  it('STATUS_SECRET is trimmed as the gateway trims it', () => {
    const padded = ` status-secret-example-0123456789abcdef\r\n`;
    expect(
      ask([
        ['status-sig', b64(padded), b64('2021000000000000'), b64('DEMO-20260501-0001'), 1777600000],
        ['order-sig', b64(padded), b64('2021000000000000'), b64('DEMO-20260501-0001'), b64('88.80'), 1777600000],
      ]),
    ).toEqual(['3f40757e22ebbfe43e18e24867c302964ad0241073e3efb8d1a9d5082b874dce', '4d3f9cf2b7ebca08de3c5c422dd68844bb2a5726b150fedb00c057834f79e608']);
  });

  it('order registration: HMAC of order.app_id.out_trade_no.total_amount.expire, and the comment\'s test vector', () => {
    const secret = 'status-secret-example-0123456789abcdef';
    const [vector, chinese] = ask([
      ['order-sig', b64(secret), b64('2021000000000000'), b64('DEMO-20260501-0001'), b64('88.80'), 1777600000],
      ['order-sig', b64(secret), b64('2021000000000001'), b64('订单-2'), b64('0.01'), 1800000600],
    ]);
    expect(vector).toBe('4d3f9cf2b7ebca08de3c5c422dd68844bb2a5726b150fedb00c057834f79e608');
    expect(chinese).toBe(hex(secret, 'order.2021000000000001.订单-2.0.01.1800000600'));
  });
});
