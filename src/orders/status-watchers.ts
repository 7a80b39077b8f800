// Buyers' pages watching this order's status over WebSockets, held with the Hibernation API: an
// open socket costs nothing while the order sleeps, and the ledger pushes the status the moment
// it records a notification. The Worker has checked the signed link before forwarding the
// upgrade (src/http/status.ts); the link's expiry travels along and closes the socket after it.
import type { BuyerStatus } from '../payments/types';

/** Inside the gateway only: the Worker reaches a ledger's status socket through stub.fetch, never from outside. */
export const LEDGER_STATUS_SOCKET_URL = 'https://ledger.internal/status-socket';
export const LINK_EXPIRY_HEADER = 'x-status-link-exp';

const TAG = 'status';
/** A buyer has a tab or two open; far more on one order is a misbehaving client. */
const MAX_WATCHERS = 64;
/** Policy violation: the signed link is no longer valid (the page may mint a new one). */
const CLOSE_EXPIRED = 1008;
/** Unsupported data: the buyer's page has nothing to say on this socket. */
const CLOSE_UNSUPPORTED = 1003;

interface Attachment {
  /** The link's expiry, Unix seconds. */
  exp: number;
  /** The last JSON sent on this socket: only a change is sent again. */
  sent: string;
}

export class StatusWatchers {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly current: () => BuyerStatus,
  ) {}

  /** Accepts the upgrade forwarded by the Worker and sends the status at once. */
  accept(request: Request): Response {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const exp = Number(request.headers.get(LINK_EXPIRY_HEADER));
    if (!Number.isSafeInteger(exp)) return new Response('missing link expiry', { status: 400 });
    // Expired links are closed first: sockets nobody may use any more must not keep the buyer out.
    if (this.closeExpired(Date.now()) >= MAX_WATCHERS) return new Response('too many watchers on this order', { status: 429 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [TAG]);
    const text = JSON.stringify(this.current());
    server.serializeAttachment({ exp, sent: text } satisfies Attachment);
    server.send(text);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** After anything that may change the status: sends it to each watcher that has not seen it; closes expired links (after sending it). */
  broadcast(now = Date.now()): void {
    const sockets = this.ctx.getWebSockets(TAG);
    if (sockets.length === 0) return;
    const text = JSON.stringify(this.current());
    for (const ws of sockets) {
      const attachment = ws.deserializeAttachment() as Attachment | null;
      try {
        if (live(attachment, now)) {
          if (attachment!.sent !== text) {
            ws.send(text);
            ws.serializeAttachment({ ...attachment!, sent: text } satisfies Attachment);
          }
        } else {
          // The change that finds the link expired is still the buyer's news (paid, say): sent, then closed.
          if (attachment !== null && attachment.sent !== text) ws.send(text);
          close(ws, CLOSE_EXPIRED, 'status link expired');
        }
      } catch {
        // Already closing: the runtime calls webSocketClose for it.
      }
    }
  }

  /** Closes the sockets whose link has expired; returns how many stay open. */
  private closeExpired(now: number): number {
    let open = 0;
    for (const ws of this.ctx.getWebSockets(TAG)) {
      if (live(ws.deserializeAttachment() as Attachment | null, now)) open++;
      else close(ws, CLOSE_EXPIRED, 'status link expired');
    }
    return open;
  }

  /** Watchers only listen: a socket that talks is closed, so no client can keep the order's object busy with messages. */
  message(ws: WebSocket): void {
    close(ws, CLOSE_UNSUPPORTED, 'this socket only sends the status');
  }

  /** The client said goodbye: complete the closing handshake. */
  closed(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}

/** Whether a socket's signed link still holds (one without an attachment has no link). */
function live(attachment: Attachment | null, now: number): boolean {
  return attachment !== null && attachment.exp * 1000 > now;
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing: the runtime calls webSocketClose for it.
  }
}
