// The browser's word on where a request comes from: its Origin header against the address the
// request was made to (request.url as the Worker sees it). A page can change neither, so the two
// match only for a page of the gateway's own origin. Used by the console (a signed-in change must
// come from the console itself) and the buyer's status (a page on the gateway's host may read it).

/** Whether the browser says the request comes from a page of the gateway itself. */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  return origin !== null && origin === new URL(request.url).origin;
}
