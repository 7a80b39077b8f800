// Recognising the pieces of pasted key text: PEM blocks, bare base64 values (possibly wrapped over
// several lines), and the things people paste by mistake (private keys, CSRs, webhook secrets, ids).
// Each piece either carries its DER or already knows why it cannot be used.

import { base64Decode } from '../utils/base64';
import { unquote } from '../utils/pasted-text';
import { TAG, declaredSize } from './der';
import { scanPem, type ScannedPemBlock } from './pem';
import { PRIVATE, WANT } from './key-advice';

export type Origin = { kind: 'pem'; block: ScannedPemBlock; index: number } | { kind: 'base64'; index: number };

export interface Piece {
  origin: Origin;
  /** Decoded DER, or null with the reason already known. */
  der: Uint8Array | null;
  problem: string | null;
  looksLike: string;
}

export function sourceOf(origin: Origin): string {
  return origin.kind === 'pem' ? `PEM block ${origin.index} (${origin.block.label})` : `base64 value ${origin.index}`;
}

/**
 * How a piece that is not a key is named in a problem: by its length only. /health shows problems
 * to anyone, and the piece may be a secret pasted into the wrong setting (a private key's line, a
 * token), whose characters must not leave, not even a few.
 */
function preview(token: string): string {
  return `a ${token.length}-character value`;
}

const BASE64_TOKEN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Bytes of a token's first full base64 groups: enough for a DER header, without decoding it all. */
function headBytes(token: string): Uint8Array | null {
  const take = Math.min(token.replace(/=+$/, '').length, 12) & ~3;
  return take >= 4 ? base64Decode(token.slice(0, take)) : null;
}

/**
 * PKCS#8 and PKCS#1 private keys both open with SEQUENCE { INTEGER 0, ... }: recognisable from the
 * first bytes alone, so even a cut-off or damaged private key is named as what it is.
 */
export function startsLikePrivateKey(bytes: Uint8Array): boolean {
  if (bytes[0] !== TAG.SEQUENCE || bytes.length < 5) return false;
  const at = 2 + (bytes[1]! & 0x80 ? bytes[1]! & 0x7f : 0);
  return bytes[at] === TAG.INTEGER && bytes[at + 1] === 1 && bytes[at + 2] === 0;
}

export const PRIVATE_KEY_LOOKS_LIKE = 'a private key (PKCS#8 or PKCS#1, as "MIIE…" values from the Alipay key tool are)';

/** A token whose decoded start reads as a DER SEQUENCE holding a SEQUENCE or INTEGER: a new key/cert. */
function startsLikeDer(token: string): boolean {
  const head = headBytes(token);
  if (!head || head.length < 5 || head[0] !== TAG.SEQUENCE) return false;
  const lengthOctets = head[1]! & 0x80 ? head[1]! & 0x7f : 0;
  if (lengthOctets > 3) return false;
  const inner = head[2 + lengthOctets];
  return inner === TAG.SEQUENCE || inner === TAG.INTEGER;
}

interface Misplaced {
  looksLike: string;
  problem: string;
}

/** Secrets and ids pasted into the wrong setting. They are never echoed, not even a prefix. */
function misplacedValue(token: string): Misplaced | null {
  const found = (looksLike: string, where: string): Misplaced => ({ looksLike, problem: `${looksLike}, which ${where}. ${WANT}` });
  if (/^whsec_/.test(token)) return found('a Standard Webhooks secret (whsec_…)', "is the gateway's forward secret, not an Alipay key");
  if (/^[0-9a-z]{32}$/.test(token)) return found('a legacy MD5 partner key (32 lowercase letters and digits)', 'is the MD5 key of legacy notifications, not a public key');
  if (/^20\d{14}$/.test(token)) return found('an app_id or partner id (16 digits)', 'is not a key');
  return null;
}

/**
 * Bare base64 values are separated by whitespace or commas, but one value may also be wrapped over
 * several lines (a PEM body without its BEGIN/END lines). The DER header says how long each value is,
 * so consecutive tokens are joined until that length is reached.
 */
