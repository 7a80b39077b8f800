// Certificates that expire soon (checked once a day by the cron trigger): Alipay's public key
// certificates (notifications and answers stop verifying when they lapse) and, when the gateway
// asks Alipay in certificate mode, the app's own certificate (queries are refused). Pure.

import type { Alert } from './types';
import { DAY_MS } from '../utils/duration';

export const CERT_WARNING_MS = 30 * DAY_MS;

export interface WatchedCertificate {
  /** `alipay` for alipayCertPublicKey_RSA2.crt, `app` for appCertPublicKey_<app_id>.crt. */
  readonly role: 'alipay' | 'app';
  readonly sn: string;
  /** Epoch ms. */
  readonly notAfter: number;
}

const WHAT: Record<WatchedCertificate['role'], { name: string; setting: string; effect: string }> = {
  alipay: {
    name: 'Alipay public key certificate (alipayCertPublicKey_RSA2.crt)',
    setting: 'ALIPAY_PUBLIC_KEY',
    effect: 'notifications signed with the renewed certificate are refused until it is added',
  },
  app: {
    name: 'app certificate (appCertPublicKey_<app_id>.crt)',
    setting: 'ALIPAY_APP_CERT',
    effect: 'Alipay refuses the gateway\'s order queries once it has lapsed',
  },
};

/** One alert per certificate that has expired or expires within `withinMs` of `now`. */
export function expiringCertificates(certs: readonly WatchedCertificate[], now: number, withinMs = CERT_WARNING_MS): Alert[] {
  const alerts: Alert[] = [];
  for (const cert of certs) {
    const left = cert.notAfter - now;
    if (left > withinMs) continue;
    // During a renewal both certificates are configured: the old one lapsing is then expected.
    if (certs.some((other) => other !== cert && other.role === cert.role && other.notAfter - now > withinMs)) continue;
    const what = WHAT[cert.role];
    const when = new Date(cert.notAfter).toISOString().slice(0, 10);
    const state = left <= 0 ? `expired on ${when}` : `expires on ${when} (in ${Math.ceil(left / DAY_MS)} days)`;
    alerts.push({
      kind: 'certificate-expiring',
      summary: `The ${what.name} with SN ${cert.sn} ${state}: download the renewed one from the Alipay console and put it in ${what.setting} (${what.effect}).`,
      details: { role: cert.role, sn: cert.sn, not_after: new Date(cert.notAfter).toISOString() },
      at: now,
    });
  }
  return alerts;
}
