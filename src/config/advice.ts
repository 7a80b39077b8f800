// The core's advice (src/alipay/types.ts `Advice` and `SetupAdvice`) in the Worker's words: what to
// change, named by the settings an operator edits. The command-line tool words `Advice` in its
// flags (cli/verify.ts); `SetupAdvice` is about the Worker's settings only, and `keys` (which
// explains those settings) words it here too.
import type { Advice, SetupAdvice, SetupPlace, SignType } from '../alipay/types';
import type { SettingName } from './names';

const list = (types: readonly SignType[]) => types.join(',') || '(none)';

const PLACE: Record<SetupPlace, string> = {
  'alipay-public-key': 'ALIPAY_PUBLIC_KEY',
  'app-private-key': 'ALIPAY_APP_PRIVATE_KEY',
  'app-cert': 'ALIPAY_APP_CERT (certificate mode)',
  'root-cert': 'ALIPAY_ROOT_CERT (certificate mode)',
  'app-or-root-cert': 'ALIPAY_APP_CERT or ALIPAY_ROOT_CERT (certificate mode)',
  'forward-secret': 'FORWARD_SECRET',
  'alert-secret': 'ALERT_SECRET',
  'md5-key': 'ALIPAY_MD5_KEY',
} satisfies Record<SetupPlace, `${SettingName}${string}`>;

export function adviceForGateway(advice: Advice | SetupAdvice): string {
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
    case 'update-alipay-cert':
      return (
        `If Alipay renewed its certificate, add the new alipayCertPublicKey_RSA2.crt (SN ${advice.sn}) to ALIPAY_PUBLIC_KEY, ` +
        'keeping the current one until nothing names it.'
      );
    case 'check-public-key-environment':
      return 'Check that ALIPAY_PUBLIC_KEY is the Alipay public key (支付宝公钥) of the environment ALIPAY_GATEWAY_URL points at.';
    case 'belongs-in':
      return `It belongs in ${PLACE[advice.place]}.`;
    case 'check-gateway-url':
      return 'Check ALIPAY_GATEWAY_URL.';
    case 'check-app-public-key':
      return 'The app public key set in the Alipay console must be the public half of ALIPAY_APP_PRIVATE_KEY.';
    case 'check-app-environment':
      return 'Check that ALIPAY_APP_ID and ALIPAY_GATEWAY_URL are of the same environment (sandbox or production).';
    case 'check-request-certs':
      return 'Check that ALIPAY_APP_CERT and ALIPAY_ROOT_CERT are the files of this app.';
  }
}

/** The core's hint, then the advice in the Worker's words: one sentence an operator can act on. */
export function hintForGateway(hint: string, advice: Advice | SetupAdvice | undefined): string {
  return advice === undefined ? hint : `${hint} ${adviceForGateway(advice)}`;
}
