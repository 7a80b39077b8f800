// Small parsers for single settings. Each returns the parsed value or a message that never
// quotes the input, so the section readers can use them for secrets and vars alike.

import { base64Decode } from '../utils/base64';

type ValueResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Comma-separated list; blanks between commas are dropped so `a, b,` means [a, b]. */
export function splitList(s: string): string[] {
  return s
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

// Plain http is only safe when the bytes never leave the machine (local development).
export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An absolute https URL (http allowed for loopback). Messages name the problem, not the URL. */
export function parseOriginUrl(s: string): ValueResult<URL> {
  let url: URL;
  try {
    url = new URL(s.trim());
  } catch {
    return { ok: false, message: 'not an absolute URL (expected e.g. https://shop.example.com/alipay/notify_url.asp)' };
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

/**
 * Standard Webhooks secrets, space-separated for rotation (newest first). Entries are referred
 * to by position ("entry 2 of 3"), never by content.
 */
export function parseWebhookSecrets(s: string): ValueResult<Uint8Array[]> {
  const entries = s.trim().split(/\s+/).filter((e) => e !== '');
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
