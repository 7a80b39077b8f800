// The command-line tool: dispatch to one command module. Commands are imported lazily so
// `keys` does not pay for loading the verifier, and new commands are one entry in COMMANDS.
// Each command's one-line summary lives here only, next to its loader, for the top-level help.

import { EXIT, printError } from './io';

export interface Command {
  /** Exit status: 0 ok, 1 "no" (not valid, unusable key), 2 usage error or unreadable input. */
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: {
    summary: 'guided first deployment: asks, checks, writes wrangler.toml and secrets, deploys, checks',
    load: async () => (await import('./init')).initCommand,
  },
  verify: {
    summary: 'check the signature of a notification body or return_url query; prints JSON',
    load: async () => (await import('./verify')).verifyCommand,
  },
  keys: {
    summary: 'say what a key file holds and how to set it (ALIPAY_PUBLIC_KEY, or ALIPAY_APP_PRIVATE_KEY)',
    load: async () => (await import('./keys')).keysCommand,
  },
  simulate: {
    summary: 'send a signed test notification to a gateway, as Alipay would',
    load: async () => (await import('./simulate')).simulateCommand,
  },
  secret: {
    summary: 'print a new whsec_ forward secret (FORWARD_SECRET)',
    load: async () => (await import('./secret')).secretCommand,
  },
  check: {
    summary: "ask a running gateway's /health and explain each problem",
    load: async () => (await import('./check')).checkCommand,
  },
  standin: {
    summary: "run a local stand-in for Alipay's OpenAPI gateway (answers alipay.trade.query)",
    load: async () => (await import('./standin')).standinCommand,
  },
};

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'alipay-notify-edge: Alipay notification tools',
    '',
    'Usage: npx alipay-notify-edge <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `npx alipay-notify-edge <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return EXIT.ok;
  }
  const entry = name === undefined ? undefined : COMMANDS[name];
  if (entry === undefined) {
    if (name !== undefined) printError(`unknown command "${name}"`);
    process.stderr.write(helpText());
    return EXIT.usage;
  }
  return (await entry.load()).run(rest);
}
