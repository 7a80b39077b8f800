// `check URL`: is this gateway configured right, and does it deliver? Asks its GET /health,
// explains each problem by setting name, what it is and where to set it, and says when deliveries
// are held (configured, yet nothing reaches the receiving page: not "healthy").

import { EXIT, parseCommandLine, printHelp, usageError } from './io';
import { DEFAULT_CHECK_TIMEOUT_MS, deliveriesHeld, explainHealth, fetchHealth, healthUrlOf } from './health-check';
import type { Command } from './main';

const CHECK_USAGE = `Usage: npx alipay-notify-edge check URL

Asks a running gateway for its health report (GET /health) and explains what is wrong.
URL is the gateway's own address (its workers.dev URL; https:// may be left out) or its /health
URL. Not your site's notify URL: with a route over your notify page, only that path reaches the
gateway, and /health there is your own server.
  npx alipay-notify-edge check http://127.0.0.1:8787
  npx alipay-notify-edge check https://alipay-notify-edge.example.workers.dev/health

Exit status: 0 healthy, 1 configuration problems or deliveries held, 2 unreachable, not a gateway,
or usage error.
`;

export const checkCommand: Command = {
  async run(args) {
    const parsed = parseCommandLine(args, { help: { type: 'boolean', short: 'h' } });
    if (!parsed.ok) return usageError('check', parsed.message);
    if (parsed.values.help) return printHelp(CHECK_USAGE);
    if (parsed.positionals.length !== 1) return usageError('check', parsed.positionals.length === 0 ? 'give the gateway URL' : 'give one URL');
    const target = healthUrlOf(parsed.positionals[0]!);
    if (!target.ok) return usageError('check', target.message);

    const outcome = await fetchHealth(target.url, DEFAULT_CHECK_TIMEOUT_MS);
    const text = `${explainHealth(outcome).join('\n')}\n`;
    if (outcome.kind === 'healthy') {
      process.stdout.write(text);
      return deliveriesHeld(outcome) ? EXIT.notValid : EXIT.ok;
    }
    if (outcome.kind === 'problems') {
      process.stdout.write(text);
      return EXIT.notValid;
    }
    process.stderr.write(text);
    return EXIT.usage;
  },
};
