// Alipay timestamps (`notify_time`, `gmt_payment`, ...) are Beijing time, `yyyy-MM-dd HH:mm:ss`,
// with no zone in the text. China has no daylight saving time, so the offset is always UTC+8.
import { HOUR_MS } from '../utils/duration';

const BEIJING_OFFSET_MS = 8 * HOUR_MS;
const FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Epoch ms, or null when the text is not a real Beijing date-time in exactly that format. */
export function parseBeijingTime(s: string): number | null {
  const m = FORMAT.exec(s);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-30 over to March; a rolled date is not a real one.
  if (new Date(utc).getUTCDate() !== day) return null;
  return utc - BEIJING_OFFSET_MS;
}

export function formatBeijingTime(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}
