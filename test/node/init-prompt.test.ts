// init's questions over piped lines (the terminal itself is tested through tmux in
// init-terminal.test.ts): answers that arrive before their question are kept, a pasted block ends
// at an empty line, and the end of the input is an error the command can name.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputEnded, terminalIo } from '../../cli/init-prompt';

function pipedIo(input: string, end = true) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let shown = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (shown += d));
  const io = terminalIo(stdin, stdout);
  if (end) stdin.end(input);
  else stdin.write(input);
  return { io, shown: () => shown };
}

describe('terminalIo over a pipe', () => {
  it('keeps answers that arrive before their question, one line each', async () => {
    const { io, shown } = pipedIo('first\nsecond\n');
    expect(io.terminal).toBe(false);
    await new Promise((r) => setTimeout(r, 20)); // both lines are buffered before anything is asked
    expect(await io.line('Q1? ')).toBe('first');
    expect(await io.line('Q2?\nmore: ')).toBe('second');
    expect(shown()).toContain('Q1?');
    expect(shown()).toContain('Q2?\nmore:');
    io.close();
  });

  it('reads a pasted block up to an empty line, or one line when that is all it needs', async () => {
    const { io } = pipedIo('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n\n/path/to/key.pem\nnext\n');
    expect(await io.block('key? ')).toBe('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----');
    expect(await io.block('key? ', { single: (first) => first.startsWith('/') })).toBe('/path/to/key.pem');
    expect(await io.line('then? ')).toBe('next');
    io.close();
  });

  it('the end of the input ends the conversation with InputEnded', async () => {
    const { io } = pipedIo('only\n');
    expect(await io.line('a? ')).toBe('only');
    await expect(io.line('b? ')).rejects.toBeInstanceOf(InputEnded);
  });
});
