// Starts and stops the real processes the end-to-end suite and bench/e2e.ts talk to, all on
// 127.0.0.1: the test origin (test/e2e/origin-process.mjs) and the gateway under local
// `wrangler dev`. Each process leads its own process group, so stopping it also stops what it
// spawned (wrangler -> its CLI -> two workerd processes); a process exit hook kills whatever is
// still running, so a crashed run leaves no orphans.
//
// Settings reach wrangler through a temporary --env-file (mode 0600, in a temporary directory
// that is removed afterwards): never the repo, never the command line, and an explicit
// --env-file also stops wrangler from reading a developer's own .dev.vars.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_APP_ID, TEST_ONLY_ADMIN_TOKEN, TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64, TEST_ONLY_FORWARD_SECRETS } from '../fixtures/gateway-test-keys';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER_BIN = join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js');
const ORIGIN_SCRIPT = fileURLToPath(new URL('./origin-process.mjs', import.meta.url));

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 60;

// ---- processes --------------------------------------------------------------

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The last lines it printed (stdout and stderr), for failure messages. */
  tail(): string;
  /** Resolves when the group leader has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM to the whole group, SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
}

const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

export function startProcess(
  name: string,
  args: string[],
  options: { env?: Record<string, string>; onLine?: (line: string) => void } = {},
): ManagedProcess {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() reaches its children too
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const pid = child.pid;
  liveGroups.add(pid);

  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > OUTPUT_TAIL_LINES) lines.shift();
        options.onLine?.(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + STOP_GRACE_MS;
      while (signalGroup(pid, 0) && Date.now() < deadline) await sleep(100);
      signalGroup(pid, 'SIGKILL');
      await Promise.race([exited, sleep(1_000)]);
      liveGroups.delete(pid);
    })());
  return { name, pid, exited, stop, tail: () => lines.join('\n') };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nothing listens on right now (the OS picks it; the gap before wrangler binds is tiny). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---- the test origin --------------------------------------------------------

/** One request as the test origin recorded it. */
export interface OriginDelivery {
  seq: number;
  receivedAt: string;
  path: string;
  order: string | null;
  /** `accepted`, `failed-on-purpose`, or `rejected:<reason>`. */
  outcome: string;
  status: number;
  webhookId: string | null;
  webhookTimestamp: string | null;
  webhookSignature: string | null;
  attemptHeader: string | null;
  eventKind: string | null;
  contentType: string | null;
  bodyBase64: string;
}

export interface OriginStats {
  requests: number;
  accepted: number;
  failed: number;
  rejected: number;
  distinctAcceptedIds: number;
  idsAcceptedMoreThanOnce: number;
}

export interface RunningOrigin {
  /** Where the gateway delivers (ORIGIN_URL). */
  readonly deliveryUrl: string;
  /** Base URL of the control routes. */
  readonly controlUrl: string;
  readonly process: ManagedProcess;
}

export async function startTestOrigin(secrets: readonly string[]): Promise<RunningOrigin> {
  let announce: (port: number) => void = () => {};
  const announced = new Promise<number>((resolve) => (announce = resolve));
  const origin = startProcess('test origin', [ORIGIN_SCRIPT], {
    env: { FORWARD_SECRET: secrets.join(' '), PORT: '0', HOST: '127.0.0.1' },
    onLine: (line) => {
      if (line.startsWith('{"ready":true')) announce((JSON.parse(line) as { port: number }).port);
    },
  });
  const port = await withTimeout(
    Promise.race([announced, origin.exited.then((code) => Promise.reject(new Error(`test origin exited (${code}):\n${origin.tail()}`)))]),
    15_000,
    () => `test origin did not start:\n${origin.tail()}`,
  );
  const base = `http://127.0.0.1:${port}`;
  return { deliveryUrl: `${base}/alipay/notify_url.asp`, controlUrl: `${base}/__e2e`, process: origin };
}

/** Control-route client; plain data in, plain data out, so it works from any process. */
export function originClient(controlUrl: string) {
  return {
    async deliveries(order: string): Promise<OriginDelivery[]> {
      const response = await fetch(`${controlUrl}/deliveries?order=${encodeURIComponent(order)}`);
      return ((await response.json()) as { deliveries: OriginDelivery[] }).deliveries;
    },
    async stats(): Promise<OriginStats> {
      return (await (await fetch(`${controlUrl}/stats`)).json()) as OriginStats;
    },
    /** The next `times` verified deliveries for `order` get a 500. */
    async failNext(order: string, times: number): Promise<void> {
      const response = await fetch(`${controlUrl}/fail?order=${encodeURIComponent(order)}&times=${times}`, { method: 'POST' });
      if (!response.ok) throw new Error(`origin refused the failure plan: ${response.status}`);
    },
  };
}

// ---- the gateway under wrangler dev ----------------------------------------

