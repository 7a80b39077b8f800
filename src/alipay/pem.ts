// PEM (RFC 7468) splitting. Labels are kept because they are the best evidence of what a merchant
// pasted: "RSA PRIVATE KEY" deserves a different message from "CERTIFICATE". Text outside blocks is
// returned too, since a secret may mix PEM blocks with bare base64 keys.

import { base64Decode, base64Encode } from '../utils/base64';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

export type PemBlockProblem = 'unterminated' | 'label-mismatch' | 'bad-base64' | 'empty';

/** A block as found, well-formed or not, so the caller can say exactly what is wrong with it. */
export interface ScannedPemBlock {
  readonly label: string;
  /** null when `problem` is set. */
  readonly der: Uint8Array | null;
  readonly problem: PemBlockProblem | null;
  /** RFC 1421 `Proc-Type: 4,ENCRYPTED` header: an OpenSSL-encrypted traditional key. */
  readonly encrypted: boolean;
}

export interface PemScan {
  readonly blocks: ScannedPemBlock[];
  /** The text between and around blocks, in order (explanatory text, or bare base64 keys). */
  readonly outside: string[];
}

const BEGIN = /-----BEGIN ([A-Z0-9][A-Z0-9 #._-]*?)-----/g;
const END = /-----END ([A-Z0-9][A-Z0-9 #._-]*?)-----/g;
// RFC 1421 header lines ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") precede the base64 body.
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:/;

function splitHeaders(body: string): { headers: string[]; base64: string } {
  const lines = body.split(/\r?\n|\r/);
  const headers: string[] = [];
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  while (i < lines.length && HEADER_LINE.test(lines[i]!.trim())) {
    headers.push(lines[i]!.trim());
    i++;
  }
  return { headers, base64: lines.slice(i).join('\n') };
}

/** Finds every BEGIN/END block; never throws, whatever the text. */
export function scanPem(text: string): PemScan {
  const blocks: ScannedPemBlock[] = [];
  const outside: string[] = [];
  let cursor = 0;
  BEGIN.lastIndex = 0;
  for (let begin = BEGIN.exec(text); begin; begin = BEGIN.exec(text)) {
    outside.push(text.slice(cursor, begin.index));
    const label = begin[1]!;
    const bodyStart = begin.index + begin[0].length;
    END.lastIndex = bodyStart;
    const end = END.exec(text);
    BEGIN.lastIndex = bodyStart;
    const nextBegin = BEGIN.exec(text);
    // A BEGIN with no END before the next BEGIN (or the end of text) was cut off.
    if (!end || (nextBegin && nextBegin.index < end.index)) {
      blocks.push({ label, der: null, problem: 'unterminated', encrypted: /ENCRYPTED/.test(text.slice(bodyStart, nextBegin?.index)) });
      cursor = nextBegin ? nextBegin.index : text.length;
      BEGIN.lastIndex = cursor;
      continue;
    }
    const { headers, base64 } = splitHeaders(text.slice(bodyStart, end.index));
    const encrypted = headers.some((h) => /^Proc-Type:.*ENCRYPTED/i.test(h));
    cursor = end.index + end[0].length;
    BEGIN.lastIndex = cursor;
    if (end[1] !== label) {
      blocks.push({ label, der: null, problem: 'label-mismatch', encrypted });
      continue;
    }
    const der = base64Decode(base64);
    if (der === null) blocks.push({ label, der: null, problem: 'bad-base64', encrypted });
    else if (der.length === 0) blocks.push({ label, der: null, problem: 'empty', encrypted });
    else blocks.push({ label, der, problem: null, encrypted });
  }
  outside.push(text.slice(cursor));
  return { blocks, outside: outside.filter((s) => s.trim() !== '') };
}

/** The well-formed blocks of `text`, in order, labels kept. Malformed blocks are skipped (see scanPem). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const b of scanPem(text).blocks) if (b.der) out.push({ label: b.label, der: b.der });
  return out;
}

/** PEM text with 64-character lines, as OpenSSL writes it. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
