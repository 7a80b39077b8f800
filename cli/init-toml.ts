// A careful, line-based edit of wrangler.toml: the [vars] table and the root-level `routes` /
// `route` / `workers_dev` keys. Everything else (comments, blank lines, other tables, keys this
// module does not know, the order of lines) is kept byte for byte, which a parse-and-reprint with
// a TOML library would not do (it drops comments). No dependency: the file is line-oriented, and
// the only thing that needs real TOML knowledge is where one value ends (strings, multi-line
// strings, arrays and inline tables), which `valueEnd` scans for.

export interface TomlDoc {
  lines: string[];
  eol: '\n' | '\r\n';
  /** Whether the text ended with a line break. */
  finalEol: boolean;
}

/** One `key = value` entry, possibly over several lines (an array, a multi-line string). */
interface Entry {
  key: string;
  /** First and last line (inclusive). */
  start: number;
  end: number;
  /** The value as written, without a trailing comment (may span lines). */
  valueText: string;
}

interface Table {
  /** `vars`, `env.production.vars`, `[[durable_objects.bindings]]` as `durable_objects.bindings`. */
  name: string;
  array: boolean;
  /** The header line; the table's body runs to `end` (exclusive). */
  header: number;
  end: number;
  entries: Entry[];
}

interface Layout {
  root: Entry[];
  /** Line index of the first table header (or lines.length). */
  rootEnd: number;
  tables: Table[];
}

export type TomlEditResult = { ok: true } | { ok: false; message: string };

export function parseToml(text: string): TomlDoc {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = text.endsWith('\n');
  const body = finalEol ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  return { lines: body === '' && !finalEol ? [] : body.split(/\r?\n/), eol, finalEol: finalEol || body === '' };
}

export function renderToml(doc: TomlDoc): string {
  return doc.lines.join(doc.eol) + (doc.finalEol && doc.lines.length > 0 ? doc.eol : '');
}

// ---- scanning ----------------------------------------------------------------------

const KEY = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const ENTRY_LINE = new RegExp(String.raw`^(\s*)(${KEY}(?:\s*\.\s*${KEY})*)\s*=\s*`);
const HEADER_LINE = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;

function unquoteKey(key: string): string {
  const parts: string[] = [];
  for (const m of key.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+)/g)) {
    parts.push(m[1] !== undefined ? (parseBasicString(`"${m[1]}"`) ?? m[1]) : (m[2] ?? m[3]!));
  }
  return parts.join('.');
}

/**
 * Where the value that starts at `lines[line][col]` ends: the line of its last character and the
 * column just after it. Strings (basic, literal, multi-line), arrays and inline tables may hold
 * `#`, `[`, `]` and line breaks that do not mean there what they mean outside; a comment after
 * the value is not part of it.
 */
function valueEnd(lines: string[], line: number, col: number): { line: number; col: number } {
  let depth = 0;
  let sawValue = false;
  let last = { line, col };
  let i = line;
  let j = col;
  while (i < lines.length) {
    const s = lines[i]!;
    if (j >= s.length || s[j] === '#') {
      if (sawValue && depth <= 0) return last;
      i++;
      j = 0;
      continue;
    }
    const quote3 = s.startsWith('"""', j) ? '"""' : s.startsWith("'''", j) ? "'''" : null;
    if (quote3) {
      const close = findMultilineClose(lines, i, j + 3, quote3);
      if (close === null) return { line: lines.length - 1, col: lines[lines.length - 1]!.length };
      [i, j] = [close.line, close.col];
      last = { line: i, col: j };
      sawValue = true;
      continue;
    }
    const c = s[j]!;
    if (c === '"' || c === "'") {
      j = skipString(s, j);
      last = { line: i, col: j };
      sawValue = true;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    j++;
    if (!/\s/.test(c)) {
      sawValue = true;
      last = { line: i, col: j };
    }
  }
  return last;
}

function findMultilineClose(lines: string[], line: number, col: number, quote: string): { line: number; col: number } | null {
  for (let i = line; i < lines.length; i++) {
    const s = lines[i]!;
    let j = i === line ? col : 0;
    while (j < s.length) {
      if (quote === '"""' && s[j] === '\\') {
        j += 2;
        continue;
      }
      if (s.startsWith(quote, j)) {
        // Up to two extra quotes may belong to the string's content (`""""` ends with a quote).
        let k = j + 3;
        while (s[k] === quote[0] && k < j + 5) k++;
        return { line: i, col: k };
      }
      j++;
    }
  }
  return null;
}

function skipString(s: string, start: number): number {
  const quote = s[start];
  let j = start + 1;
  while (j < s.length) {
    if (quote === '"' && s[j] === '\\') j += 2;
    else if (s[j] === quote) return j + 1;
    else j++;
  }
  return j;
}

function scan(doc: TomlDoc): Layout {
  const { lines } = doc;
  const root: Entry[] = [];
  const tables: Table[] = [];
  let current: Table | null = null;
  let rootEnd = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!;
    if (/^\s*(#.*)?$/.test(s)) continue;
    const header = HEADER_LINE.exec(s);
    if (header && !ENTRY_LINE.test(s)) {
      if (current) current.end = i;
      else rootEnd = i;
      current = { name: unquoteKey(header[2]!), array: header[1] === '[[', header: i, end: lines.length, entries: [] };
      tables.push(current);
      continue;
    }
    const entry = ENTRY_LINE.exec(s);
    if (!entry) continue; // not TOML we understand; leave it alone
    const end = valueEnd(lines, i, entry[0].length);
    const valueText =
      end.line === i ? s.slice(entry[0].length, end.col) : [s.slice(entry[0].length), ...lines.slice(i + 1, end.line), lines[end.line]!.slice(0, end.col)].join('\n');
    const e: Entry = { key: unquoteKey(entry[2]!), start: i, end: end.line, valueText };
    (current ? current.entries : root).push(e);
    i = end.line;
  }
  return { root, rootEnd, tables };
}

// ---- values ------------------------------------------------------------------------

/** A TOML basic string for `value` (quotes, backslashes and control characters escaped). */
export function tomlString(value: string): string {
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\r':
        return '\\r';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${escaped}"`;
}

function parseBasicString(text: string): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(text.trim());
  if (!m) return null;
  return m[1]!.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_all, e: string) => {
    if (e.startsWith('u') || e.startsWith('U')) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e;
  });
}

