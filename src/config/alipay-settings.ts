// The Alipay side of the settings: which signatures are accepted, with which keys, for which
// app and seller, and how old a notification may be.

import { loadPublicKeys } from '../alipay/keys';
import type { AlipayPublicKey } from '../alipay/types';
import { parseIdList, parsePositiveDuration, parseSignTypes } from './parsers';
import type { SettingsReader } from './reader';
import type { AlipaySettings } from './types';
import { parseAlipayMd5Key } from './values';

/** The Alipay settings, or null when one of them has a problem (reported to `settings`). */
export async function readAlipaySettings(settings: SettingsReader): Promise<AlipaySettings | null> {
  const { problem, warn } = settings;
  const before = settings.problems.length;

  const signTypes = parseSignTypes(settings.withDefault('ALIPAY_SIGN_TYPES'), (m) => problem('ALIPAY_SIGN_TYPES', m));
  // While ALIPAY_SIGN_TYPES is broken, assume the default (RSA2) so the key problem shows up now, not after the fix.
  const acceptsRsa = signTypes.length === 0 || signTypes.some((t) => t !== 'MD5');

  let keys: AlipayPublicKey[] = [];
  const keyText = settings.text('ALIPAY_PUBLIC_KEY');
  if (keyText === undefined) {
    if (acceptsRsa) {
      problem(
        'ALIPAY_PUBLIC_KEY',
        'required (the Alipay public key 支付宝公钥 from the Alipay console, or alipayCertPublicKey_RSA2.crt; set it with: npx wrangler secret put ALIPAY_PUBLIC_KEY)',
      );
    }
  } else {
    const loaded = await loadKeysSafely(keyText);
    for (const message of loaded.warnings) warn('ALIPAY_PUBLIC_KEY', message);
    if (loaded.ok) keys = loaded.keys;
    else for (const message of loaded.problems) problem('ALIPAY_PUBLIC_KEY', message);
  }

  const sellerIds = parseIdList(settings.text('ALIPAY_SELLER_ID'), 'ALIPAY_SELLER_ID', 'a seller id (the 2088… partner id)', problem);
  // Legacy mapi notifications carry no app_id at all; for them seller_id is the identity check.
  const appIds = parseIdList(settings.text('ALIPAY_APP_ID'), 'ALIPAY_APP_ID', 'an app id', problem);
  if (appIds.length === 0 && sellerIds.length === 0) {
    problem('ALIPAY_APP_ID', 'required (your Alipay app id, e.g. 2021000123456789; comma-separate several)');
  }

  let md5Key: Uint8Array | undefined;
  const md5KeyText = settings.text('ALIPAY_MD5_KEY');
  if (signTypes.includes('MD5')) {
    if (md5KeyText === undefined) {
      problem('ALIPAY_MD5_KEY', 'required because ALIPAY_SIGN_TYPES includes MD5 (the legacy mapi partner key, 32 characters)');
    } else {
      const parsed = parseAlipayMd5Key(md5KeyText);
      if (parsed.ok) md5Key = parsed.value;
      else problem('ALIPAY_MD5_KEY', parsed.message);
    }
  } else if (md5KeyText !== undefined) {
    warn('ALIPAY_MD5_KEY', 'set but not used: ALIPAY_SIGN_TYPES does not include MD5');
  }

  const maxNotifyAgeMs = parsePositiveDuration('MAX_NOTIFY_AGE', settings.withDefault('MAX_NOTIFY_AGE'), problem);

  if (settings.problems.length > before || maxNotifyAgeMs === null) return null;
  return { keys, signTypes, ...(md5Key ? { md5Key } : {}), appIds, sellerIds, maxNotifyAgeMs };
}

type KeysLoaded = ({ ok: true; keys: AlipayPublicKey[] } | { ok: false; problems: string[] }) & { warnings: string[] };

async function loadKeysSafely(keyText: string): Promise<KeysLoaded> {
  try {
    const loaded = await loadPublicKeys(keyText);
    if (loaded.ok && loaded.keys.length === 0) return { ok: false, problems: ['no key found in the value'], warnings: loaded.warnings };
    return loaded;
  } catch {
    // keys.ts promises not to throw; if it ever does, the message must still not quote the key.
    return { ok: false, problems: ['could not be read as a public key (unexpected error while importing it)'], warnings: [] };
  }
}
