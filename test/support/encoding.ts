// Bytes <-> text for building test inputs and reading test outputs, on the platform alone
// (TextEncoder, btoa/atob): an input made by the code under test would hide that code's mistakes.
// Pure, so it runs in workerd and in Node.

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** One char per byte (how form keys are held). */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}

/** The inverse of latin1: each char (all below 256) back to its byte. */
export function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Standard base64 with padding. */
export function base64(bytes: Uint8Array): string {
  return btoa(latin1(bytes));
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Lowercase hex SHA-256, straight from WebCrypto. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** One DER element from its tag and its (already encoded) contents: for building keys and certificates by hand. */
export function der(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(...contents);
  const length: number[] = [];
  for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
  const header = body.length < 0x80 ? [body.length] : [0x80 | length.length, ...length];
  return concat(Uint8Array.of(tag, ...header), body);
}

/** PEM as OpenSSL writes it: 64-character lines, a final newline. */
export function pem(label: string, derBytes: Uint8Array): string {
  const lines = base64(derBytes).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
