// A value pasted into a setting, as it arrives from shells, .env and JSON files, web pages and
// Chinese keyboards: with invisible characters at its ends and often one pair of quotes around it.

/** The quotes a pasted value may arrive in: shells, JSON and .env files, and the curly ones of Chinese keyboards and word processors. */
const QUOTE_PAIRS: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\u201C': '\u201D', '\u2018': '\u2019' };
/** What may sit invisibly around a pasted value: whitespace (with a BOM, NBSP and the full-width space) and zero-width characters. */
const EDGE = /[\s\u200B-\u200D\u2060]/;

/** Without what sits invisibly at either end (a loop, not a regex: linear on any text). */
function trimEdges(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && EDGE.test(text[start]!)) start++;
  while (end > start && EDGE.test(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/**
 * A pasted value trimmed and without ONE pair of matching quotes around it ("…", '…', “…”, ‘…’).
 * Every setting is read through this (src/config/reader.ts), key material through unwrap()
 * (src/alipay/key-material.ts).
 */
export function unquote(text: string): string {
  const t = trimEdges(text);
  const close = t.length >= 2 ? QUOTE_PAIRS[t[0]!] : undefined;
  return close !== undefined && t.endsWith(close) ? trimEdges(t.slice(1, -1)) : t;
}
