// Input and output for the command-line tool. Every input is read with a size cap, and a
// failure to read is a value the command turns into exit status 2, not an exception.

import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readAllCapped } from '../src/utils/read-capped';

export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/** Exit statuses shared by every command. */
export const EXIT = { ok: 0, notValid: 1, usage: 2 } as const;

/** `path` of undefined or `-` reads stdin, which must then be a pipe or a file, not a terminal. */
export async function readInput(path: string | undefined, limit: number, what: string): Promise<ReadResult> {
  if (path === undefined || path === '-') {
    if (process.stdin.isTTY) return { ok: false, message: `no ${what}: pass a file, or pipe it on stdin` };
    return readStream(process.stdin, limit, what);
  }
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, message: `${path}: not a file` };
    if (info.size > limit) return { ok: false, message: `${path}: too large for ${what} (${info.size} bytes; at most ${limit})` };
    return { ok: true, bytes: new Uint8Array(await readFile(path)) };
  } catch (error) {
    return { ok: false, message: `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

async function readStream(stream: NodeJS.ReadableStream & Readable, limit: number, what: string): Promise<ReadResult> {
  try {
    const bytes = await readAllCapped(Readable.toWeb(stream) as ReadableStream<Uint8Array>, limit);
    if (bytes === null) return { ok: false, message: `stdin: too large for ${what} (more than ${limit} bytes)` };
    return { ok: true, bytes };
  } catch (error) {
    return { ok: false, message: `stdin: cannot read (${(error as Error).message})` };
  }
}

/** The most of an HTTP answer a command reads (a gateway's answers are a few hundred bytes). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** An HTTP answer's text, read up to MAX_ANSWER_BYTES; a longer one is said to be so instead. */
export async function answerText(response: Response): Promise<string> {
  const bytes = await readAllCapped(response.body, MAX_ANSWER_BYTES);
  return bytes === null ? `(a reply of more than ${MAX_ANSWER_BYTES} bytes)` : new TextDecoder().decode(bytes);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printError(message: string): void {
  process.stderr.write(`alipay-notify-edge: ${message}\n`);
}

/** A usage problem: the message, where the options are explained, and exit status 2. */
export function usageError(command: string, message: string): number {
  printError(message);
  process.stderr.write(`Run \`npx alipay-notify-edge ${command} --help\` for usage.\n`);
  return EXIT.usage;
}

/** `--help`: the usage text on stdout (it was asked for, so it is not an error) and exit status 0. */
export function printHelp(usage: string): number {
  process.stdout.write(usage);
  return EXIT.ok;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
export type ArgsResult = { ok: true; values: OptionValues; positionals: string[] } | { ok: false; message: string };

/**
 * node:util parseArgs, with its errors (unknown option, missing value) returned as a usage message
 * in our words: Node's own ("Unknown option '--lang'. To specify a positional argument starting
 * with a '-', place it at the end…") is long, has an unbalanced quote, and says nothing useful.
 */
export function parseCommandLine(args: string[], options: OptionSpec): ArgsResult {
  const problem = optionProblem(args, options);
  if (problem !== null) return { ok: false, message: problem };
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { ok: true, values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** The first option this command does not know or cannot take as given, said plainly; null when none. */
function optionProblem(args: string[], options: OptionSpec): string | null {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    const flag = token.rawName;
    if (spec === undefined) {
      if (token.name === 'lang') return 'unknown option --lang: only `init` speaks Chinese (`npx alipay-notify-edge init --lang zh`); this command answers in English';
      return `unknown option ${flag}`;
    }
    if (spec.type === 'boolean' && token.inlineValue) return `${flag} takes no value`;
    const value = token.value;
    if (spec.type === 'string' && value === undefined) return `${flag} needs a value`;
    if (spec.type === 'string' && !token.inlineValue && value !== undefined && value.length > 1 && value.startsWith('-')) {
      return `${flag} needs a value, and "${value}" looks like an option (for a value starting with -, write --${token.name}=${value})`;
    }
  }
  return null;
}
