// The history's page cursor: where the next page starts, opaque to the client (base64url of
// "<firstSeenAt ms>\n<orderKey>"). It names a position in the newest-first order, not a month or
// shard, so it stays valid when shards are added.
import { base64Decode, base64Encode } from '../utils/base64';
import { utf8Encode } from '../utils/bytes';

export interface Cursor {
  at: number;
  orderKey: string;
}

const MAX_CURSOR_CHARS = 600;

export function encodeCursor(cursor: Cursor): string {
  return base64Encode(utf8Encode(`${cursor.at}\n${cursor.orderKey}`)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(text: string): Cursor | null {
  if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bytes = base64Decode(padded);
  if (bytes === null) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
  const newline = decoded.indexOf('\n');
  const at = Number(decoded.slice(0, newline));
  if (newline < 1 || !Number.isSafeInteger(at) || !/^\d+$/.test(decoded.slice(0, newline))) return null;
  return { at, orderKey: decoded.slice(newline + 1) };
}
