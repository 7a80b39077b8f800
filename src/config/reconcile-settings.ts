// Asking Alipay (reconciliation): the app private key that signs alipay.trade.query, the gateway it
// goes to, the certificate-mode SNs, and when to ask. Without ALIPAY_APP_PRIVATE_KEY reconciliation
// is off, but the other settings are still checked so a typo shows before the key is added.

import type { LoadedPrivateKey } from '../alipay/private-key';
import { loadPrivateKey } from '../alipay/private-key';
import { readAppCertificate, readRootCertificates, type AppCertificate } from '../alipay/request-certs';
import { formatDuration } from '../utils/duration';
import { hintForGateway } from './advice';
import { ALIPAY_SANDBOX_GATEWAY_URL, DEFAULTS } from './names';
import { parseRetrySchedule } from './parsers';
import type { SettingsReader } from './reader';
import type { AlipaySettings } from './types';
import { CREDENTIALS_REFUSED, hasCredentials, LOOPBACK_HOSTS } from './values';

export interface ReconcileSettings {
  readonly appPrivateKey: LoadedPrivateKey;
  readonly gatewayUrl: string;
  /** Certificate mode: the SNs every request carries. */
  readonly certificates: { readonly appCertSn: string; readonly rootCertSn: string; readonly appCertNotAfter: number } | null;
  /** Delays between queries about one pending order. */
  readonly scheduleMs: number[];
}

/** What /health shows: nothing secret (the app PUBLIC key's fingerprint is what the Alipay console shows too). */
export interface ReconcileSummary {
  readonly enabled: boolean;
  /** The gateway, without any query string. */
  readonly gateway: string;
  readonly appPublicKeyFingerprint: string | null;
  readonly certificateMode: boolean;
  readonly appCertSn?: string;
  readonly appCertNotAfter?: string;
  readonly rootCertSn?: string;
  readonly schedule: string[];
}

export interface ReconcileSection {
  readonly reconcile: ReconcileSettings | null;
  readonly summary: ReconcileSummary;
}

const ALIPAY_GATEWAY_HOSTS = new Set([new URL(DEFAULTS.ALIPAY_GATEWAY_URL).host, new URL(ALIPAY_SANDBOX_GATEWAY_URL).host]);
const OLD_SANDBOX_HOST = 'openapi.alipaydev.com';

/**
 * The reconciliation settings. `alipay` is the Alipay section as read (null when it has problems of
 * its own): the private key is compared with its public keys, and queries need its app id.
 */
