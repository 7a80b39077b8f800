// Lowercase hex: fingerprints, webhook ids, MD5 signs.

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hexEncode(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) out += HEX_BYTE[b[i]!]!;
  return out;
}

export async function sha256Hex(b: Uint8Array): Promise<string> {
  return hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', b)));
}
