// globalSetup of the `workers` project (runs in the main vitest process). The Workers pool stops
// each test file's runner by closing its WebSocket, and workerd then reports that closed socket on
// stdout as `exception = workerd/api/web-socket.c++:NNN: disconnected: WebSocket peer disconnected`,
// once per file: noise on every green run. The pool already drops the sibling messages of normal
// teardown ("disconnected: WebSocket was aborted", "disconnected: operation canceled"); this
// wording is missing from the list of the pinned pool (0.15.1) and was added upstream in
// cloudflare/workers-sdk#13833. Until the pin moves, exactly that line is dropped here; every
// other line workerd prints still shows.

const PEER_DISCONNECTED = /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n?$/;

let installed = false;

export default function dropPoolNoise(): void {
  if (installed) return;
  installed = true;
  const write = process.stdout.write;
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && PEER_DISCONNECTED.test(chunk)) {
      const done = rest.find((arg): arg is () => void => typeof arg === 'function');
      done?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
}
