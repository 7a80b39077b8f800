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

/** 204 with no body at all: the Fetch standard forbids one, and workerd warns about an empty string. */
export function noContent(headers: Headers = {}): Response {
  return new Response(null, { status: 204, headers: { ...NO_STORE, ...headers } });
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

/** A page of the operator console (or its sign-in form): never cached, with the caller's security headers. */
export function htmlResponse(status: number, html: string, headers: Headers = {}): Response {
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE, ...headers } });
}

/**
 * A file the gateway ships (console scripts and styles, the status widget). `no-cache` with an
 * ETag: the browser keeps a copy but asks every time, so a deploy is seen at once and an
 * unchanged file costs a 304.
 */
export function assetResponse(request: Request, body: string, contentType: string, etag: string, headers: Headers = {}): Response {
  const common = { etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', ...headers };
  const cached = request.headers.get('if-none-match');
  if (cached !== null && cached.split(',').some((tag) => tag.trim() === etag)) return new Response(null, { status: 304, headers: common });
  return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': contentType, ...common } });
}
