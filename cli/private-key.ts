// The private key `simulate` signs with, playing Alipay. Normally the throwaway development key
// that `npm start` generated (PKCS#8 PEM), but a merchant testing with their own key pair may
// have it in the forms Alipay's key tool writes: PKCS#1 (`RSA PRIVATE KEY`) or bare base64.
// Problems are messages that say what the material looks like, never the material itself.

import { base64Decode } from '../src/utils/base64';
import { TAG, encodeTlv } from '../src/alipay/der';
import { RSA_ALGORITHM_IDENTIFIER } from '../src/alipay/key-identify';
import { scanPem } from '../src/alipay/pem';

export type SigningHash = 'SHA-256' | 'SHA-1';
export type SigningKeyResult = { ok: true; key: CryptoKey } | { ok: false; message: string };

/** PKCS#1 RSAPrivateKey -> PKCS#8 PrivateKeyInfo (version 0, rsaEncryption), the form WebCrypto imports. */
function wrapPkcs1Private(rsaPrivateKey: Uint8Array): Uint8Array {
  // The same AlgorithmIdentifier as a public key's SPKI (src/alipay/key-identify.ts wrapPkcs1).
  return encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.INTEGER, Uint8Array.of(0)), RSA_ALGORITHM_IDENTIFIER, encodeTlv(TAG.OCTET_STRING, rsaPrivateKey));
}

async function importPkcs8(der: Uint8Array, hash: SigningHash): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  } catch {
    return null;
  }
}

const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE']);

export async function importSigningKey(text: string, hash: SigningHash): Promise<SigningKeyResult> {
  const scan = scanPem(text);
  if (scan.blocks.length > 0) {
    for (const block of scan.blocks) {
      if (block.encrypted || block.label === 'ENCRYPTED PRIVATE KEY') {
        return { ok: false, message: 'the private key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)' };
      }
      if (block.der === null) continue;
      if (block.label === 'PRIVATE KEY' || block.label === 'RSA PRIVATE KEY') {
        const der = block.label === 'PRIVATE KEY' ? block.der : wrapPkcs1Private(block.der);
        const key = await importPkcs8(der, hash);
        if (key !== null) return { ok: true, key };
        return { ok: false, message: `the ${block.label} block is not a usable RSA private key` };
      }
    }
    if (scan.blocks.some((b) => PUBLIC_LABELS.has(b.label))) {
      return { ok: false, message: 'the file holds a public key or certificate; signing as Alipay needs the private key (e.g. dev-keys/alipay-dev-private.pem)' };
    }
    return { ok: false, message: `no private key block in the file (found: ${scan.blocks.map((b) => b.label).join(', ')})` };
  }

  // Bare base64, as Alipay's key tool shows it: PKCS#8 ("MIIE...") or PKCS#1. base64Decode skips only
  // ASCII whitespace; \s also removes what a paste from a web page or a Chinese document brings
  // (no-break space, ideographic space U+3000), as the public key reader does (key-material.ts).
  const der = base64Decode(text.replace(/\s+/g, ''));
  if (der === null || der.length === 0) return { ok: false, message: 'not a PEM private key, and not base64 either' };
  const key = (await importPkcs8(der, hash)) ?? (await importPkcs8(wrapPkcs1Private(der), hash));
  if (key !== null) return { ok: true, key };
  return { ok: false, message: 'base64 that is not an RSA private key (PKCS#8 or PKCS#1)' };
}
