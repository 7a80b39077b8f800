// What /health shows of a valid configuration: enough to see that a deploy is configured right,
// nothing that is secret (no key material beyond public fingerprints, no full URL).

import { EVENT_KINDS } from '../alipay/types';
import { formatDuration } from '../utils/duration';
import type { AlertSummary } from './alert-settings';
import type { ForwardSection } from './forward-settings';
import { formatProblem } from './reader';
import type { ReconcileSummary } from './reconcile-settings';
import type { RouteSection } from './route-settings';
import type { AlipaySettings, ConfigProblem, ConfigSummary, VisibilitySettings } from './types';

export function summarize(
  alipay: AlipaySettings,
  out: ForwardSection,
  routes: RouteSection,
  warnings: ConfigProblem[],
  extra: { visibility: VisibilitySettings; reconcile: ReconcileSummary; alerts: AlertSummary | null },
): ConfigSummary {
  const { forward } = out;
  return {
    signTypes: [...alipay.signTypes],
    keys: alipay.keys.map((k) => ({
      form: k.form,
      bits: k.modulusBits,
      fingerprint: k.fingerprint,
      ...(k.certSn ? { certSn: k.certSn } : {}),
      ...(k.notAfter !== undefined ? { notAfter: new Date(k.notAfter).toISOString() } : {}),
    })),
    appIds: [...alipay.appIds],
    sellerIds: [...alipay.sellerIds],
    maxNotifyAge: formatDuration(alipay.maxNotifyAgeMs),
    notifyPath: routes.notifyPath,
    ackMode: out.ackMode,
    originHost: out.originHost,
    forward: {
      format: forward.format,
      events: EVENT_KINDS.filter((k) => forward.events.has(k)),
      ackBody: forward.ackBody,
      signing: forward.signing,
      secrets: forward.secrets.length,
      timeout: formatDuration(forward.timeoutMs),
      retrySchedule: forward.retryScheduleMs.map(formatDuration),
      maxAttempts: forward.retryScheduleMs.length + 1,
      maxRps: forward.maxRps,
    },
    returnUrlHost: routes.returnUrl?.host ?? null,
    adminApi: routes.adminToken !== null,
    statusPage: { enabled: extra.visibility.statusSecret !== null, allowedOrigins: [...extra.visibility.statusAllowedOrigins] },
    indexShards: extra.visibility.indexShards,
    reconcile: extra.reconcile,
    alerts: extra.alerts,
    warnings: warnings.map(formatProblem),
  };
}
