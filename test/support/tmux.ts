// A real terminal for interactive tests: a private tmux server (its own socket, so nothing else's
// sessions are touched) running one command in a pane we can type into, paste into and read.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** tmux, installed from Debian only when missing (the one system package these tests need). */
export function ensureTmux(): void {
  if (spawnSync('tmux', ['-V']).status === 0) return;
  spawnSync('apt-get', ['install', '-y', 'tmux'], { stdio: 'ignore' });
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is missing and `apt-get install -y tmux` did not install it');
}

export interface Terminal {
  /** Everything the pane shows, scroll-back included. */
  screen(): string;
  /** Waits until the screen shows `text` (counting from the `after`-th occurrence of it). */
  waitFor(text: string | RegExp, options?: { timeoutMs?: number; occurrence?: number }): Promise<string>;
  type(text: string): void;
  enter(text?: string): void;
  /** As a terminal paste: the text arrives at once, line breaks included. */
  paste(text: string): void;
  /** A key by tmux's name for it, e.g. `C-c` (Ctrl-C). */
  key(name: string): void;
  close(): void;
}

export async function openTerminal(dir: string, command: string, env: Record<string, string>): Promise<Terminal> {
  ensureTmux();
  const socket = `init-test-${process.pid}-${Date.now()}`;
  const launcher = join(dir, 'launch.sh');
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`)
    .join('\n');
  // The pane stays open after the command, so its last words and exit status can be read.
  await writeFile(launcher, `#!/bin/sh\n${exports}\n${command}\necho "INIT-EXIT=$?"\nsleep 600\n`);
  await chmod(launcher, 0o755);
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', 'init', '-x', '200', '-y', '50', '-c', dir, launcher);

  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-5000', '-t', 'init');
  return {
    screen,
    async waitFor(text, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 30_000);
      const occurrence = options.occurrence ?? 1;
      for (;;) {
        const shown = screen();
        const count = typeof text === 'string' ? shown.split(text).length - 1 : (shown.match(new RegExp(text.source, `${text.flags.replace('g', '')}g`)) ?? []).length;
        if (count >= occurrence) return shown;
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(text)} (x${occurrence}); it shows:\n${shown}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    type: (text) => void tmux('send-keys', '-t', 'init', '-l', text),
    enter(text = '') {
      if (text !== '') tmux('send-keys', '-t', 'init', '-l', text);
      tmux('send-keys', '-t', 'init', 'Enter');
    },
    paste(text) {
      tmux('set-buffer', '-b', 'paste', '--', text);
      tmux('paste-buffer', '-b', 'paste', '-d', '-t', 'init');
    },
    key: (name) => void tmux('send-keys', '-t', 'init', name),
    close: () => void spawnSync('tmux', ['-L', socket, 'kill-server']),
  };
}
