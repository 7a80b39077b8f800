// Text -> GBK bytes, for `simulate --charset gbk` (Alipay signs a GBK notification over its GBK
// bytes, so the simulator must produce them). TextEncoder only ever encodes UTF-8 and the project
// has no iconv dependency, but TextDecoder('gbk') knows the whole mapping: the encoder is its
// inverse. Every 2-byte code (lead 0x81-0xFE, trail 0x40-0x7E or 0x80-0xFE: 23,940 of them) is
// decoded once into a table from character to bytes, built on the first non-ASCII character,
// so an ASCII-only value, or a utf-8 run of the simulator, never pays for it.

export type GbkResult = { ok: true; bytes: Uint8Array } | { ok: false; character: string };

// The decoder maps the single byte 0x80 to the euro sign; WHATWG's GBK encoder emits 0x80 for it too.
const EURO = 0x20ac;

let table: Map<number, number> | undefined;

function gbkTable(): Map<number, number> {
  if (table !== undefined) return table;
  // Non-fatal: an unassigned code decodes to U+FFFD, which is simply left out of the table.
  const decoder = new TextDecoder('gbk');
  const map = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const text = decoder.decode(pair);
      const code = text.codePointAt(0)!;
      // A few characters decode from two codes; the first one seen is the one GBK encoders use.
      if (text.length === 1 && code !== 0xfffd && !map.has(code)) map.set(code, (lead << 8) | trail);
    }
  }
  table = map;
  return map;
}

/** The GBK bytes of `text`, or the first character GBK cannot represent (e.g. an emoji). */
export function encodeGbk(text: string): GbkResult {
  const out: number[] = [];
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code < 0x80) {
      out.push(code);
    } else if (code === EURO) {
      out.push(0x80);
    } else {
      const bytes = gbkTable().get(code);
      if (bytes === undefined) return { ok: false, character };
      out.push(bytes >> 8, bytes & 0xff);
    }
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}
