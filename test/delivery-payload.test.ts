// Payload builders: `form` forwards the original bytes; `json` a normalised UTF-8 event.
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../src/utils/bytes';
import { buildFormPayload, buildJsonPayload, payloadBuilder, type DeliveryEvent } from '../src/delivery/payload';

// GBK bytes for 支付, percent-encoded as Alipay sends them.
const gbkBody = utf8Encode('charset=GBK&out_trade_no=T1&subject=%D6%A7%B8%B6&total_amount=1.00');
const event: DeliveryEvent = {
  webhookId: 'msg_0123',
  orderKey: '2021000000000001:T1',
  eventKey: 'refund:退款-1',
  kind: 'refund',
  attempt: 3,
  notifyId: 'N1',
  signType: 'RSA2',
  contentRule: 'v1',
  charset: 'gbk',
  rawBody: gbkBody,
  params: { charset: 'GBK', out_trade_no: 'T1', subject: '支付', total_amount: '1.00', refund_fee: '0.50', buyer_id: '2088102122524333' },
};

describe('payload builders', () => {
  it('form: the original bytes with the signed charset', () => {
    const p = buildFormPayload(event);
    expect(p.body).toEqual(gbkBody);
    expect(p.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=gbk');
  });

  it('carries informational headers as ASCII', () => {
    const p = buildFormPayload(event);
    expect(p.headers['x-alipay-event-kind']).toBe('refund');
    expect(p.headers['x-alipay-event-key']).toBe(encodeURIComponent('refund:退款-1'));
    expect(p.headers['x-delivery-attempt']).toBe('3');
    expect(p.headers['x-alipay-verified-by']).toBe('RSA2/v1');
  });

  it('json: UTF-8, amounts as strings, every decoded param', () => {
    const p = buildJsonPayload(event);
    expect(p.headers['content-type']).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(new TextDecoder().decode(p.body));
    expect(doc).toMatchObject({
      type: 'refund',
      event_key: 'refund:退款-1',
      order_key: '2021000000000001:T1',
      out_trade_no: 'T1',
      total_amount: '1.00',
      refund_fee: '0.50',
      trade_no: null,
      verified: { sign_type: 'RSA2', content_rule: 'v1', charset: 'gbk' },
    });
    expect(doc.params).toEqual(event.params);
  });

  it('json: an empty value is null at the top (it was not signed), and a legacy mapi amount is total_fee', () => {
    const mapi: DeliveryEvent = {
      ...event,
      kind: 'paid',
      eventKey: 'paid',
      params: { seller_id: '2088000000000002', out_trade_no: 'T1', total_fee: '8.80', refund_fee: '', out_biz_no: '', gmt_refund: '' },
    };
    const doc = JSON.parse(new TextDecoder().decode(buildJsonPayload(mapi).body));
    expect(doc).toMatchObject({ total_amount: '8.80', refund_fee: null, out_biz_no: null, gmt_refund: null, app_id: null, seller_id: '2088000000000002' });
    expect(doc.params).toEqual(mapi.params);
  });

  it('selects the builder by format', () => {
    expect(payloadBuilder('form')).toBe(buildFormPayload);
    expect(payloadBuilder('json')).toBe(buildJsonPayload);
  });
});
