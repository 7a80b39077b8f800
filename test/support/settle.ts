/**
 * How long a test waits for what the gateway does by itself (an alarm, a delivery, an index push,
 * an alert) before it fails. Generous: `npm test` runs every suite at once on a 2-core machine,
 * where workerd's alarms can fire seconds late. A passing test waits only as long as it must.
 */
export const SETTLE_MS = 15_000;
