// `secret`: a new Standard Webhooks secret for FORWARD_SECRET. Only the secret goes to stdout,
// so it can be piped: npx alipay-notify-edge secret | npx wrangler secret put FORWARD_SECRET

import { base64Encode } from '../src/utils/base64';
import { EXIT, parseCommandLine, printError, printHelp } from './io';
import type { Command } from './main';

const SECRET_USAGE = `Usage: npx alipay-notify-edge secret

Prints a new forward secret: whsec_ followed by the base64 of 32 random bytes. Set the same
value on the gateway (FORWARD_SECRET) and on your origin. During a rotation the gateway takes
several, newest first, separated by spaces.

  npx alipay-notify-edge secret | npx wrangler secret put FORWARD_SECRET
`;

const SECRET_BYTES = 32;

/** `whsec_` + base64 of 32 bytes from the platform's CSPRNG. */
export function newForwardSecret(): string {
  return `whsec_${base64Encode(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

export const secretCommand: Command = {
  async run(args) {
    const parsed = parseCommandLine(args, { help: { type: 'boolean', short: 'h' } });
    // Not usageError: this usage is short, so it is shown whole rather than pointed at.
    if (!parsed.ok || parsed.positionals.length > 0) {
      printError(parsed.ok ? `unexpected argument "${parsed.positionals[0]}"` : parsed.message);
      process.stderr.write(SECRET_USAGE);
      return EXIT.usage;
    }
    if (parsed.values.help) return printHelp(SECRET_USAGE);
    process.stdout.write(`${newForwardSecret()}\n`);
    if (process.stdout.isTTY) {
      process.stderr.write('Set it on the gateway with `npx wrangler secret put FORWARD_SECRET`, and give the same value to your origin.\n');
    }
    return EXIT.ok;
  },
};
