// Constant-time comparison of secrets and signatures.

/**
 * Constant-time equality for secrets and signatures: the loop always runs over the longer
 * input, so the time taken does not reveal how many leading bytes matched.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