export async function readReconcileSettings(settings: SettingsReader, alipay: AlipaySettings | null): Promise<ReconcileSection | null> {
  const { problem, warn } = settings;
  const before = settings.problems.length;

  const gatewayText = settings.withDefault('ALIPAY_GATEWAY_URL');
  const gatewayUrl = parseGatewayUrl(gatewayText, (m) => problem('ALIPAY_GATEWAY_URL', m), (m) => warn('ALIPAY_GATEWAY_URL', m));
  const scheduleMs = parseRetrySchedule(settings.withDefault('RECONCILE_SCHEDULE'), (m) => problem('RECONCILE_SCHEDULE', m));

  const keyText = settings.text('ALIPAY_APP_PRIVATE_KEY');
  const appCertText = settings.text('ALIPAY_APP_CERT');
  const rootCertText = settings.text('ALIPAY_ROOT_CERT');

  let appPrivateKey: LoadedPrivateKey | null = null;
  if (keyText !== undefined) {
    const loaded = await loadKeySafely(keyText, alipay);
    if (loaded.ok) appPrivateKey = loaded.key;
    else problem('ALIPAY_APP_PRIVATE_KEY', loaded.problem);
  }

  let appCert: AppCertificate | null = null;
  let rootCertSn: string | null = null;
  if (appCertText !== undefined) {
    const read = await readAppCertificate(appCertText);
    if (!read.ok) problem('ALIPAY_APP_CERT', hintForGateway(read.problem, read.advice));
    else if (appPrivateKey && read.value.publicFingerprint !== appPrivateKey.publicFingerprint) {
      problem(
        'ALIPAY_APP_CERT',
        `the certificate (${read.value.subject}) holds another key than ALIPAY_APP_PRIVATE_KEY's public half: both come from the same certificate request; download the certificate of this key`,
      );
    } else {
      appCert = read.value;
      if (read.value.notAfter < Date.now()) warn('ALIPAY_APP_CERT', `the app certificate expired on ${new Date(read.value.notAfter).toISOString()}: renew it in the Alipay console`);
    }
  }
  if (rootCertText !== undefined) {
    const read = readRootCertificates(rootCertText);
    if (read.ok) rootCertSn = read.value.sn;
    else problem('ALIPAY_ROOT_CERT', hintForGateway(read.problem, read.advice));
  }

  if (keyText === undefined) {
    if (appCertText !== undefined) warn('ALIPAY_APP_CERT', 'set but not used: ALIPAY_APP_PRIVATE_KEY is not set, so the gateway never asks Alipay');
    if (rootCertText !== undefined) warn('ALIPAY_ROOT_CERT', 'set but not used: ALIPAY_APP_PRIVATE_KEY is not set, so the gateway never asks Alipay');
  } else if (alipay !== null) {
    if (alipay.keys.length === 0) {
      problem('ALIPAY_APP_PRIVATE_KEY', 'set, but Alipay\'s answers are verified with ALIPAY_PUBLIC_KEY, which is not set (reconciliation needs the Alipay public key even when notifications use MD5)');
    }
    if (alipay.appIds.length === 0) problem('ALIPAY_APP_ID', 'required with ALIPAY_APP_PRIVATE_KEY: alipay.trade.query is an OpenAPI call made as your app');
    const certificateMode = alipay.keys.some((k) => k.form === 'certificate');
    if (certificateMode && appCertText === undefined) {
      problem('ALIPAY_APP_CERT', 'required: ALIPAY_PUBLIC_KEY is a certificate (certificate mode), so requests name your app certificate (appCertPublicKey_<app_id>.crt)');
    }
    if ((certificateMode || appCertText !== undefined) && rootCertText === undefined) {
      problem('ALIPAY_ROOT_CERT', 'required in certificate mode: requests name Alipay\'s root certificate bundle (alipayRootCert.crt)');
    }
    if (!certificateMode && appCertText === undefined && rootCertText !== undefined) {
      problem('ALIPAY_APP_CERT', 'required with ALIPAY_ROOT_CERT: certificate mode needs both files (or unset ALIPAY_ROOT_CERT for public-key mode)');
    }
  }

  const certificates = appCert && rootCertSn ? { appCertSn: appCert.sn, rootCertSn, appCertNotAfter: appCert.notAfter } : null;
  const summary: ReconcileSummary = {
    enabled: appPrivateKey !== null,
    gateway: gatewayUrl ? `${gatewayUrl.origin}${gatewayUrl.pathname}` : gatewayText.trim().slice(0, 80),
    appPublicKeyFingerprint: appPrivateKey?.publicFingerprint ?? null,
    certificateMode: certificates !== null,
    ...(certificates
      ? { appCertSn: certificates.appCertSn, appCertNotAfter: new Date(certificates.appCertNotAfter).toISOString(), rootCertSn: certificates.rootCertSn }
      : {}),
    schedule: scheduleMs.map(formatDuration),
  };
  if (settings.problems.length > before || gatewayUrl === null) return null;
  return {
    reconcile: appPrivateKey ? { appPrivateKey, gatewayUrl: gatewayUrl.href, certificates, scheduleMs } : null,
    summary,
  };
}

async function loadKeySafely(text: string, alipay: AlipaySettings | null): Promise<{ ok: true; key: LoadedPrivateKey } | { ok: false; problem: string }> {
  try {
    const loaded = await loadPrivateKey(text, { alipayKeys: alipay?.keys ?? [] });
    return loaded.ok ? { ok: true, key: loaded.key } : { ok: false, problem: hintForGateway(loaded.problem, loaded.advice) };
  } catch {
    // loadPrivateKey promises not to throw; if it ever does, the message must still not quote the key.
    return { ok: false, problem: 'could not be read as a private key (unexpected error while importing it)' };
  }
}

/** https (http only for loopback), no credentials; a var, so quoting up to 80 characters of it is fine. */
function parseGatewayUrl(s: string, report: (m: string) => void, warn: (m: string) => void): URL | null {
  let url: URL;
  try {
    url = new URL(s.trim());
  } catch {
    report(`"${s.trim().slice(0, 80)}" is not an absolute URL (production: ${DEFAULTS.ALIPAY_GATEWAY_URL}; sandbox: ${ALIPAY_SANDBOX_GATEWAY_URL})`);
    return null;
  }
  if (hasCredentials(url)) {
    report(CREDENTIALS_REFUSED);
    return null;
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    report('must use https (plain http is only allowed for a local stand-in on localhost, 127.0.0.1 or [::1])');
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    report(`must be an https URL, not ${url.protocol.replace(/:$/, '')}`);
    return null;
  }
  if (url.hostname === OLD_SANDBOX_HOST) {
    warn(`${OLD_SANDBOX_HOST} is the old sandbox address; the sandbox gateway is now ${ALIPAY_SANDBOX_GATEWAY_URL}`);
  } else if (!ALIPAY_GATEWAY_HOSTS.has(url.host) && !LOOPBACK_HOSTS.has(url.hostname)) {
    warn(`${url.host} is not Alipay's gateway (production ${new URL(DEFAULTS.ALIPAY_GATEWAY_URL).host}, sandbox ${new URL(ALIPAY_SANDBOX_GATEWAY_URL).host})`);
  }
  return url;
}
