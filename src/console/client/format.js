// Formatting for the console: times in Beijing time (UTC+8, no daylight saving time, so a fixed
// offset is exact), amounts from integer cents, CSV. Pure functions, no DOM: the Node tests
// import this file as it is.

export const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

const two = (n) => String(n).padStart(2, '0');

/** Epoch ms from an ISO string or a number; null for null, '' or an unparsable value. */
export function toMs(value) {
  if (value === null || value === undefined || value === '') return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function beijingParts(value) {
  const ms = toMs(value);
  if (ms === null) return null;
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return {
    y: String(d.getUTCFullYear()).padStart(4, '0'),
    mo: two(d.getUTCMonth() + 1),
    d: two(d.getUTCDate()),
    h: two(d.getUTCHours()),
    mi: two(d.getUTCMinutes()),
    s: two(d.getUTCSeconds()),
  };
}

/** `2026-05-01 20:15:03` (Beijing), or '' when there is no time. */
export function beijingDateTime(value) {
  const p = beijingParts(value);
  return p === null ? '' : `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`;
}

/** `2026-05-01` (Beijing). */
export function beijingDate(value) {
  const p = beijingParts(value);
  return p === null ? '' : `${p.y}-${p.mo}-${p.d}`;
}

/** `05-01 20:00`: a chart label for an hour bucket. */
export function beijingHourLabel(value) {
  const p = beijingParts(value);
  return p === null ? '' : `${p.mo}-${p.d} ${p.h}:00`;
}

/** `2026-05-01` (a Beijing calendar day) -> the UTC instant it starts, ms; null if not a real date. */
export function beijingDayStart(dateText) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText ?? '');
  if (m === null) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(utc).getUTCDate() !== Number(m[3])) return null;
  return utc - BEIJING_OFFSET_MS;
}

/** `2026-05-01T20:15` (a datetime-local input, read as Beijing time) -> epoch ms; null if malformed. */
export function beijingLocalInput(text) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text ?? '');
  if (m === null) return null;
  const day = beijingDayStart(m[1]);
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (day === null || h > 23 || mi > 59 || s > 59) return null;
  return day + h * HOUR_MS + mi * 60_000 + s * 1000;
}

/** The value for a datetime-local input showing `ms` in Beijing time. */
export function toBeijingLocalInput(ms) {
  const p = beijingParts(ms);
  return p === null ? '' : `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}`;
}

/** 123456 -> `1,234.56` (integer cents, no floating point on the way). */
export function money(cents) {
  if (cents === null || cents === undefined || !Number.isFinite(Number(cents))) return '';
  const n = Math.round(Number(cents));
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${two(abs % 100)}`;
}

/** 1234567 -> `1,234,567`. */
export function count(n) {
  return Number.isFinite(Number(n)) ? String(Math.round(Number(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : '';
}

/**
 * The start (ms) of every bucket from `fromMs` up to `toMs` (exclusive). Hours are the same in
 * UTC and Beijing (whole-hour offset); days start at 00:00 Beijing = 16:00 UTC. `limit` caps
 * the count (a chart of more bars than pixels says nothing).
 */
export function bucketStarts(fromMs, toMs, bucket, limit = 2000) {
  const size = bucket === 'day' ? DAY_MS : HOUR_MS;
  const shift = bucket === 'day' ? BEIJING_OFFSET_MS : 0;
  let start = Math.floor((fromMs + shift) / size) * size - shift;
  const starts = [];
  for (; start < toMs && starts.length < limit; start += size) starts.push(start);
  return starts;
}

/**
 * CSV as spreadsheet programs read it: a UTF-8 byte-order mark (Excel otherwise takes Chinese
 * text for the local code page), CRLF lines, fields quoted when they need it. A field that
 * starts like a formula (= + - @, or their full-width forms, also after leading spaces, tabs,
 * line breaks or NULs, which some programs skip) gets a leading apostrophe, so a crafted order
 * subject cannot become a formula in the operator's spreadsheet.
 */
export function toCsv(rows) {
  const field = (value) => {
    let text = value === null || value === undefined ? '' : String(value);
    if (/^[\s\0]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n\0]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `\uFEFF${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}
