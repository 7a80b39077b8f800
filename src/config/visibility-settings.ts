// What the gateway shows about payments: the buyer's status links (STATUS_SECRET, the origins
// allowed to read them) and how the payments index is split (INDEX_SHARDS).

import { utf8Encode } from '../utils/bytes';
import { STATUS_PATH } from './names';
import type { SettingsReader } from './reader';
import type { VisibilitySettings } from './types';
import { LOOPBACK_HOSTS, splitWordList } from './values';

/** HMAC-SHA256 keys shorter than this are guessable offline from one leaked link. */
const MIN_STATUS_SECRET_CHARS = 32;
/** Each shard is one Durable Object per month that every page and total asks; more costs every query. */
export const MAX_INDEX_SHARDS = 16;
const MAX_ALLOWED_ORIGINS = 20;

/** The visibility settings, or null when one of them has a problem (reported to `settings`). */
export function readVisibilitySettings(settings: SettingsReader, notifyPath: string | null): VisibilitySettings | null {
  const { problem, warn } = settings;
  const before = settings.problems.length;

  let statusSecret: Uint8Array | null = null;
  const secretText = settings.text('STATUS_SECRET');
  if (secretText !== undefined) {
    const secret = secretText.trim();
    if (secret.length < MIN_STATUS_SECRET_CHARS) {
      problem('STATUS_SECRET', `too short: use at least ${MIN_STATUS_SECRET_CHARS} random characters (or unset it to disable ${STATUS_PATH})`);
    } else {
      statusSecret = utf8Encode(secret);
    }
    if (notifyPath === STATUS_PATH) problem('NOTIFY_PATH', `${STATUS_PATH} is taken by the buyer's status page while STATUS_SECRET is set; choose another path`);
  }

  const originsText = settings.text('STATUS_ALLOWED_ORIGINS');
  const allowedOrigins: string[] = [];
  if (originsText !== undefined) {
    const items = splitWordList(originsText);
    if (items.length > MAX_ALLOWED_ORIGINS) problem('STATUS_ALLOWED_ORIGINS', `too many origins (${items.length}; at most ${MAX_ALLOWED_ORIGINS})`);
    for (const item of items.slice(0, MAX_ALLOWED_ORIGINS)) {
      const parsed = parseWebOrigin(item);
      if (parsed.ok) allowedOrigins.push(parsed.origin);
      else problem('STATUS_ALLOWED_ORIGINS', `"${item.slice(0, 60)}" ${parsed.message}`);
    }
    if (secretText === undefined) warn('STATUS_ALLOWED_ORIGINS', `set but not used: ${STATUS_PATH} is off while STATUS_SECRET is unset`);
  }

  const shardsText = settings.withDefault('INDEX_SHARDS').trim();
  const indexShards = /^\d{1,3}$/.test(shardsText) ? Number(shardsText) : NaN;
  if (!(indexShards >= 1 && indexShards <= MAX_INDEX_SHARDS)) {
    problem('INDEX_SHARDS', `must be a whole number from 1 to ${MAX_INDEX_SHARDS}, not "${shardsText.slice(0, 40)}" (raise it only, never lower it: rows stay in the shard they were written to)`);
  }

  if (settings.problems.length > before) return null;
  return { statusSecret, statusAllowedOrigins: allowedOrigins, indexShards };
}

type OriginResult = { ok: true; origin: string } | { ok: false; message: string };

/**
 * A browser origin exactly as the `Origin` header spells it: scheme, host and port only. https,
 * or http for loopback (a page served by `npm start`'s demo origin). A host in Chinese (or any
 * IDN) is kept as its punycode, which is what the browser sends; a default port is dropped.
 */
function parseWebOrigin(s: string): OriginResult {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return { ok: false, message: 'is not an origin (expected e.g. https://shop.example.com)' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return { ok: false, message: 'must be https (plain http only for localhost, 127.0.0.1 and [::1])' };
  }
  // Nothing but the origin: no user name, path (beyond "/"), query or fragment, not even an empty one.
  if (url.href !== `${url.origin}/`) return { ok: false, message: `is not an origin: write only scheme, host and port (${url.origin})` };
  return { ok: true, origin: url.origin };
}
