// Value bytes -> text, by the notification's own (signed) `charset`. This happens only after
// verification, which is done over the bytes; decoding is fatal, so a body whose bytes are not
// valid in the declared charset is reported instead of being silently filled with U+FFFD.
// Legacy mapi notifications carry no `charset`: Alipay encodes them in the merchant's
// `_input_charset`, GBK when the merchant passed none. Without a label the values are read as
// UTF-8 and, when they are not valid UTF-8, as GBK (Chinese GBK text is virtually never valid
// UTF-8), so an old GBK shop's payments are not refused for good.

import { getParam } from './parse';
import type { Charset, DecodeResult, FormPair } from './types';

const CHARSET_BY_LABEL: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gbk: 'gbk',
  gb2312: 'gb2312',
  gb18030: 'gb18030',
};

// GB18030 is a superset of GBK and GB2312; decoding with it accepts every byte sequence they allow
// (and the 4-byte sequences some GBK-labelled senders use anyway).
const DECODER_LABEL: Record<Charset, string> = { 'utf-8': 'utf-8', gbk: 'gb18030', gb2312: 'gb18030', gb18030: 'gb18030' };

// ignoreBOM keeps a value's leading EF BB BF as a character: values are decoded exactly as signed.
const decoders = new Map<Charset, TextDecoder>();
function decoderFor(charset: Charset): TextDecoder {
  let d = decoders.get(charset);
  if (d === undefined) {
    d = new TextDecoder(DECODER_LABEL[charset], { fatal: true, ignoreBOM: true });
    decoders.set(charset, d);
  }
  return d;
}

function asciiLower(b: Uint8Array): string | null {
  let s = '';
  for (const c of b) {
    if (c > 0x7e || c < 0x20) return null;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return s.trim();
}

export function decodeParams(pairs: FormPair[]): DecodeResult {
  const label = getParam(pairs, 'charset');
  if (label === undefined || label.length === 0) {
    const asUtf8 = decodeAll(pairs, 'utf-8');
    if (asUtf8.ok) return asUtf8;
    const asGbk = decodeAll(pairs, 'gbk');
    if (asGbk.ok) return asGbk;
    return {
      ok: false,
      reason: 'charset-decode',
      hint: `The value of "${asUtf8.key.slice(0, 40)}" is neither valid utf-8 nor valid gbk, and the notification names no charset.`,
    };
  }
  const name = label.length <= 32 ? asciiLower(label) : null;
  const charset = name === null ? undefined : CHARSET_BY_LABEL[name];
  if (charset === undefined) {
    const shown = name === null ? 'a non-ASCII or overlong value' : `"${name}"`;
    return { ok: false, reason: 'unknown-charset', hint: `The notification's charset is ${shown}; the gateway decodes utf-8, gbk, gb2312 and gb18030.` };
  }
  const decoded = decodeAll(pairs, charset);
  if (decoded.ok) return decoded;
  const other = charset === 'utf-8' ? ' Was a GBK body sent without charset=GBK?' : '';
  return {
    ok: false,
    reason: 'charset-decode',
    hint: `The value of "${decoded.key.slice(0, 40)}" is not valid ${charset} although the notification says charset=${charset}.${other}`,
  };
}

function decodeAll(pairs: FormPair[], charset: Charset): (DecodeResult & { ok: true }) | { ok: false; key: string } {
  const decoder = decoderFor(charset);
  const entries: [string, string][] = [];
  for (const p of pairs) {
    try {
      entries.push([p.key, decoder.decode(p.value)]);
    } catch {
      return { ok: false, key: p.key };
    }
  }
  // fromEntries defines own properties, so a key like "__proto__" cannot reach the prototype.
  return { ok: true, charset, params: Object.fromEntries(entries) };
}
