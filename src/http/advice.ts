// The core's advice (src/alipay/types.ts `Advice`) in the Worker's words: what to change, named
// by the settings an operator edits. The command-line tool words the same advice in its flags.
import type { Advice, SignType } from '../alipay/types';

const list = (types: readonly SignType[]) => types.join(',') || '(none)';

export function adviceForGateway(advice: Advice): string {
  switch (advice.kind) {
    case 'accept-sign-type':
      return (
        `ALIPAY_SIGN_TYPES is ${list(advice.accepted)}: if your Alipay app really signs with ${advice.signType}, add it to ALIPAY_SIGN_TYPES; ` +
        'otherwise this message was not made by Alipay for this app.'
      );
    case 'accept-public-key-sign-type':
      return `ALIPAY_SIGN_TYPES is ${list(advice.accepted)}: add RSA2 to it if your Alipay app signs with RSA2.`;
    case 'configure-public-key':
      return 'Set ALIPAY_PUBLIC_KEY to the Alipay public key (支付宝公钥).';
    case 'check-public-key':
      return 'Check that ALIPAY_PUBLIC_KEY is the Alipay public key (支付宝公钥), not your app public key (应用公钥).';
    case 'configure-md5-key':
      return 'Set ALIPAY_MD5_KEY to the legacy partner key (合作伙伴密钥).';
    case 'check-md5-key':
      return "Check that ALIPAY_MD5_KEY is this seller's partner MD5 key (合作伙伴密钥).";
    case 'check-app-id':
      return 'ALIPAY_APP_ID does not list it; add it if this app is yours.';
    case 'configure-seller-id':
      return 'Set ALIPAY_SELLER_ID to your partner id (2088...) to accept legacy notifications.';
    case 'check-seller-id':
      return 'Check ALIPAY_SELLER_ID: it lists the seller ids whose notifications are accepted.';
    case 'check-max-age':
      return 'MAX_NOTIFY_AGE sets the accepted age.';
  }
}

/** The core's hint, then the advice in the Worker's words: one sentence an operator can act on. */
export function hintForGateway(hint: string, advice: Advice | undefined): string {
  return advice === undefined ? hint : `${hint} ${adviceForGateway(advice)}`;
}