/** A string value as text; other values (numbers, arrays, multi-line strings) as written. */
function valueAsText(valueText: string): string {
  const t = valueText.trim();
  const basic = parseBasicString(t);
  if (basic !== null) return basic;
  const literal = /^'([^']*)'$/.exec(t);
  if (literal) return literal[1]!;
  const multi = /^("""|''')\r?\n?([\s\S]*)\1$/.exec(t);
  if (multi) return multi[2]!;
  return t;
}

// ---- reading -----------------------------------------------------------------------

export interface WranglerLayout {
  name: string | null;
  vars: Record<string, string>;
  /** Route patterns of the root `route`/`routes` key (strings or `{ pattern = ... }` tables). */
  routes: string[];
  workersDev: boolean | null;
  /** Why the [vars] of this file cannot be edited safely, when they cannot. */
  unsupported: string | null;
}

export function readWranglerLayout(doc: TomlDoc): WranglerLayout {
  const layout = scan(doc);
  const vars: Record<string, string> = {};
  const table = varsTable(layout);
  for (const e of table?.entries ?? []) vars[e.key] = valueAsText(e.valueText);
  const rootValue = (key: string) => layout.root.find((e) => e.key === key)?.valueText;
  const routeText = [rootValue('routes'), rootValue('route')].filter((v): v is string => v !== undefined).join('\n');
  // Plain strings are patterns; in inline tables only `pattern = "..."` is (not zone_name, zone_id).
  const routes = [...routeText.matchAll(/(?:([A-Za-z_]+)\s*=\s*)?("(?:[^"\\]|\\.)*"|'[^']*')/g)]
    .filter((m) => m[1] === undefined || m[1] === 'pattern')
    .map((m) => valueAsText(m[2]!));
  const workersDev = rootValue('workers_dev')?.trim();
  const name = rootValue('name');
  return {
    name: name === undefined ? null : valueAsText(name),
    vars,
    routes,
    workersDev: workersDev === 'true' ? true : workersDev === 'false' ? false : null,
    unsupported: unsupportedVars(layout),
  };
}

function varsTable(layout: Layout): Table | undefined {
  return layout.tables.find((t) => t.name === 'vars' && !t.array);
}

function unsupportedVars(layout: Layout): string | null {
  if (layout.root.some((e) => e.key === 'vars' || e.key.startsWith('vars.'))) {
    return 'wrangler.toml sets vars at the top level (`vars = { ... }` or `vars.NAME = ...`); init edits only a [vars] table. Move them into a [vars] table, or edit by hand.';
  }
  if (layout.tables.filter((t) => t.name === 'vars').length > 1) return 'wrangler.toml has more than one [vars] table; merge them first.';
  return null;
}

// ---- editing -----------------------------------------------------------------------

/** Sets (or, with `undefined`, removes) entries of the [vars] table; creates the table when missing. */
export function setVars(doc: TomlDoc, changes: Record<string, string | undefined>): TomlEditResult {
  const problem = unsupportedVars(scan(doc));
  if (problem) return { ok: false, message: problem };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) removeVar(doc, name);
    else setVar(doc, name, value);
  }
  return { ok: true };
}

function setVar(doc: TomlDoc, name: string, value: string): void {
  const layout = scan(doc);
  let table = varsTable(layout);
  if (!table) {
    // A new [vars] table at the end; root keys must stay above the first table, so the end is safe.
    trimTrailingBlank(doc);
    if (doc.lines.length > 0) doc.lines.push('');
    doc.lines.push('[vars]');
    doc.finalEol = true;
    table = varsTable(scan(doc))!;
  }
  const existing = table.entries.find((e) => e.key === name);
  if (existing) {
    replaceValue(doc, existing, tomlString(value));
    return;
  }
  // After a commented-out example of the same setting (`# NAME = "..."`), else after the last entry.
  const example = findLine(doc, table.header + 1, table.end, new RegExp(`^\\s*#\\s*${name}\\s*=`));
  const after = example ?? table.entries.at(-1)?.end ?? table.header;
  doc.lines.splice(after + 1, 0, `${name} = ${tomlString(value)}`);
}

function removeVar(doc: TomlDoc, name: string): void {
  const entry = varsTable(scan(doc))?.entries.find((e) => e.key === name);
  if (entry) doc.lines.splice(entry.start, entry.end - entry.start + 1);
}

/** Replaces an entry's value, keeping its key as written and a comment after the value. */
function replaceValue(doc: TomlDoc, entry: Entry, valueToml: string): void {
  const first = doc.lines[entry.start]!;
  const prefix = ENTRY_LINE.exec(first)![0];
  const last = doc.lines[entry.end]!;
  const end = valueEnd(doc.lines, entry.start, prefix.length);
  const trailing = last.slice(end.col);
  doc.lines.splice(entry.start, entry.end - entry.start + 1, `${prefix}${valueToml}${trailing}`);
}

export interface RouteEntry {
  pattern: string;
  zoneName: string;
}

/**
 * Points the Worker's root `routes` at one route. An existing `route`/`routes` entry is kept as a
 * comment above the new one (what was there, so it can be put back by hand), never just dropped.
 * `null` removes the routes the same way (commented out).
 */
export function setRoute(doc: TomlDoc, route: RouteEntry | null, note: string): void {
  const layout = scan(doc);
  const existing = layout.root.filter((e) => e.key === 'routes' || e.key === 'route');
  const newLines = route === null ? [] : [`routes = [`, `  { pattern = ${tomlString(route.pattern)}, zone_name = ${tomlString(route.zoneName)} },`, `]`];
  const same = existing.length === 1 && route !== null && readWranglerLayout(doc).routes.join('\n') === route.pattern && existing[0]!.valueText.includes(route.zoneName);
  if (same) return;
  if (existing.length > 0) {
    // Replace the first, comment out every one (bottom-up so indices stay valid).
    const first = existing[0]!;
    for (const e of [...existing].reverse()) {
      const old = doc.lines.slice(e.start, e.end + 1).map((l) => `# ${l}`);
      const replacement = e === first ? [`# ${note}`, ...old, ...newLines] : old;
      doc.lines.splice(e.start, e.end - e.start + 1, ...replacement);
    }
    return;
  }
  if (route === null) return;
  insertRootLines(doc, layout, newLines);
}

/** Sets a root-level key to a raw TOML value (`true`, a quoted string ...), adding it when missing. */
export function setRootValue(doc: TomlDoc, key: string, valueToml: string): void {
  const layout = scan(doc);
  const existing = layout.root.find((e) => e.key === key);
  if (existing) replaceValue(doc, existing, valueToml);
  else insertRootLines(doc, layout, [`${key} = ${valueToml}`]);
}

/** Root keys go after the last root entry (they must come before the first table header). */
function insertRootLines(doc: TomlDoc, layout: Layout, lines: string[]): void {
  const lastRoot = layout.root.at(-1);
  if (lastRoot) {
    doc.lines.splice(lastRoot.end + 1, 0, ...lines);
    return;
  }
  // No root key at all: above the first table, after any leading comments.
  let at = layout.rootEnd;
  while (at > 0 && /^\s*$/.test(doc.lines[at - 1]!)) at--;
  doc.lines.splice(at, 0, ...lines, ...(at < doc.lines.length ? [''] : []));
}

function findLine(doc: TomlDoc, from: number, to: number, pattern: RegExp): number | null {
  for (let i = from; i < to; i++) if (pattern.test(doc.lines[i]!)) return i;
  return null;
}

function trimTrailingBlank(doc: TomlDoc): void {
  while (doc.lines.length > 0 && /^\s*$/.test(doc.lines.at(-1)!)) doc.lines.pop();
}
