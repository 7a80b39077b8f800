// The core's advice (src/alipay/types.ts `Advice`) in this tool's words: its flags, not the
// Worker's settings (src/config/advice.ts words the same advice in those).
import type { Advice, SignType } from '../src/alipay/types';

/** The core's advice in this tool's words: its flags, not the Worker's settings. */
export function adviceForCli(advice: Advice): string {
  const list = (types: readonly SignType[]) => types.join(',') || '(none)';
  switch (advice.kind) {
    case 'accept-sign-type':
      return (
        `--sign-types is ${list(advice.accepted)}: if your Alipay app really signs with ${advice.signType}, check it with ` +
        `--sign-types ${list([...advice.accepted, advice.signType])}; otherwise this message was not made by Alipay for this app.`
      );
    case 'accept-public-key-sign-type':
      return `--sign-types is ${list(advice.accepted)}: add RSA2 to it if your Alipay app signs with RSA2.`;
    case 'configure-public-key':
      return 'Give the Alipay public key (支付宝公钥) with --key FILE.';
    case 'check-public-key':
      return 'Check that --key is the Alipay public key (支付宝公钥), not your app public key (应用公钥).';
    case 'configure-md5-key':
      return 'Give the legacy partner key (合作伙伴密钥) with --md5-key-file FILE.';
    case 'check-md5-key':
      return "Check that --md5-key-file holds this seller's partner MD5 key (合作伙伴密钥).";
    case 'check-app-id':
      return '--app-id does not list it; add it if this app is yours.';
    case 'configure-seller-id':
      return 'Give your partner id (2088...) with --seller-id to check legacy notifications.';
    case 'check-seller-id':
      return 'Check --seller-id: it lists the seller ids whose notifications are accepted.';
    case 'check-max-age':
      return '--max-age sets the accepted age (e.g. --max-age 100000d to check an old capture).';
    case 'update-alipay-cert':
      return `If Alipay renewed its certificate, check it with --key holding the new alipayCertPublicKey_RSA2.crt (SN ${advice.sn}).`;
    case 'check-public-key-environment':
      return 'Check that --key is the Alipay public key (支付宝公钥) of the environment that answered (sandbox or production).';
  }
}
