// A payment found by asking Alipay (alipay.trade.query), recorded as the order's `paid` event like
// one from a notification, so it is forwarded the same way and a late notification dedupes into
// it. What the origin receives for it (src/delivery/payload.ts with source `query`): in `form`
// format a UTF-8 form of the answer's trade fields (the MD5 bridge re-signs it like any form), in
// `json` the normalised event. Pure.

import { encodeForm } from '../alipay/parse';
import type { QueriedTrade } from '../alipay/query-response';
import type { ClassifiedEvent } from '../alipay/types';

/** Fields of the answer that describe the call, not the trade: not forwarded. */
const CALL_FIELDS = new Set(['code', 'msg', 'sub_code', 'sub_msg']);

export interface QueryEvent {
  readonly event: ClassifiedEvent;
  /** The form body the origin receives (UTF-8), and the same fields decoded. */
  readonly rawBody: Uint8Array;
  readonly params: Readonly<Record<string, string>>;
  readonly charset: 'utf-8';
}

/** The `paid` event of a verified answer that says the trade is paid; null for any other status. */
export function queryEventOf(trade: QueriedTrade, appId: string): QueryEvent | null {
  if (!trade.paid) return null;
  // app_id first, as in a notification; the answer does not repeat it.
  const entries: [string, string][] = [['app_id', appId]];
  for (const [key, value] of Object.entries(trade.fields)) if (!CALL_FIELDS.has(key) && key !== 'app_id') entries.push([key, value]);
  return { event: { kind: 'paid', key: 'paid' }, rawBody: encodeForm(entries), params: Object.fromEntries(entries), charset: 'utf-8' };
}
