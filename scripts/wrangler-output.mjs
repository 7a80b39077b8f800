// What `npm start` shows of wrangler's output. Everything passes through, except workerd's stack
// traces for a failed connection to the origin. When ORIGIN_URL's host does not resolve, or its
// TLS handshake fails, workerd logs the same internal error three times per delivery attempt, each
// with a stack of raw addresses, plus an "Uncaught Error: internal error; reference = …" for the
// request body it could not send; no way of making the request avoids that (see
// src/delivery/connection-error.ts), and wrangler's --log-level cannot drop them without also
// dropping the gateway's own lines (console.log). Each such burst becomes one short line naming
// what workerd saw; the gateway's "delivery attempt" line right after it says what it means.
// `npm run dev:worker` shows wrangler's output untouched.

const ANSI = /\x1b\[[0-9;]*m/g;
/** workerd's internal error about an outbound connection: what failed, in its words. */
const CONNECTION_TRACE = /^✘ \[ERROR\] e = kj\/\S+: failed: (DNS lookup failed\.?|OpenSSL error)(?:; params\.host = ([^;\s]+)|; message = (.+))?/;
const STACK_LINE = /^\s+stack: /;
const ERROR_ID = /wdErrId = (\w+)/;
/** The same error surfacing in the Worker's request-body task; its reference is one of the hidden traces' wdErrId. */
const UNCAUGHT_INTERNAL = /^✘ \[ERROR\] Uncaught(?: \(in promise\))? Error: internal error; reference = (\w+)/;
/** Hidden traces remembered so their Uncaught twin is recognised (they come seconds apart at most). */
const REMEMBERED_IDS = 100;

/** One line for a hidden burst, e.g. "DNS lookup failed for shop.example". */
function summary(match) {
  const [, what, host, message] = match;
  if (what.startsWith('DNS')) return `DNS lookup failed${host ? ` for ${host}` : ''}`;
  const reason = message?.split(':').pop()?.trim();
  return `TLS handshake failed${reason ? ` (${reason})` : ''}`;
}

/**
 * A line filter: `push(line)` returns the lines to print for it (none, the line itself, or a
 * summary in its place). Stateful: a hidden trace swallows its stack line and the blank lines after it.
 */
export function createWranglerOutputFilter() {
  /** 'pass': printing; 'trace': inside a hidden trace or Uncaught block (its stack and blank lines go too). */
  let mode = 'pass';
  /** The summary printed for the current burst, so its repeats print nothing. */
  let lastSummary = null;
  const hiddenIds = [];

  return {
    push(rawLine) {
      const line = rawLine.replace(ANSI, '');
      if (mode === 'trace') {
        if (line.trim() === '') return [];
        if (STACK_LINE.test(line)) {
          const id = ERROR_ID.exec(line)?.[1];
          if (id) {
            hiddenIds.push(id);
            if (hiddenIds.length > REMEMBERED_IDS) hiddenIds.shift();
          }
          return [];
        }
        mode = 'pass';
      }
      const trace = CONNECTION_TRACE.exec(line);
      if (trace) {
        mode = 'trace';
        const text = summary(trace);
        if (text === lastSummary) return [];
        lastSummary = text;
        return [`workerd: ${text} (its stack traces are hidden here; \`npm run dev:worker\` shows them)`];
      }
      const uncaught = UNCAUGHT_INTERNAL.exec(line);
      if (uncaught && hiddenIds.includes(uncaught[1])) {
        mode = 'trace';
        return [];
      }
      if (line.trim() !== '') lastSummary = null;
      return [rawLine];
    },
  };
}
