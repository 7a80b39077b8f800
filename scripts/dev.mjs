#!/usr/bin/env node
// `npm start`: the whole gateway on this machine, from a fresh clone, in one command.
//   1. .dev.vars: generated with throwaway values when missing (cli/dev-config.ts); kept otherwise.
//   2. The demo origin (examples/node-origin), printing every event the gateway forwards to it,
//      verified with FORWARD_SECRET.
//   3. `wrangler dev` in local mode (Durable Object storage under .wrangler/), output prefixed.
// Then it waits for /health and prints what runs where and how to send a test notification.
// Ctrl-C (SIGINT) or SIGTERM stops everything it started; if wrangler exits, so does this, with its code.
// Ports: GATEWAY_PORT (default 8787) and ORIGIN_PORT (default 8788; used only when .dev.vars is
// generated, since afterwards the demo origin follows ORIGIN_URL in .dev.vars).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEALTH_WAIT_MS = 120_000; // wrangler's first start (bundling, workerd) can take a while
const STOP_GRACE_MS = 5_000;

let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write('npm start: dependencies are missing; run `npm ci` first.\n');
  process.exit(2);
}
// The generator and the health report are TypeScript shared with the command-line tool; the
// default notify path and the loopback host names come from the Worker's own settings code.
register({ tsconfig: join(ROOT, 'tsconfig.json') });
const { DEV_GATEWAY_PORT, DEV_ORIGIN_PORT, DEV_PRIVATE_KEY_FILE, ensureDevVars } = await import('../cli/dev-config.ts');
const { explainHealth, fetchHealth } = await import('../cli/health-check.ts');
const { DEFAULTS } = await import('../src/config/names.ts');
const { LOOPBACK_HOSTS } = await import('../src/config/values.ts');
const { startOrigin } = await import('../examples/node-origin/origin.mjs');

const say = (line) => process.stdout.write(`[start] ${line}\n`);
const fail = (line, code = 1) => {
  process.stderr.write(`[start] ${line}\n`);
  process.exit(code);
};

function portFromEnv(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return { port: fallback, explicit: false };
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name} must be a port number (1-65535), not "${text}"`, 2);
  return { port, explicit: true };
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

const gateway = portFromEnv('GATEWAY_PORT', DEV_GATEWAY_PORT);
const originPortSetting = portFromEnv('ORIGIN_PORT', DEV_ORIGIN_PORT);
const devVars = await ensureDevVars(ROOT, { originPort: originPortSetting.port });
if (devVars.created) {
  say(`generated .dev.vars with throwaway development values, and an Alipay dev key pair in dev-keys/`);
} else {
  say('using the existing .dev.vars (delete it and dev-keys/ to generate fresh development values)');
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
      onEvent: printEvent,
      log: printOriginLog,
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

function printEvent(event) {
  const fields = event.fields ?? event.json?.params ?? event.json ?? {};
  const pick = (name) => (typeof fields[name] === 'string' ? ` ${name}=${fields[name]}` : '');
  process.stdout.write(
    `[origin] event received and verified with FORWARD_SECRET: kind=${event.kind ?? '?'} webhook-id=${event.id}` +
      `${pick('out_trade_no')}${pick('trade_status')}${pick('total_amount')}${pick('refund_fee')}` +
      `${event.attempt ? ` attempt=${event.attempt}` : ''}\n`,
  );
}

// The example logs one JSON line per request; the accepted ones are already printed by printEvent.
function printOriginLog(line) {
  try {
    if (JSON.parse(line).outcome === 'received') return;
  } catch {
    // not JSON: print it as it is
  }
  process.stdout.write(`[origin] ${line}\n`);
}

// ---- 3. the gateway (wrangler dev) -------------------------------------------------

if (!(await portIsFree(gateway.port))) {
  await origin?.close();
  fail(`port ${gateway.port} (the gateway) is in use: is another \`npm start\` or wrangler dev running? Or set GATEWAY_PORT`);
}

const wranglerBin = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const wrangler = spawn(
  process.execPath,
  [wranglerBin, 'dev', '--ip', '127.0.0.1', '--port', String(gateway.port), '--show-interactive-dev-session=false'],
  {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    // Its own process group, so stopping it also stops the workerd processes it starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let wranglerExited = false;
for (const stream of [wrangler.stdout, wrangler.stderr]) {
  createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[wrangler] ${line}\n`));
}

function killWrangler(signal) {
  if (wranglerExited || wrangler.pid === undefined) return;
  try {
    process.kill(-wrangler.pid, signal);
  } catch {
    // already gone
  }
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
  const status = code ?? 1;
  process.stderr.write(`[start] wrangler exited (${signal ? `signal ${signal}` : `code ${code}`}); stopping.\n`);
  process.exit(status);
});
wrangler.on('error', (error) => fail(`could not run wrangler: ${error.message}`));

// ---- 4. ready? ---------------------------------------------------------------

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

const notifyPath = (health.kind === 'healthy' && health.summary.notifyPath) || vars.NOTIFY_PATH || DEFAULTS.NOTIFY_PATH;
const lines = [
  '',
  'alipay-notify-edge is running locally:',
  `  gateway      ${base}  (wrangler dev; local Durable Object storage in .wrangler/)`,
  `    notify URL ${base}${notifyPath}`,
  `    health     ${base}/health`,
  origin
    ? `  demo origin  ${vars.ORIGIN_URL}  (prints every event it receives, verified with FORWARD_SECRET)`
    : `  origin       ${vars.ORIGIN_URL ?? '(ORIGIN_URL not set)'}  (not started here)`,
  `  settings     .dev.vars${devVars.created ? ` (new; Alipay dev signing key: ${DEV_PRIVATE_KEY_FILE})` : ''}`,
  '',
  ...explainHealth(health).map((line) => `  ${line}`),
  '',
  'Send a test notification (from another terminal, in this directory):',
  `  npx alipay-notify-edge simulate --to ${base}${notifyPath}`,
  '',
  'Press Ctrl-C to stop everything.',
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
