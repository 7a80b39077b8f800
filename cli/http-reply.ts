// Reading an HTTP answer with a size cap: the tool talks to URLs the user typed, and a wrong one
// (or a hostile one) must not make it buffer an unbounded body.

import { concatBytes } from '../src/alipay/bytes';

/** The body's bytes, or null when it is larger than `limit` (the rest is not read). */
export async function readReplyCapped(response: Response, limit: number): Promise<Uint8Array | null> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}
