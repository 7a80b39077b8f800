#!/usr/bin/env node
// `npm start`: the whole gateway on this machine, from a fresh clone, in one command.
//   1. .dev.vars: generated with throwaway values when missing (cli/dev-config.ts); kept otherwise.
//   2. The demo origin (examples/node-origin), printing every event the gateway forwards to it,
//      verified with FORWARD_SECRET.
//   3. The local stand-in for Alipay's OpenAPI gateway (cli/alipay-standin.ts), when
//      ALIPAY_GATEWAY_URL in .dev.vars points at this machine: the gateway asks it about orders
//      whose notification never came (`simulate --lost` pays one there without notifying).
//   4. `wrangler dev` in local mode (Durable Object storage under .wrangler/), output prefixed.
// Then it waits for /health and prints what runs where and, once healthy, how to try it
// (scripts/banner.mjs). workerd's stack traces for a failed origin connection are shortened
// (scripts/wrangler-output.mjs).
// Ctrl-C (SIGINT) or SIGTERM stops everything it started; if wrangler exits, so does this, with its code.
// Ports: GATEWAY_PORT (default 8787) and ORIGIN_PORT (default 8788; used only when .dev.vars is
// generated, since afterwards the demo origin follows ORIGIN_URL in .dev.vars).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bannerLines, consoleRows, demoOrderId, thankYouRow } from './banner.mjs';
import { createWranglerOutputFilter } from './wrangler-output.mjs';
import { ROOT, loadTypeScript, portFromEnv, spawnWrangler, stopTree, wranglerDevArgs } from './wrangler.mjs';

const HEALTH_WAIT_MS = 120_000; // wrangler's first start (bundling, workerd) can take a while
const STOP_GRACE_MS = 5_000;

// The generator and the health report are TypeScript shared with the command-line tool; the
// default notify path and the loopback host names come from the Worker's own settings code.
await loadTypeScript('npm start');
const { DEV_APP_PUBLIC_KEY_FILE, DEV_GATEWAY_PORT, DEV_ORIGIN_PORT, DEV_PRIVATE_KEY_FILE, ensureDevVars, md5TrialAdvice } = await import('../cli/dev-config.ts');
const { startAlipayStandIn } = await import('../cli/alipay-standin.ts');
const { explainHealth, fetchHealth } = await import('../cli/health-check.ts');
const { adminCurl } = await import('../cli/admin-curl.ts');
const { DEFAULTS } = await import('../src/config/names.ts');
const { LOOPBACK_HOSTS, splitList } = await import('../src/config/values.ts');
const { startOrigin } = await import('../examples/node-origin/origin.mjs');

const say = (line) => process.stdout.write(`[start] ${line}\n`);
const fail = (line, code = 1) => {
  process.stderr.write(`[start] ${line}\n`);
  process.exit(code);
};

