// Structured log lines (one JSON object per line, which Workers Logs indexes by field) and the
// masking that keeps buyer identities out of them. Callers decide what to log; this module makes
// sure a line is always valid JSON and that logging itself never throws.

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Writes `{ "level": "info", ...fields }` as one line. `fields.level` overrides the default. */
export function logLine(fields: Record<string, unknown>): void {
  let line: string;
  try {
    line = JSON.stringify({ level: 'info', ...fields }, jsonSafe);
  } catch {
    // A cycle or a throwing getter must not turn a log call into a failed request.
    line = JSON.stringify({ level: 'error', msg: 'log line could not be serialized', keys: Object.keys(fields) });
  }
  console.log(line);
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value instanceof Set) return [...value];
  return value;
}

/** `2088102534368455` -> `2088********8455`: enough to correlate, not enough to identify. */
export function maskBuyerId(s: string): string {
  if (s.length < 9) return '***';
  return s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

/** Emails keep the domain (`x***@126.com`); phone numbers and other ids keep 3 + 2 characters. */
export function maskLogonId(s: string): string {
  const at = s.lastIndexOf('@');
  if (at > 0) return `${s.slice(0, 1)}***${s.slice(at)}`;
  if (s.length < 7) return '***';
  return `${s.slice(0, 3)}***${s.slice(-2)}`;
}

/** A person's name (alipay.trade.query's buyer_user_name): the first character. */
export function maskName(s: string): string {
  return s.length < 2 ? '*' : `${[...s][0]}**`;
}

/**
 * The buyer's identity as notifications (buyer_id, buyer_open_id, buyer_logon_id, and mapi's
 * buyer_email) and alipay.trade.query answers (buyer_user_id, buyer_user_name) carry it. A payment
 * found by asking is recorded with the answer's fields, so both sets are masked wherever shown.
 */
export const BUYER_IDENTITY_MASKS: ReadonlyMap<string, (s: string) => string> = new Map([
  ['buyer_id', maskBuyerId],
  ['buyer_open_id', maskBuyerId],
  ['buyer_user_id', maskBuyerId],
  ['buyer_logon_id', maskLogonId],
  ['buyer_email', maskLogonId],
  ['buyer_user_name', maskName],
]);

/** A copy of decoded notification params that is safe to log. */
export function maskParams(params: Readonly<Record<string, string>>): Record<string, string> {
  // A Map lookup and defined properties: `constructor` and `__proto__` are valid Alipay-alphabet
  // names, and must neither pick up Object's members nor vanish.
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const mask = BUYER_IDENTITY_MASKS.get(key);
    Object.defineProperty(out, key, { value: mask !== undefined && value !== '' ? mask(value) : value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