export interface RunningGateway {
  readonly url: string;
  readonly notifyUrl: string;
  readonly process: ManagedProcess;
}

/** A valid gateway configuration for the fixture keys; `overrides` win. */
export function gatewaySettings(originUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64,
    ALIPAY_APP_ID: TEST_APP_ID,
    ORIGIN_URL: originUrl,
    FORWARD_SECRET: TEST_ONLY_FORWARD_SECRETS.join(' '),
    // Seconds, not the production minutes: a failing origin recovers within the test.
    RETRY_SCHEDULE: '1s,1s,2s,2s',
    DELIVERY_TIMEOUT: '5s',
    ADMIN_TOKEN: TEST_ONLY_ADMIN_TOKEN,
    ...overrides,
  };
}

async function writeEnvFile(path: string, settings: Record<string, string>): Promise<void> {
  const lines = Object.entries(settings).map(([name, value]) => {
    if (/["\n\r]/.test(value)) throw new Error(`${name}: the env file cannot hold quotes or newlines`);
    return `${name}="${value}"`;
  });
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function startGateway(options: {
  dir: string;
  settings: Record<string, string>;
  logLevel?: 'debug' | 'info' | 'log' | 'warn' | 'error' | 'none';
  /** The text of another wrangler config (bench:e2e's, with its bench-only route); default: the repository's wrangler.toml. */
  wranglerConfig?: string;
}): Promise<RunningGateway> {
  const envFile = join(options.dir, 'gateway.env');
  await writeEnvFile(envFile, options.settings);
  let configPath = join(REPO_ROOT, 'wrangler.toml');
  if (options.wranglerConfig !== undefined) {
    configPath = join(options.dir, 'wrangler.toml');
    await writeFile(configPath, options.wranglerConfig);
  }
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const gateway = startProcess(
    'wrangler dev',
    [
      WRANGLER_BIN,
      'dev',
      '--config', configPath,
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--inspector-port', String(inspectorPort),
      '--local',
      '--persist-to', join(options.dir, 'state'),
      '--env-file', envFile,
      '--show-interactive-dev-session=false',
      '--log-level', options.logLevel ?? 'log',
    ],
    { env: { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true', NO_COLOR: '1' } },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, gateway);
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return { url, notifyUrl: `${url}/alipay/notify`, process: gateway };
}

async function waitForHealth(url: string, gateway: ManagedProcess): Promise<void> {
  let exitCode: number | null | undefined;
  void gateway.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`wrangler dev exited (${exitCode}) before /health answered:\n${gateway.tail()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      const text = await response.text();
      if (response.status === 200) return;
      // The gateway's own verdict on its settings will not change by waiting.
      const problems = configProblems(text);
      if (problems !== null) throw new Error(`gateway settings have problems:\n  ${problems.join('\n  ')}`);
      last = `${response.status} ${text.slice(0, 500)}`;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('gateway settings')) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(`wrangler dev: /health was not 200 within ${STARTUP_TIMEOUT_MS / 1000}s (last: ${last}):\n${gateway.tail()}`);
}

function configProblems(text: string): string[] | null {
  try {
    const body = JSON.parse(text) as { ok?: unknown; problems?: unknown };
    return body.ok === false && Array.isArray(body.problems) ? body.problems.map(String) : null;
  } catch {
    return null;
  }
}

// ---- both together ----------------------------------------------------------

/** What the tests need to reach the stack; plain data, so a globalSetup can provide() it. */
export interface StackInfo {
  gatewayUrl: string;
  notifyUrl: string;
  originControlUrl: string;
  adminToken: string;
  forwardSecrets: string[];
}

export interface RunningStack {
  readonly info: StackInfo;
  readonly gateway: RunningGateway;
  readonly origin: RunningOrigin;
  stop(): Promise<void>;
}

export async function startStack(
  options: { settings?: Record<string, string>; logLevel?: 'log' | 'warn' | 'error'; wranglerConfig?: string } = {},
): Promise<RunningStack> {
  const dir = await mkdtemp(join(tmpdir(), 'alipay-notify-edge-e2e-'));
  const cleanups: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const origin = await startTestOrigin(TEST_ONLY_FORWARD_SECRETS);
    cleanups.push(() => origin.process.stop());
    const settings = gatewaySettings(origin.deliveryUrl, options.settings);
    const gateway = await startGateway({ dir, settings, logLevel: options.logLevel, wranglerConfig: options.wranglerConfig });
    cleanups.push(() => gateway.process.stop());
    return {
      gateway,
      origin,
      stop,
      info: {
        gatewayUrl: gateway.url,
        notifyUrl: gateway.notifyUrl,
        originControlUrl: origin.controlUrl,
        adminToken: settings['ADMIN_TOKEN'] ?? '',
        forwardSecrets: (settings['FORWARD_SECRET'] ?? '').split(/\s+/).filter(Boolean),
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `promise`, or an Error with `message()` once `ms` have passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
