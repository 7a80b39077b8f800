// Running `wrangler dev` for the launchers (scripts/dev.mjs behind `npm start`, scripts/dev-worker.mjs
// behind `npm run dev:worker`), the same way on Linux, macOS and Windows: no shell, environment
// variables set here rather than as `VAR=value` in package.json (which cmd.exe cannot run), and a
// way to stop wrangler together with the workerd processes it starts.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const IS_WINDOWS = process.platform === 'win32';

/**
 * Lets the launchers import the project's TypeScript (cli/, src/), as the command-line tool does.
 * Exits with a clear message when `npm ci` has not been run.
 */
export async function loadTypeScript(who) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(`${who}: dependencies are missing; run \`npm ci\` first.\n`);
    process.exit(2);
  }
  register({ tsconfig: join(ROOT, 'tsconfig.json') });
}

/** No usage metrics, and no request to Cloudflare for the `cf` object: local mode needs no network. */
export const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** The port in environment variable `name`, or `fallback`; `explicit` when the variable was set. */
export function portFromEnv(name, fallback, env = process.env) {
  const text = env[name];
  if (text === undefined || text.trim() === '') return { ok: true, port: fallback, explicit: false };
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, message: `${name} must be a port number (1-65535), not "${text}"` };
  }
  return { ok: true, port, explicit: true };
}

/** `wrangler dev` on 127.0.0.1:`port` (local mode), plus any extra arguments. */
export function wranglerDevArgs(port, extra = []) {
  return [WRANGLER_BIN, 'dev', '--ip', '127.0.0.1', '--port', String(port), ...extra];
}

/**
 * Starts wrangler with node (never through a shell). `ownGroup`: in its own process group on
 * POSIX, so stopTree() reaches the workerd processes it starts; Windows has no process groups
 * and stopTree() uses taskkill /T there instead.
 */
export function spawnWrangler(args, { stdio = 'inherit', ownGroup = false } = {}) {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    detached: ownGroup && !IS_WINDOWS,
    stdio,
    windowsHide: true,
  });
}

/**
 * Stops `child` and everything it started. Safe to call when it is already gone; also meant for
 * then, since the workerd processes of a crashed wrangler may outlive it.
 */
export function stopTree(child, signal = 'SIGTERM') {
  if (child.pid === undefined) return;
  if (IS_WINDOWS) {
    // No signals on Windows: taskkill ends the whole tree (/T); /F as SIGKILL does.
    const args = ['/pid', String(child.pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])];
    spawn('taskkill', args, { stdio: 'ignore', windowsHide: true }).on('error', () => {});
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // No such group (spawned without ownGroup, or everything in it is gone): the child alone.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}
