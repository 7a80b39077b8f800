// The notify path's rejections, fed to the alert desk without slowing or blocking Alipay's answer:
// counted in memory per isolate and reported after the response (the request's waitUntil). While
// one report is in flight, later rejections wait for the next, so a flood of forged notifications
// becomes a few reports per isolate, not one call per request. Best effort: a report that fails
// is logged and dropped (each rejection's own log line stays the full record).

import type { GatewayEnv } from '../env';
import { logLine } from '../log';
import { alertDesk } from './desk-stub';

/**
 * The rejections an alert counts: signatures that do not verify, certificates the gateway does not
 * have, and notifications Alipay really signed that the gateway still refused (a charset it cannot
 * read, a field out of format, another app id...): each of those is a payment Alipay gives up on
 * after its re-sends unless somebody fixes the cause.
 */
export type AlertedRejection =
  | { reason: 'signature-mismatch' | 'signature-encoding' }
  | { reason: 'unknown-cert-sn'; sn: string }
  | { reason: 'genuine-refused'; refusal: string };

/** Distinct SNs held between reports; an attacker naming a new SN per request adds to the count of the last one. */
const MAX_SNS = 8;

let signatureFailures = 0;
const unknownSns = new Map<string, number>();
/** By refusal reason: a fixed, small set (the core's reasons after verification). */
const genuineRefusals = new Map<string, number>();
let reporting: Promise<void> | null = null;

/** Counts one rejection and makes sure a report follows the response. */
export function feedRejection(env: GatewayEnv, rejection: AlertedRejection, ctx: Pick<ExecutionContext, 'waitUntil'>): void {
  if (rejection.reason === 'unknown-cert-sn') {
    const key = unknownSns.has(rejection.sn) || unknownSns.size < MAX_SNS ? rejection.sn : [...unknownSns.keys()].at(-1)!;
    unknownSns.set(key, (unknownSns.get(key) ?? 0) + 1);
  } else if (rejection.reason === 'genuine-refused') {
    genuineRefusals.set(rejection.refusal, (genuineRefusals.get(rejection.refusal) ?? 0) + 1);
  } else {
    signatureFailures += 1;
  }
  reporting ??= report(env).finally(() => (reporting = null));
  ctx.waitUntil(reporting);
}

async function report(env: GatewayEnv): Promise<void> {
  while (signatureFailures > 0 || unknownSns.size > 0 || genuineRefusals.size > 0) {
    const batch = {
      signatureFailures,
      unknownCertSns: [...unknownSns].map(([sn, count]) => ({ sn, count })),
      genuineRefusals: [...genuineRefusals].map(([reason, count]) => ({ reason, count })),
      at: Date.now(),
    };
    signatureFailures = 0;
    unknownSns.clear();
    genuineRefusals.clear();
    try {
      await alertDesk(env).rejections(batch);
    } catch (error) {
      logLine({ level: 'warn', msg: 'rejections not reported to the alert desk', signature_failures: batch.signatureFailures, error });
    }
  }
}
