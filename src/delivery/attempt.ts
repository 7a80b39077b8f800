// One delivery attempt to the origin. Never throws: every way an origin can fail becomes a reason
// and a one-line hint that names the cause (the hint becomes the event's last_error).
import { boundedFetch } from '../utils/bounded-fetch';
import { answerExcerpt } from './answer-excerpt';
import { nameConnectionError } from './connection-error';
import { parseRetryAfter } from './retry';

export interface AttemptRequest {
  readonly url: string;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** When set, a 2xx only counts if the trimmed response body equals it (legacy pages print `success`). */
  readonly ackBody: string | null;
}

export type AttemptFailureReason = 'timeout' | 'network-error' | 'http-status' | 'wrong-ack';

export type AttemptOutcome =
  | { ok: true; status: number; durationMs: number; excerpt: string }
  | {
      ok: false;
      reason: AttemptFailureReason;
      hint: string;
      status: number | null;
      /** From the origin's Retry-After header, when it sent a readable one. */
      retryAfterMs: number | null;
      durationMs: number;
      /** The start of the origin's answer: one line, buyer identities masked (it goes to logs). */
      excerpt: string;
    };

/** Enough of the answer to compare an ack body and to show the operator. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * Statuses Cloudflare's edge answers with when it could not get an answer from a server: in
 * production these come back as responses, where `wrangler dev` throws (see connection-error.ts).
 */
const EDGE_STATUS: Readonly<Record<number, string>> = {
  521: 'connection refused: the origin web server refused the connection (Cloudflare 521)',
  522: 'connect timeout: the origin did not accept the connection in time (Cloudflare 522)',
  523: 'origin unreachable: no route to the origin (Cloudflare 523)',
  524: 'the origin accepted the request but did not answer in time (Cloudflare 524)',
  525: 'TLS handshake with the origin failed (Cloudflare 525)',
  526: "TLS: the origin's certificate is not valid (Cloudflare 526)",
};

export async function attemptDelivery(request: AttemptRequest, fetchImpl: typeof fetch = fetch): Promise<AttemptOutcome> {
  const started = Date.now();
  const fail = (reason: AttemptFailureReason, hint: string, status: number | null = null, excerpt = '', retryAfterMs: number | null = null) =>
    ({ ok: false as const, reason, hint, status, retryAfterMs, durationMs: Date.now() - started, excerpt });

  // A redirected POST loses its body in most clients: boundedFetch never follows one, the 3xx is reported.
  const got = await boundedFetch(
    request.url,
    { method: 'POST', headers: request.headers, body: request.body },
    { timeoutMs: request.timeoutMs, maxBytes: MAX_RESPONSE_BYTES, fetch: fetchImpl },
  );
  if (!got.ok) {
    if (got.timedOut) return fail('timeout', `the origin did not answer within ${request.timeoutMs} ms (DELIVERY_TIMEOUT)`);
    if (got.response === null) return fail('network-error', nameConnectionError(got.error, request.url).hint);
    return fail('network-error', `the connection was reset while the origin was answering (HTTP ${got.response.status})`, got.response.status);
  }
  const { response } = got;
  const text = new TextDecoder('utf-8').decode(got.bytes);

  const excerpt = answerExcerpt(text);
  if (response.status < 200 || response.status > 299) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    return fail('http-status', statusHint(response, text), response.status, excerpt, retryAfterMs);
  }
  if (request.ackBody !== null && text.trim() !== request.ackBody) {
    return fail('wrong-ack', `the origin answered 2xx but its body is not "${request.ackBody}" (ORIGIN_ACK_BODY)`, response.status, excerpt);
  }
  return { ok: true, status: response.status, durationMs: Date.now() - started, excerpt };
}

function statusHint(response: Response, text: string): string {
  const status = response.status;
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    return `the origin redirected${location ? ` to ${answerExcerpt(location)}` : ''}; set ORIGIN_URL to the final address`;
  }
  // 530 with Cloudflare's error 1016 in its page: the origin's host name has no DNS record.
  if (status === 530 && /\b1016\b/.test(text)) return "DNS lookup failed: ORIGIN_URL's host name does not resolve (Cloudflare 530, error 1016)";
  return EDGE_STATUS[status] ?? `the origin answered HTTP ${status}`;
}
