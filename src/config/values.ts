// Small parsers for single settings. Each returns the parsed value or a message that never
// quotes the input, so the section readers can use them for secrets and vars alike.

import { unquote } from '../utils/pasted-text';
import { base64Decode } from '../utils/base64';
import { utf8Encode } from '../utils/bytes';

type ValueResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Between list items: commas, and what a Chinese keyboard types for them (，、), or semicolons. */
const LIST_SEPARATORS = /[,，、;；]/;
const LIST_SEPARATORS_OR_SPACE = /[,，、;；\s]/;

/**
 * A comma-separated list; blanks between commas are dropped so `a, b,` means [a, b]. Full-width
 * commas (，), the enumeration comma (、) and semicolons separate too.
 */
export function splitList(s: string): string[] {
  return splitOn(s, LIST_SEPARATORS);
}

/** splitList for items that never contain whitespace (ids, origins): spaces and line breaks separate as well. */
export function splitWordList(s: string): string[] {
  return splitOn(s, LIST_SEPARATORS_OR_SPACE);
}

function splitOn(s: string, separators: RegExp): string[] {
  return s
    .split(separators)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

// Plain http is only safe when the bytes never leave the machine (local development).
export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** user:password@ in a URL: fetch sends neither (no Authorization header), so they protect nothing. */
export const CREDENTIALS_REFUSED = 'must not carry a user name or password (fetch does not send them)';

export function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

/** A #fragment stays in the browser: a server-to-server request (a delivery, an alert) never carries it. */
export const FRAGMENT_REFUSED = 'must not end in a #fragment: requests never carry it, so the page would not see it (put it in the query string)';

/** An absolute https URL (http allowed for loopback), without credentials. Messages name the problem, not the URL. */
export function parseOriginUrl(s: string): ValueResult<URL> {
  let url: URL;
  try {
    url = new URL(s.trim());
  } catch {
    return { ok: false, message: 'not an absolute URL (expected e.g. https://shop.example.com/alipay/notify_url.asp)' };
  }
  if (hasCredentials(url)) {
    return { ok: false, message: `${CREDENTIALS_REFUSED}: protect the page another way (check the request's signature, or a token in the query string)` };
  }
  if (url.protocol === 'https:') return { ok: true, value: url };
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return { ok: true, value: url };
    return { ok: false, message: 'must use https (plain http is only allowed for localhost, 127.0.0.1 and [::1])' };
  }
  return { ok: false, message: `must be an https URL, not ${url.protocol.replace(/:$/, '')}` };
}

const WHSEC_PREFIX = 'whsec_';
const WHSEC_MIN_BYTES = 24;
const WHSEC_MAX_BYTES = 64;

/** Quote characters left at either end of an entry once a quoted list is split ("a", "b"). */
const STRAY_QUOTES = /^["'\u201C\u201D\u2018\u2019]+|["'\u201C\u201D\u2018\u2019]+$/g;

/**
 * Standard Webhooks secrets, separated by spaces, line breaks or commas, for rotation (newest
 * first). Quotes around the value or around an entry are not part of it. Entries are referred to
 * by position ("entry 2 of 3"), never by content.
 */
export function parseWebhookSecrets(s: string): ValueResult<Uint8Array[]> {
  const entries = splitWordList(unquote(s))
    .map((e) => e.replace(STRAY_QUOTES, ''))
    .filter((e) => e !== '');
  if (entries.length === 0) return { ok: false, message: 'required' };
  const secrets: Uint8Array[] = [];
  const problems: string[] = [];
  entries.forEach((entry, i) => {
    const which = entries.length > 1 ? `entry ${i + 1} of ${entries.length}` : 'the value';
    if (!entry.startsWith(WHSEC_PREFIX)) {
      problems.push(`${which} does not start with ${WHSEC_PREFIX} (generate one with: npx alipay-notify-edge secret)`);
      return;
    }
    const bytes = base64Decode(entry.slice(WHSEC_PREFIX.length));
    if (bytes === null) {
      problems.push(`${which} is not ${WHSEC_PREFIX} followed by standard base64`);
    } else if (bytes.length < WHSEC_MIN_BYTES || bytes.length > WHSEC_MAX_BYTES) {
      problems.push(`${which} decodes to ${bytes.length} bytes; a secret must be ${WHSEC_MIN_BYTES} to ${WHSEC_MAX_BYTES} bytes`);
    } else {
      secrets.push(bytes);
    }
  });
  return problems.length > 0 ? { ok: false, message: problems.join('; ') } : { ok: true, value: secrets };
}

/** Where the legacy key is found, for every message about it. */
const MD5_KEY_IS = 'the MD5 key (合作伙伴密钥 / MD5密钥) from the Alipay merchant console, 32 letters and digits';
const PARTNER_ID = /^2088\d{12}$/;

/** What is wrong with the shape of a pasted MD5 key, in words: never a character of it. */
function md5KeyShape(s: string): string | null {
  if (/\s/.test(s)) return 'contains whitespace: a key is one word; copy it again, without the text around it';
  if (PARTNER_ID.test(s)) return 'looks like your partner id (PID, 2088 and 12 digits), not the key: the key is shown next to it';
  if (/[^\x21-\x7e]/.test(s)) return 'contains characters that are not ASCII letters, digits or punctuation (a full-width or invisible character from the page it was copied from?)';
  return null;
}

/**
 * ALIPAY_MD5_KEY: Alipay's legacy partner key, which is always 32 ASCII letters and digits. The
 * surrounding quotes are already gone (the settings reader); anything else is a pasting mistake.
 */
export function parseAlipayMd5Key(s: string): ValueResult<Uint8Array> {
  const shape = md5KeyShape(s);
  if (shape !== null) return { ok: false, message: `${shape}. Needed: ${MD5_KEY_IS}` };
  if (!/^[A-Za-z0-9]{32}$/.test(s)) {
    const what = /^[A-Za-z0-9]*$/.test(s) ? `has ${s.length} characters` : `has ${s.length} characters, not only letters and digits`;
    return { ok: false, message: `must be 32 ASCII letters and digits, and the value ${what}. Needed: ${MD5_KEY_IS}` };
  }
  return { ok: true, value: utf8Encode(s) };
}

const MIN_OWN_MD5_KEY_CHARS = 16;
const MAX_OWN_MD5_KEY_CHARS = 128;

/**
 * ORIGIN_MD5_KEY: the key the legacy page checks. Usually Alipay's 32-character partner key the
 * page already has, or a new key of the merchant's choice (docs/DEPLOY.md section 10): printable
 * ASCII (the page appends it to its sign content as bytes), one word, long enough not to be guessed.
 */
export function parseOriginMd5Key(s: string): ValueResult<Uint8Array> {
  const shape = md5KeyShape(s);
  const needed = `Needed: the key your legacy page checks the sign with: ${MD5_KEY_IS}, or a key of your own of ${MIN_OWN_MD5_KEY_CHARS} to ${MAX_OWN_MD5_KEY_CHARS} letters, digits and punctuation`;
  if (shape !== null) return { ok: false, message: `${shape}. ${needed}` };
  if (s.length < MIN_OWN_MD5_KEY_CHARS || s.length > MAX_OWN_MD5_KEY_CHARS) {
    return { ok: false, message: `has ${s.length} characters. ${needed}` };
  }
  return { ok: true, value: utf8Encode(s) };
}
