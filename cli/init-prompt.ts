// Questions and answers on a terminal (or on piped lines) with node:readline only: a line queue
// fed by readline's 'line' events, so answers typed or piped ahead of a question are never lost,
// and an output stream that can be muted so a secret is never echoed. No prompt library: what is
// needed (one line, a hidden line, a pasted block, a choice, yes/no) is small.

import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

export class InputEnded extends Error {
  constructor() {
    super('input ended');
  }
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export interface PromptIo {
  /** Whether a person is answering at a terminal (prompts are then drawn and secrets hidden). */
  readonly terminal: boolean;
  write(text: string): void;
  /** One line. `hidden`: nothing is echoed while it is typed. */
  line(prompt: string, options?: { hidden?: boolean }): Promise<string>;
  /** Lines up to an empty line (a pasted key); the first line alone when `single` says so. */
  block(prompt: string, options?: { hidden?: boolean; single?: (first: string) => boolean; hideRest?: (first: string) => boolean }): Promise<string>;
  close(): void;
}

/** Writes to the terminal unless muted: readline echoes keystrokes through it. */
class MutableOutput extends Writable {
  muted = false;
  constructor(private readonly target: NodeJS.WritableStream) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.muted) this.target.write(chunk);
    callback();
  }
}

export function terminalIo(input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin, output: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): PromptIo {
  const terminal = Boolean(input.isTTY && output.isTTY);
  const mutable = new MutableOutput(output);
  const rl: Interface = createInterface({ input, output: mutable, terminal, historySize: 0 });
  const queue: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let ended: Error | null = null;
  // Runs inside readline's 'line' event, before it echoes whatever else arrived in the same chunk
  // (a paste): the only moment a decision to stop echoing takes effect in time.
  let onLine: ((line: string) => void) | null = null;

  rl.on('line', (line) => {
    const hook = onLine;
    onLine = null;
    hook?.(line);
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(line);
    else queue.push(line);
  });
  const end = (error: Error) => {
    ended ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(ended);
  };
  rl.on('close', () => end(new InputEnded()));
  rl.on('SIGINT', () => {
    // At a question: the conversation ends (and the command says what was written). During work
    // (wrangler running): readline holds the terminal raw, so Ctrl-C arrives here, not as a signal;
    // hand it back as the signal it was meant to be once the terminal is restored: init's SIGINT
    // handler stops wrangler (and what it started) and says what was written.
    const atQuestion = waiting.length > 0;
    end(new Interrupted());
    rl.close();
    if (!atQuestion) process.kill(process.pid, 'SIGINT');
  });

  const nextLine = (): Promise<string> => {
    if (queue.length > 0) return Promise.resolve(queue.shift()!);
    if (ended) return Promise.reject(ended);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };

  async function read(prompt: string, hidden: boolean, hideAfter?: (line: string) => boolean): Promise<string> {
    // The prompt's last line is readline's prompt, so redrawing the line (backspace) keeps it.
    const lines = prompt.split('\n');
    const last = lines.pop()!;
    if (lines.length > 0) output.write(`${lines.join('\n')}\n`);
    rl.setPrompt(last);
    rl.prompt(true);
    if (!terminal) output.write('\n');
    mutable.muted = hidden && terminal;
    if (hideAfter && terminal && queue.length === 0) onLine = (line) => void (mutable.muted ||= hideAfter(line));
    try {
      return await nextLine();
    } finally {
      onLine = null;
      if (mutable.muted && !hideAfter) {
        mutable.muted = false;
        output.write('\n');
      }
    }
  }

  return {
    terminal,
    write: (text) => void output.write(text),
    line: (prompt, options = {}) => read(prompt, options.hidden ?? false),
    async block(prompt, options = {}) {
      const hidden = options.hidden ?? false;
      const hideAfter = (line: string) => hidden || (options.hideRest?.(line) ?? false);
      const first = await read(prompt, hidden, hideAfter);
      if (options.single?.(first)) {
        if (mutable.muted) {
          mutable.muted = false;
          output.write('\n');
        }
        return first;
      }
      const lines = [first];
      mutable.muted = hideAfter(first) && terminal;
      try {
        for (;;) {
          const next = await nextLine();
          if (next.trim() === '') break;
          lines.push(next);
        }
      } finally {
        if (mutable.muted) {
          mutable.muted = false;
          output.write('\n');
        }
      }
      return lines.join('\n');
    },
    close: () => rl.close(),
  };
}
