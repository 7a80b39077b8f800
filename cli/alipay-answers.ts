// Answers of Alipay's OpenAPI gateway, as Alipay writes them, for the two that play that gateway:
// the local stand-in (cli/alipay-standin.ts) and the tests' fake (test/support/alipay-gateway.ts).
// A leaf with no imports, so the tests' fake stays independent of src/.

/** JSON text as Alipay writes it: `\/` for every slash, non-ASCII left as UTF-8. */
export function alipayJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/');
}

/** Alipay's words for a request whose signature does not check out with the uploaded app public key. */
const INVALID_SIGNATURE_MSG = '验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配';

/** `40002 isv.invalid-signature`; `detail` follows Alipay's message (the stand-in shows the sign content it built). */
export function invalidSignatureAnswer(detail = ''): Record<string, unknown> {
  return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: `${INVALID_SIGNATURE_MSG}${detail}` };
}

/** `40004 ACQ.TRADE_NOT_EXIST`: Alipay knows no trade with this out_trade_no (not paid yet, not an error). */
export function tradeNotExistAnswer(outTradeNo: string): Record<string, unknown> {
  return {
    code: '40004',
    msg: 'Business Failed',
    sub_code: 'ACQ.TRADE_NOT_EXIST',
    sub_msg: '交易不存在',
    buyer_pay_amount: '0.00',
    invoice_amount: '0.00',
    out_trade_no: outTradeNo,
    point_amount: '0.00',
    receipt_amount: '0.00',
  };
}
