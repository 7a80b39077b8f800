// FORWARD_SIGNING=alipay-md5: the form the origin receives is re-signed the way mapi-era Alipay
// signed it (docs/ALIPAY.md "Legacy MD5"), so an unchanged `Alipay_Notify.asp` passes its own sign
// check with only its key changed (to ORIGIN_MD5_KEY). The gateway has already verified Alipay's
// real signature; this MD5 sign only tells the legacy page "the gateway sent this".
//
// Every original parameter is kept, in its original order, with its original value BYTES (a GBK
// notification stays GBK: the legacy page signs and decodes in the charset Alipay used); only
// `sign_type` becomes `MD5` and `sign` becomes md5_hex(content + key).
import { utf8Encode } from '../utils/bytes';
import { buildSignContent } from '../alipay/content';
import { legacyMd5Sign } from '../alipay/md5-sign';
import { encodeFormBytes, parseForm } from '../alipay/parse';
import type { FormPair } from '../alipay/types';
import { buildFormPayload, type PayloadBuilder } from './payload';

/** The re-signed body: original pairs with `sign_type=MD5` and the legacy MD5 `sign`. */
function resignLegacyMd5(rawBody: Uint8Array, key: Uint8Array): Uint8Array {
  const parsed = parseForm(rawBody);
  // The body was parsed and verified before it was recorded, so this cannot fail for a recorded event.
  if (!parsed.ok) throw new Error(`recorded body no longer parses: ${parsed.reason}`);

  // Legacy content = the v1 rule: drop sign, sign_type and empty values; sort; join.
  const content = buildSignContent(parsed.pairs, 'v1');
  const sign = legacyMd5Sign(content, key);
  const signType = utf8Encode('MD5');

  const pairs: FormPair[] = parsed.pairs.map((p) => {
    if (p.key === 'sign') return { key: p.key, value: sign };
    if (p.key === 'sign_type') return { key: p.key, value: signType };
    return p;
  });
  if (!pairs.some((p) => p.key === 'sign_type')) pairs.push({ key: 'sign_type', value: signType });
  if (!pairs.some((p) => p.key === 'sign')) pairs.push({ key: 'sign', value: sign });
  // Values are percent-encoded byte for byte: the charset of the body does not change.
  return encodeFormBytes(pairs);
}

/** The `form` payload (same headers, same charset) with the body re-signed for a legacy page. */
export function legacyMd5FormBuilder(key: Uint8Array): PayloadBuilder {
  return (event) => {
    const form = buildFormPayload(event);
    return { body: resignLegacyMd5(event.rawBody, key), headers: form.headers };
  };
}