function base64Pieces(tokens: string[], mixedWithPem: boolean): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    i++;
    // Next to PEM blocks, loose words are explanatory text ("Bag Attributes", "subject=..."); only DER-looking values count.
    if (mixedWithPem && !startsLikeDer(token)) continue;
    const origin: Origin = { kind: 'base64', index: pieces.length + 1 };
    const misplaced = misplacedValue(token);
    if (misplaced) {
      pieces.push({ origin, der: null, ...misplaced });
      continue;
    }
    if (!BASE64_TOKEN.test(token)) {
      const looksLike = 'text that is neither base64 nor PEM';
      pieces.push({ origin, der: null, looksLike, problem: `${preview(token)} is ${looksLike}. ${WANT}` });
      continue;
    }
    const head = headBytes(token);
    const size = head && head[0] === TAG.SEQUENCE ? declaredSize(head) : null;
    let text = token;
    if (size !== null) {
      const neededChars = Math.ceil((size * 4) / 3);
      while (
        text.replace(/=+$/, '').length < neededChars &&
        i < tokens.length &&
        BASE64_TOKEN.test(tokens[i]!) &&
        !startsLikeDer(tokens[i]!)
      ) {
        text += tokens[i]!;
        i++;
      }
    }
    const der = base64Decode(text);
    if (der === null && head && startsLikePrivateKey(head)) {
      pieces.push({ origin, der: null, looksLike: PRIVATE_KEY_LOOKS_LIKE, problem: `${PRIVATE_KEY_LOOKS_LIKE}, damaged as well. ${PRIVATE}` });
    } else if (der === null) {
      const looksLike = 'broken base64';
      pieces.push({ origin, der: null, looksLike, problem: `${preview(text)} is ${looksLike}: it was probably cut off or changed when pasting. ${WANT}` });
    } else {
      pieces.push({ origin, der, problem: null, looksLike: '' });
    }
  }
  return pieces;
}

const PEM_PRIVATE_LABELS: Record<string, string> = {
  'PRIVATE KEY': 'a PKCS#8 private key',
  'RSA PRIVATE KEY': 'a PKCS#1 RSA private key',
  'EC PRIVATE KEY': 'an EC private key',
  'DSA PRIVATE KEY': 'a DSA private key',
  'OPENSSH PRIVATE KEY': 'an OpenSSH private key',
  'ENCRYPTED PRIVATE KEY': 'an encrypted private key (PKCS#8)',
};
const PEM_KEY_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

function pemPiece(block: ScannedPemBlock, index: number): Piece {
  const origin: Origin = { kind: 'pem', block, index };
  const privateKind = PEM_PRIVATE_LABELS[block.label];
  if (block.encrypted || block.label === 'ENCRYPTED PRIVATE KEY') {
    return { origin, der: null, looksLike: 'an encrypted private key', problem: `an encrypted private key. ${PRIVATE}` };
  }
  if (privateKind) return { origin, der: null, looksLike: privateKind, problem: `${privateKind}. ${PRIVATE}` };
  if (block.problem === 'unterminated') {
    return {
      origin,
      der: null,
      looksLike: 'a truncated PEM block',
      problem: `the "-----BEGIN ${block.label}-----" block has no END line: the text was cut off. ${WANT}`,
    };
  }
  if (block.problem === 'label-mismatch') {
    return { origin, der: null, looksLike: 'a damaged PEM block', problem: `the BEGIN and END lines name different labels. ${WANT}` };
  }
  if (block.problem) {
    return {
      origin,
      der: null,
      looksLike: 'a damaged PEM block',
      problem: `the body of the PEM block is not valid base64: it was probably cut off or changed when pasting. ${WANT}`,
    };
  }
  if (/CERTIFICATE REQUEST/.test(block.label)) {
    return { origin, der: null, looksLike: 'a certificate signing request', problem: `a certificate signing request (CSR), not a key. ${WANT}` };
  }
  if (!PEM_KEY_LABELS.has(block.label) && !/^PKCS7$|^CMS$/.test(block.label)) {
    return { origin, der: null, looksLike: `a "${block.label}" PEM block`, problem: `a "${block.label}" PEM block is not a public key or certificate. ${WANT}` };
  }
  return { origin, der: block.der, problem: null, looksLike: '' };
}

/** Everything in the text, in order: PEM blocks first-class, bare base64 values between them. */
export function splitMaterial(text: string): Piece[] {
  const scan = scanPem(text);
  const mixed = scan.blocks.length > 0;
  const pieces: Piece[] = scan.blocks.map((b, i) => pemPiece(b, i + 1));
  const tokens = scan.outside.flatMap((s) => s.split(/[\s,;，、；]+/)).filter((t) => t !== '');
  return [...pieces, ...base64Pieces(tokens, mixed)];
}

/** Undo what shells, JSON and .env files do to a pasted value. */
export function unwrap(text: string): string {
  // A PEM pasted through JSON or a one-line env var often arrives with literal "\n" (or "\r\n") escapes.
  return unquote(text).replace(/\\r/g, '').replace(/\\n/g, '\n');
}
