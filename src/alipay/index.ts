// The public API of the pure Alipay core (WebCrypto + TextDecoder only: Worker, Node CLI, tests).
// Generic byte helpers live in src/utils and are imported from there.

export * from './types';
export { MAX_FORM_BYTES, MAX_FORM_PAIRS, encodeFormBytes, getParam, parseForm } from './parse';
export { buildSignContent } from './content';
export { verifyForm, verifyPairs } from './verify';
export { decodeParams } from './charset';
export { parseAmountCents } from './amount';
export { formatBeijingTime, parseBeijingTime } from './beijing-time';
export { toNotification } from './notification';
export { checkFields } from './fields';
export { MAX_CLOCK_SKEW_MS, checkBusiness, checkIdentity } from './checks';
export { classify } from './classify';
export { processNotification, type ProcessFailure, type ProcessFailureReason, type ProcessResult } from './process';
export { describeKeyText, importVerifyKey, loadPublicKeys, type KeyDescription, type KeyLoadReport, type VerifyHash } from './keys';
export { alipayCertSn, alipayRootCertSn, certificateInfo, type CertInfo } from './cert';
