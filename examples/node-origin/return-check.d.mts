// Types for return-check.mjs.

export type ReturnVerdict =
  /** The gateway says Alipay signed this return (display "paid, confirming"; credit only from the webhook). */
  | { ok: true; verified: true; params: URLSearchParams }
  /** The gateway checked it and it is NOT Alipay-signed (or not for this merchant): `reason` says why. */
  | { ok: true; verified: false; reason: string; params: URLSearchParams }
  /** The gw_ parameters themselves are missing, stale or forged: ignore the query entirely. */
  | { ok: false; reason: 'not-from-gateway' | 'expired' | 'signature-mismatch' };

export function checkReturn(
  query: string,
  secrets: string,
  options?: { nowSeconds?: number; toleranceSeconds?: number },
): Promise<ReturnVerdict>;
