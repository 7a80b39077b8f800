// One outbound request with a time limit on the whole exchange (the answer's body included) and a
// cap on how much of the answer is read: a delivery to the origin, a query to Alipay, an alert to a
// robot. Redirects are never followed (a redirected POST loses its body in most clients): each
// caller sees the 3xx and says what to change. `fetch` is injected or the platform's.
import { readUpTo } from './read-capped';

export interface FetchLimits {
  /** For the whole exchange: the request, the answer's headers and as much of its body as is read. */
  readonly timeoutMs: number;
  /** The most bytes of the answer read; the rest is never read. */
  readonly maxBytes: number;
  readonly fetch?: typeof fetch;
}

export type BoundedFetchResult =
  | { ok: true; response: Response; bytes: Uint8Array; truncated: boolean }
  | {
      ok: false;
      /** The time limit cut it off (otherwise the connection failed: refused, reset, DNS, TLS…). */
      timedOut: boolean;
      /** `request`: no answer came; `answer`: the answer's body broke off (`response` has its status). */
      stage: 'request' | 'answer';
      error: unknown;
      response: Response | null;
    };

/** Never throws: a failure to connect, a timeout or an answer that breaks off is a result. */
export async function boundedFetch(url: string, init: Omit<RequestInit, 'signal' | 'redirect'>, limits: FetchLimits): Promise<BoundedFetchResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  try {
    let response: Response;
    try {
      response = await (limits.fetch ?? fetch)(url, { ...init, signal: controller.signal, redirect: 'manual' });
    } catch (error) {
      return { ok: false, timedOut, stage: 'request', error, response: null };
    }
    try {
      const read = await readUpTo(response.body, limits.maxBytes);
      return { ok: true, response, bytes: read.bytes, truncated: read.truncated };
    } catch (error) {
      return { ok: false, timedOut, stage: 'answer', error, response };
    }
  } finally {
    clearTimeout(timer);
  }
}