function portSetting(name, fallback) {
  const setting = portFromEnv(name, fallback);
  if (!setting.ok) fail(setting.message, 2);
  return setting;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The demo origin's port when ORIGIN_URL is a local http URL (the only case it can serve). */
function localOriginPort(originUrl) {
  try {
    const url = new URL(originUrl);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return null;
    return Number(url.port || 80);
  } catch {
    return null;
  }
}

// ---- 1. configuration ------------------------------------------------------------

const gateway = portSetting('GATEWAY_PORT', DEV_GATEWAY_PORT);
const originPortSetting = portSetting('ORIGIN_PORT', DEV_ORIGIN_PORT);
const devVars = await ensureDevVars(ROOT, { originPort: originPortSetting.port });
if (devVars.created) {
  say(`generated .dev.vars with throwaway development values, and an Alipay dev key pair in dev-keys/`);
} else {
  say('using the existing .dev.vars (delete it and dev-keys/ to generate fresh development values)');
  // A .dev.vars from before the trial accepted legacy MD5 is not rewritten: say what it lacks.
  const md5 = md5TrialAdvice(devVars.vars);
  if (md5 !== null) say(`note: ${md5}`);
}
const vars = devVars.vars;

// ---- 2. the demo origin ----------------------------------------------------------

let origin = null;
const urlPort = vars.ORIGIN_URL ? localOriginPort(vars.ORIGIN_URL) : null;
if (urlPort === null) {
  say('ORIGIN_URL in .dev.vars is not a local http URL: not starting the demo origin (events go where it points)');
} else if (!vars.FORWARD_SECRET) {
  say('FORWARD_SECRET is missing from .dev.vars: not starting the demo origin (the health check below says more)');
} else {
  if (originPortSetting.explicit && originPortSetting.port !== urlPort) {
    say(`warning: ORIGIN_PORT=${originPortSetting.port}, but ORIGIN_URL in .dev.vars points at port ${urlPort}; the demo origin follows ORIGIN_URL`);
  }
  try {
    origin = await startOrigin({
      port: urlPort,
      host: '127.0.0.1',
      secret: vars.FORWARD_SECRET,
      // One line for a person per request, the same shape for a first delivery and a duplicate.
      logFormat: 'text',
      log: (line) => process.stdout.write(`[origin] ${line}\n`),
      // A sample "thank you" page with the gateway's live payment status widget (GET /thank-you).
      statusPage: vars.STATUS_SECRET
        ? { secret: vars.STATUS_SECRET, appId: splitList(vars.ALIPAY_APP_ID ?? '')[0] ?? '', gatewayUrl: `http://127.0.0.1:${gateway.port}` }
        : null,
    });
  } catch (error) {
    const inUse = error?.code === 'EADDRINUSE';
    fail(
      inUse
        ? `port ${urlPort} (the demo origin, from ORIGIN_URL) is in use: is another \`npm start\` running? Stop it, or change ORIGIN_URL in .dev.vars`
        : `the demo origin could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

// ---- 3. the Alipay stand-in -------------------------------------------------------

/** The stand-in when ALIPAY_GATEWAY_URL is a local http URL and the development keys are there; null otherwise. */
async function startStandIn() {
  const port = vars.ALIPAY_APP_PRIVATE_KEY && vars.ALIPAY_GATEWAY_URL ? localOriginPort(vars.ALIPAY_GATEWAY_URL) : null;
  if (port === null) return null;
  let appPublicKey;
  let alipayPrivateKey;
  try {
    appPublicKey = await readFile(join(ROOT, DEV_APP_PUBLIC_KEY_FILE), 'utf8');
    alipayPrivateKey = await readFile(join(ROOT, DEV_PRIVATE_KEY_FILE), 'utf8');
  } catch {
    say(`ALIPAY_GATEWAY_URL points at this machine, but ${DEV_APP_PUBLIC_KEY_FILE} or ${DEV_PRIVATE_KEY_FILE} is missing: not starting the Alipay stand-in`);
    return null;
  }
  const started = await startAlipayStandIn({
    appPublicKey,
    alipayPrivateKey,
    appIds: splitList(vars.ALIPAY_APP_ID ?? ''),
    port,
    onRequest: (r) =>
      process.stdout.write(
        `[standin] ${r.method ?? '?'} ${r.out_trade_no ?? '-'}: ${r.signatureValid ? 'signed by the app key' : 'BAD SIGNATURE'}, answered ${r.answered}\n`,
      ),
  });
  if (!started.ok) {
    say(`the Alipay stand-in could not start (${started.message}); asking Alipay about unpaid orders will fail until it runs (npx alipay-notify-edge standin)`);
    return null;
  }
  return started.standIn;
}
const standIn = await startStandIn();

// ---- 4. the gateway (wrangler dev) -------------------------------------------------

if (!(await portIsFree(gateway.port))) {
  await origin?.close();
  await standIn?.close();
  fail(`port ${gateway.port} (the gateway) is in use: is another \`npm start\` or wrangler dev running? Or set GATEWAY_PORT`);
}

const wrangler = spawnWrangler(wranglerDevArgs(gateway.port, ['--show-interactive-dev-session=false']), {
  stdio: ['ignore', 'pipe', 'pipe'],
  // Its own process group, so stopping it also stops the workerd processes it starts.
  ownGroup: true,
});
let wranglerExited = false;
const output = createWranglerOutputFilter();
for (const stream of [wrangler.stdout, wrangler.stderr]) {
  createInterface({ input: stream }).on('line', (line) => {
    for (const shown of output.push(line)) process.stdout.write(`[wrangler] ${shown}\n`);
  });
}

function killWrangler(signal) {
  if (!wranglerExited) stopTree(wrangler, signal);
}

// ---- stopping ------------------------------------------------------------------

let stopping = false;

async function stop(exitCode) {
  if (stopping) {
    killWrangler('SIGKILL'); // a second Ctrl-C: do not wait any longer
    return;
  }
  stopping = true;
  say('stopping...');
  const exited = new Promise((resolve) => (wranglerExited ? resolve() : wrangler.once('exit', resolve)));
  killWrangler('SIGTERM');
  const force = setTimeout(() => killWrangler('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(force);
  await origin?.close();
  await standIn?.close();
  say('stopped.');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// Last resort (an exception in this script): never leave a detached wrangler running.
process.on('exit', () => killWrangler('SIGKILL'));

wrangler.on('exit', async (code, signal) => {
  // Its children (the workerd processes) may outlive it, e.g. when it crashed: they go too.
  killWrangler('SIGTERM');
  wranglerExited = true;
  if (stopping) return;
  stopping = true;
  await origin?.close();
  await standIn?.close();
  const status = code ?? 1;
  process.stderr.write(`[start] wrangler exited (${signal ? `signal ${signal}` : `code ${code}`}); stopping.\n`);
  process.exit(status);
});
wrangler.on('error', (error) => fail(`could not run wrangler: ${error.message}`));

// ---- 5. ready? ---------------------------------------------------------------

const base = `http://127.0.0.1:${gateway.port}`;
let health = null;
for (const deadline = Date.now() + HEALTH_WAIT_MS; Date.now() < deadline && !stopping; ) {
  const outcome = await fetchHealth(`${base}/health`, 2_000);
  if (outcome.kind !== 'unreachable') {
    health = outcome;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
if (stopping) await new Promise(() => {}); // stop() or the exit handler ends the process
if (health === null) {
  say(`the gateway did not answer ${base}/health within ${HEALTH_WAIT_MS / 1000}s; see wrangler's output above`);
  await stop(1);
}

const healthy = health.kind === 'healthy';
const notifyPath = (healthy && health.summary.notifyPath) || vars.NOTIFY_PATH || DEFAULTS.NOTIFY_PATH;
const notifyUrl = `${base}${notifyPath}`;
// The order the banner's two commands are about: new on every start, so the first send is new too.
const order = demoOrderId();
const appId = (healthy && health.summary.appIds?.[0]) || splitList(vars.ALIPAY_APP_ID ?? '')[0];
const adminOn = healthy ? health.summary.adminApi === true : Boolean(vars.ADMIN_TOKEN);
const lines = bannerLines({
  rows: [
    { label: 'gateway', value: base, note: 'wrangler dev; local Durable Object storage in .wrangler/' },
    { label: 'notify URL', value: notifyUrl, indent: true },
    { label: 'health', value: `${base}/health`, indent: true },
    ...(adminOn ? consoleRows({ gatewayUrl: base, adminToken: vars.ADMIN_TOKEN, loopback: LOOPBACK_HOSTS.has(new URL(base).hostname) }) : []),
    origin
      ? { label: 'demo origin', value: vars.ORIGIN_URL, note: 'prints every event it receives, verified with FORWARD_SECRET' }
      : { label: 'origin', value: vars.ORIGIN_URL ?? '(ORIGIN_URL not set)', note: 'not started here' },
    ...(origin && vars.STATUS_SECRET ? [thankYouRow({ originUrl: origin.url, outTradeNo: order })] : []),
    ...(standIn ? [{ label: 'Alipay stand-in', value: standIn.gatewayUrl, note: 'answers the gateway\'s order queries (ALIPAY_GATEWAY_URL)' }] : []),
    { label: 'settings', value: '.dev.vars', note: devVars.created ? `new; Alipay dev signing key: ${DEV_PRIVATE_KEY_FILE}` : undefined },
  ],
  healthLines: explainHealth(health),
  healthy,
  tryIt: {
    simulate: `npx alipay-notify-edge simulate --to ${notifyUrl} --order ${order}`,
    curl: adminOn && appId ? adminCurl({ gatewayUrl: base, appId, outTradeNo: order, token: vars.ADMIN_TOKEN ?? null }) : null,
    demoOrigin: origin !== null,
    lost: standIn && vars.STATUS_SECRET ? `npx alipay-notify-edge simulate --to ${notifyUrl} --lost --order ${order}-LOST` : null,
  },
  checkCommand: `npx alipay-notify-edge check ${base}`,
});
process.stdout.write(`${lines.join('\n')}\n`);
