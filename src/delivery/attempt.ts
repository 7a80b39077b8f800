// One delivery attempt to the origin. Never throws: every way an origin can fail becomes a reason.
import { readUpTo } from '../utils/read-capped';
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
      excerpt: string;
    };

/** Enough of the response to compare an ack body and to show the operator; the rest is not read. */
const MAX_RESPONSE_BYTES = 4096;
const EXCERPT_CHARS = 200;

export async function attemptDelivery(request: AttemptRequest, fetchImpl: typeof fetch = fetch): Promise<AttemptOutcome> {
  const started = Date.now();
  const signal = AbortSignal.timeout(request.timeoutMs);
  const fail = (reason: AttemptFailureReason, hint: string, status: number | null = null, excerpt = '', retryAfterMs: number | null = null) =>
    ({ ok: false as const, reason, hint, status, retryAfterMs, durationMs: Date.now() - started, excerpt });

  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal,
      // A redirected POST loses its body in most clients; report it rather than follow it.
      redirect: 'manual',
    });
    text = await readCapped(response);
  } catch (error) {
    if (signal.aborted) return fail('timeout', `the origin did not answer within ${request.timeoutMs} ms (DELIVERY_TIMEOUT)`);
    return fail('network-error', `could not reach the origin: ${errorName(error)}`);
  }

  const excerpt = sanitize(text);
  if (response.status < 200 || response.status > 299) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const location = response.headers.get('location');
    const hint = response.status >= 300 && response.status < 400
      ? `the origin redirected${location ? ` to ${sanitize(location)}` : ''}; set ORIGIN_URL to the final address`
      : `the origin answered HTTP ${response.status}`;
    return fail('http-status', hint, response.status, excerpt, retryAfterMs);
  }
  if (request.ackBody !== null && text.trim() !== request.ackBody) {
    return fail('wrong-ack', `the origin answered 2xx but its body is not "${request.ackBody}" (ORIGIN_ACK_BODY)`, response.status, excerpt);
  }
  return { ok: true, status: response.status, durationMs: Date.now() - started, excerpt };
}

/** The origin's answer, only as much as an ack body and an excerpt need. */
async function readCapped(response: Response): Promise<string> {
  return new TextDecoder('utf-8').decode((await readUpTo(response.body, MAX_RESPONSE_BYTES)).bytes);
}

/** Short, single-line, printable: safe for a log line and an admin view. */
function sanitize(text: string): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > EXCERPT_CHARS ? `${oneLine.slice(0, EXCERPT_CHARS)}…` : oneLine;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return sanitize(`${error.name}: ${error.message}`);
  return 'unknown error';
}
