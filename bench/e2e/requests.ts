// The requests bench:e2e sends: a notification to the notify path, or any body to the bench-only
// baseline route; each answer counts only when it is exactly 200 `success`.
import { BASELINE_PATH } from './baseline-route';
import type { Request } from './load';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** `onSuccess` runs when the answer is `success`: only then is the notification recorded, and worth re-sending. */
export function notifyRequest(url: string, body: Uint8Array, onSuccess?: () => void): Request {
  return { url, init: { method: 'POST', headers: FORM, body }, ok: successCheck(onSuccess) };
}

/** The same body to order `order`'s BaselineOrder object (bench/e2e/worker.ts), which stores it with one INSERT (`withIndex`: and owes the index a row). */
export function baselineRequest(gatewayUrl: string, order: string, body: Uint8Array, onSuccess?: () => void, withIndex = false): Request {
  const url = `${gatewayUrl}${BASELINE_PATH}?order=${encodeURIComponent(order)}${withIndex ? '&index=1' : ''}`;
  return { url, init: { method: 'POST', headers: FORM, body }, ok: successCheck(onSuccess) };
}

function successCheck(onSuccess?: () => void): Request['ok'] {
  return (status, text) => {
    const ok = status === 200 && text === 'success';
    if (ok) onSuccess?.();
    return ok;
  };
}
