// The advice every key-loading message ends with: what the key should be instead. Shared by the
// recognisers (key-material.ts, key-identify.ts) and the loader (keys.ts) so that every message
// about the same mistake gives the same advice. It names no setting: the Worker reports these
// under its setting's name, the command-line tool under the file's.

export const WANT =
  'The key to use is the Alipay public key (支付宝公钥) shown in the Alipay open platform console, ' +
  'or in certificate mode the file alipayCertPublicKey_RSA2.crt';
export const PRIVATE =
  'Never put a private key here (it signs your requests to Alipay; it cannot verify Alipay\'s notifications, ' +
  'and it must stay secret). ' +
  WANT;
export const NOT_RSA =
  'Alipay notifications are verified with RSA2 (SHA256withRSA): choose the RSA2 key type in the Alipay console. ' + WANT;
