// The public API of the pure Alipay core (WebCrypto + TextDecoder only: Worker, Node CLI, tests).

export * from './types';
export { base64Decode, base64DecodeBytes, base64Encode } from '../utils/base64';
export { concatBytes, latin1Decode, utf8Encode } from '../utils/bytes';
export { hexEncode, sha256Hex } from '../utils/hex';
export { timingSafeEqual } from '../utils/constant-time';
export { MAX_FORM_BYTES, MAX_FORM_PAIRS, encodeForm, encodeFormBytes, getParam, parseForm } from './parse';
export { buildSignContent } from './content';
export { md5 } from '../utils/md5';
export { verifyForm, verifyPairs } from './verify';
export { decodeParams } from './charset';
export { amountsEqual, parseAmountCents } from './amount';
export { formatBeijingTime, parseBeijingTime } from './beijing-time';
export { toNotification } from './notification';
export { MAX_CLOCK_SKEW_MS, checkBusiness, checkIdentity } from './checks';
export { classify } from './classify';
export { processNotification, type ProcessResult } from './process';
export { describeKeyText, importVerifyKey, loadPublicKeys, type KeyDescription, type KeyLoadReport, type VerifyHash } from './keys';
export { alipayCertSn, alipayRootCertSn, certificateInfo, type CertInfo } from './cert';
