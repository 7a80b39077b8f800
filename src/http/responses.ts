// Every response the gateway makes goes through here: plain text or JSON, never cached (a stale
// "success", "ok" or ledger view from a cache would mislead Alipay or an operator).

import { createResponse } from 'itty-router';

type Headers = Readonly<Record<string, string>>;

const NO_STORE = { 'cache-control': 'no-store' } as const;
const plain = createResponse('text/plain; charset=utf-8');
const prettyJson = createResponse('application/json; charset=utf-8', (body: unknown) => JSON.stringify(body, null, 2));

/** Text exactly as given: Alipay compares the notify answer byte for byte with `success`. */
export function textResponse(status: number, body: string, headers: Headers = {}): Response {
  return plain(body, { status, headers: { ...NO_STORE, ...headers } }) as Response;
}

export function jsonResponse(status: number, body: unknown, headers: Headers = {}): Response {
  return prettyJson(body, { status, headers: { ...NO_STORE, ...headers } }) as Response;
}

export function notFound(): Response {
  return textResponse(404, 'not found');
}

export function methodNotAllowed(allow: string): Response {
  return textResponse(405, 'method not allowed', { allow });
}

export function redirect(location: string, headers: Headers = {}): Response {
  return new Response(null, { status: 302, headers: { location, ...NO_STORE, ...headers } });
}
