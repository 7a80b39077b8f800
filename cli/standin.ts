// `standin`: runs the local stand-in for Alipay's OpenAPI gateway (cli/alipay-standin.ts) with the
// development keys `npm start` generated, until Ctrl-C. A gateway whose ALIPAY_GATEWAY_URL points
// here asks it about orders; one JSON line is printed per query.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_APP_PUBLIC_KEY_FILE, DEV_PRIVATE_KEY_FILE, DEV_STANDIN_PORT, DEV_VARS_FILE, readDevVars } from './dev-config';
import { startAlipayStandIn } from './alipay-standin';
import { splitList } from '../src/config/values';
import { EXIT, parseCommandLine, printHelp, readInput, usageError } from './io';
import type { Command } from './main';

const STANDIN_USAGE = `Usage: npx alipay-notify-edge standin [options]

Runs a local stand-in for Alipay's OpenAPI gateway on http://127.0.0.1:${DEV_STANDIN_PORT}/gateway.do.
It checks each request's signature with the app public key, answers alipay.trade.query for
the trades it was told about, and signs its answers with the development Alipay key, so a
local gateway (ALIPAY_GATEWAY_URL) can find payments whose notification never came.

Tell it about a paid trade (its control API, loopback only):
  curl -X POST http://127.0.0.1:${DEV_STANDIN_PORT}/_standin/trades -d '{"out_trade_no":"T1","total_amount":"1.00"}'
Make it answer badly (to see that such answers change nothing):
  curl -X PUT http://127.0.0.1:${DEV_STANDIN_PORT}/_standin/mode -d '{"mode":"forged"}'
  (modes: normal, unsigned, forged, tampered, unavailable, http-error)

Options:
  --port N                     port (default ${DEV_STANDIN_PORT})
  --app-public-key FILE        the app public key requests are checked with
                               (default ${DEV_APP_PUBLIC_KEY_FILE}, from \`npm start\`)
  --alipay-private-key FILE    the key answers are signed with (default ${DEV_PRIVATE_KEY_FILE})
  --app-id IDS                 accepted app_id values (default: ALIPAY_APP_ID from ${DEV_VARS_FILE}; any when unset)
  -h, --help                   this help
`;

const OPTIONS = {
  port: { type: 'string' },
  'app-public-key': { type: 'string' },
  'alipay-private-key': { type: 'string' },
  'app-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MAX_KEY_FILE_BYTES = 64 * 1024;
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const standinCommand: Command = {
  async run(args) {
    const parsed = parseCommandLine(args, OPTIONS);
    if (!parsed.ok) return usageError('standin', parsed.message);
    if (parsed.values.help) return printHelp(STANDIN_USAGE);
    if (parsed.positionals.length > 0) return usageError('standin', `unexpected argument "${parsed.positionals[0]}"`);
    const portText = (parsed.values.port as string | undefined) ?? String(DEV_STANDIN_PORT);
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return usageError('standin', '--port must be a port number (1 to 65535)');

    const dir = (await readDevVars(process.cwd())) !== null ? process.cwd() : PROJECT_ROOT;
    const vars = (await readDevVars(dir)) ?? {};
    const appKeyFile = (parsed.values['app-public-key'] as string | undefined) ?? join(dir, DEV_APP_PUBLIC_KEY_FILE);
    const alipayKeyFile = (parsed.values['alipay-private-key'] as string | undefined) ?? join(dir, DEV_PRIVATE_KEY_FILE);
    const appKey = await readInput(appKeyFile, MAX_KEY_FILE_BYTES, 'an app public key');
    if (!appKey.ok) return usageError('standin', `${appKey.message} (run \`npm start\` once to generate the development keys, or pass --app-public-key)`);
    const alipayKey = await readInput(alipayKeyFile, MAX_KEY_FILE_BYTES, 'an Alipay private key');
    if (!alipayKey.ok) return usageError('standin', `${alipayKey.message} (run \`npm start\` once, or pass --alipay-private-key)`);
    const appIds = splitList((parsed.values['app-id'] as string | undefined) ?? vars.ALIPAY_APP_ID ?? '');

    const started = await startAlipayStandIn({
      appPublicKey: new TextDecoder().decode(appKey.bytes),
      alipayPrivateKey: new TextDecoder().decode(alipayKey.bytes),
      appIds,
      port,
      onRequest: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    });
    if (!started.ok) return usageError('standin', started.message);
    const { standIn } = started;
    process.stderr.write(`Alipay stand-in: ${standIn.gatewayUrl} (control API ${standIn.baseUrl}/_standin/). Ctrl-C stops it.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await standIn.close();
    return EXIT.ok;
  },
};
