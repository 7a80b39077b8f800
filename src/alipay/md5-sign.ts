// The legacy mapi ("即时到账" / "担保交易") MD5 sign: md5(content + partner key), lowercase hex.

import { concatBytes, utf8Encode } from '../utils/bytes';
import { hexEncode } from '../utils/hex';
import { md5 } from '../utils/md5';

/** The mapi-era Alipay sign: md5(content + key) as lowercase hex, in ASCII bytes (the partner key is appended with no "&"). */
export function legacyMd5Sign(content: Uint8Array, key: Uint8Array): Uint8Array {
  return utf8Encode(hexEncode(md5(concatBytes(content, key))));
}
