// Why a delivery got no answer at all, named for the operator: DNS, refused, TLS, reset.
//
// workerd says little. Measured with wrangler 4.86 / workerd 2026-04-26 (`wrangler dev`):
//   connection refused, or accepted and closed/reset before any answer -> Error "Network connection lost."
//   DNS lookup failed, TLS handshake failed                            -> Error "internal error; reference = <id>"
// with no `cause` and no code (only `remote`/`retryable` flags), while the real reason goes to
// workerd's own log. So refused and reset cannot be told apart here, and for an https URL with a
// host name neither can DNS and TLS; the URL narrows the rest down (no TLS over http, no DNS for an
// IP address). Messages that do name a cause (Node's fetch, a future workerd) are read as they are.

export type ConnectionFailure = 'dns' | 'refused' | 'tls' | 'dns-or-tls' | 'reset' | 'unknown';

export interface NamedConnectionError {
  readonly cause: ConnectionFailure;
  /** One line: what failed, where, and what to check. */
  readonly hint: string;
}

const WORKERD_CONNECTION_LOST = /^network connection lost\.?$/i;
const WORKERD_INTERNAL_ERROR = /^internal error; reference = /i;

/** Cause from wording or error codes (Node: `cause.code`), before falling back to workerd's two messages. */
const NAMED_CAUSES: readonly [RegExp, ConnectionFailure][] = [
  [/ENOTFOUND|EAI_AGAIN|EAI_NONAME|DNS|getaddrinfo|name (?:or service )?not (?:known|resolved)/i, 'dns'],
  [/ECONNREFUSED|connection refused/i, 'refused'],
  [/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|handshake|certificate/i, 'tls'],
  [/ECONNRESET|EPIPE|UND_ERR_SOCKET|reset|socket hang up|other side closed/i, 'reset'],
];

function textOf(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  return [e?.message, e?.code, e?.cause?.code, e?.cause?.message].filter((p) => typeof p === 'string').join(' ');
}

function isIpAddress(hostname: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');
}

/** `host:port` as the origin is dialled (default ports spelled out). */
function endpointOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

function causeOf(error: unknown, url: URL): ConnectionFailure {
  const text = textOf(error);
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && WORKERD_CONNECTION_LOST.test(message.trim())) return 'refused';
  if (typeof message === 'string' && WORKERD_INTERNAL_ERROR.test(message.trim())) {
    if (url.protocol === 'http:') return 'dns';
    return isIpAddress(url.hostname) ? 'tls' : 'dns-or-tls';
  }
  return NAMED_CAUSES.find(([pattern]) => pattern.test(text))?.[1] ?? 'unknown';
}

/** Names the failure of a fetch() to `url` that threw before any response arrived. */
export function nameConnectionError(error: unknown, urlText: string): NamedConnectionError {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    return { cause: 'unknown', hint: 'ORIGIN_URL is not a URL' };
  }
  const host = url.hostname;
  const at = endpointOf(url);
  const cause = causeOf(error, url);
  switch (cause) {
    case 'dns':
      return { cause, hint: `DNS lookup failed: the host name ${host} does not resolve (check ORIGIN_URL, and this machine's network)` };
    case 'refused':
      return { cause, hint: `connection refused (or reset before any answer) by ${at}: is the origin running and listening there?` };
    case 'tls':
      return { cause, hint: `TLS handshake with ${at} failed: the origin must serve https with a valid certificate` };
    case 'dns-or-tls':
      return {
        cause,
        hint: `DNS lookup or TLS handshake failed for ${at}: check that ${host} resolves (and this machine's network), and that it serves https with a valid certificate`,
      };
    case 'reset':
      return { cause, hint: `the connection to ${at} was reset before the origin answered` };
    case 'unknown': {
      const name = error instanceof Error ? error.name : 'Error';
      const detail = textOf(error).replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 120);
      return { cause, hint: `could not reach ${at}: ${name}${detail ? `: ${detail}` : ''}` };
    }
  }
}
