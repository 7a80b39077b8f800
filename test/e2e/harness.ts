// Starts and stops the real processes the end-to-end suite and the benches talk to, all on
// 127.0.0.1: the test origin (test/e2e/origin-process.mjs) and the gateway under local
// `wrangler dev`. Each process leads its own process group, so stopping it also stops what it
// spawned (wrangler -> its CLI -> two workerd processes); a process exit hook kills whatever is
// still running, so a crashed run leaves no orphans. A stack's gateway can also be crashed
// (SIGKILL to the whole group, nothing cleans up) and restarted on the same --persist-to state.
//
// Settings reach wrangler through a temporary --env-file (mode 0600, in a temporary directory
// that is removed afterwards): never the repo, never the command line, and an explicit
// --env-file also stops wrangler from reading a developer's own .dev.vars.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  TEST_APP_ID,
  TEST_ONLY_ADMIN_TOKEN,
  TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64,
  TEST_ONLY_FORWARD_SECRETS,
  TEST_ONLY_STATUS_SECRET,
} from '../fixtures/gateway-test-keys';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER_BIN = join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js');
const ORIGIN_SCRIPT = fileURLToPath(new URL('./origin-process.mjs', import.meta.url));

/**
 * How long one `wrangler dev` gets to answer /health (it takes 5-10 s on a busy 2-core machine).
 * One that does not, or that exits first, is stopped and started once more on new ports (see
 * StartupFailure): about one full `npm test` in ten met such a start, and failed on it.
 */
const STARTUP_TIMEOUT_MS = 45_000;
const STARTUP_ATTEMPTS = 2;
/** One /health probe during a start, and the pause after an unanswered one. */
const HEALTH_PROBE_MS = 2_000;
const HEALTH_PROBE_GAP_MS = 200;
/** How long the test origin gets to say it is listening. */
const ORIGIN_START_TIMEOUT_MS = 15_000;
/** stop(): SIGTERM, this long to exit, then SIGKILL; the leader's exit and then every member's are awaited at most this long. */
const STOP_GRACE_MS = 5_000;
const LEADER_EXIT_WAIT_MS = 1_000;
const GROUP_EXIT_WAIT_MS = 5_000;
const STOP_LIMIT_MS = STOP_GRACE_MS + LEADER_EXIT_WAIT_MS + GROUP_EXIT_WAIT_MS;
/**
 * The longest a stack start can take before it gives up with its own error: the origin's start,
 * every gateway attempt with its stop, the origin's stop. Hooks that start a stack allow more
 * than this, so a failed start shows wrangler's own words, not a hook's time limit.
 */
export const STACK_START_LIMIT_MS =
  ORIGIN_START_TIMEOUT_MS + STARTUP_ATTEMPTS * (STARTUP_TIMEOUT_MS + HEALTH_PROBE_MS + HEALTH_PROBE_GAP_MS + STOP_LIMIT_MS) + STOP_LIMIT_MS;
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
  /** SIGKILL to the whole group at once, as a crash or an OOM kill would: nothing gets to clean up. */
  kill(): Promise<void>;
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
  const stopWithin = (graceMs: number) =>
    (stopping ??= (async () => {
      if (graceMs > 0) signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (signalGroup(pid, 0) && Date.now() < deadline) await sleep(100);
      signalGroup(pid, 'SIGKILL');
      await Promise.race([exited, sleep(LEADER_EXIT_WAIT_MS)]);
      // Every member gone (workerd holds the state files), not only the leader.
      const gone = Date.now() + GROUP_EXIT_WAIT_MS;
      while (signalGroup(pid, 0) && Date.now() < gone) await sleep(50);
      liveGroups.delete(pid);
    })());
  return { name, pid, exited, stop: () => stopWithin(STOP_GRACE_MS), kill: () => stopWithin(0), tail: () => lines.join('\n') };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A port nothing listens on now, for a process to bind a moment later. Picked below the kernel's
 * ephemeral range (where `listen(0)` and every outgoing connection get their ports): a port from
 * inside it was at times taken in that moment, by one of the thousands of connections the heavier
 * tests open, and wrangler then exited with "Address already in use".
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  if (ephemeralLow - low < 1_000) return listenOn(0); // an unusual range: let the kernel choose
  for (let tries = 0; tries < 50; tries++) {
    const port = portBelowEphemeral(Math.random(), low, ephemeralLow);
    const bound = await listenOn(port).catch(() => undefined);
    if (bound !== undefined) return bound;
  }
  return listenOn(0);
}

/**
 * Ports at or above 10,000 that Chromium refuses to load a page from (net::ERR_UNSAFE_PORT; its
 * list in net/base/port_util.cc): a browser test once drew 10080 for a merchant page.
 */
const BROWSER_REFUSED_PORTS: ReadonlySet<number> = new Set([10080]);

/** The port `random` (0 to 1) picks in [low, high), stepping past one a browser refuses. */
export function portBelowEphemeral(random: number, low: number, high: number): number {
  const port = low + Math.floor(random * (high - low));
  return BROWSER_REFUSED_PORTS.has(port) ? (port + 1 < high ? port + 1 : port - 1) : port;
}

/** Linux's ephemeral port range; IANA's elsewhere. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux
  }
  return [49_152, 65_535];
}

/** Binds 127.0.0.1:`port` (0: any) and lets it go again; resolves to the port. */
function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(bound));
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
  /** `notification`, or `query` for a payment the gateway found by asking Alipay. */
  eventSource: string | null;
  contentType: string | null;
  bodyBase64: string;
}

export interface OriginStats {
  requests: number;
  accepted: number;
  failed: number;
  dropped: number;
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
    ORIGIN_START_TIMEOUT_MS,
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
    /** Every request recorded so far, for every order. */
    async allDeliveries(): Promise<OriginDelivery[]> {
      const response = await fetch(`${controlUrl}/deliveries`);
      return ((await response.json()) as { deliveries: OriginDelivery[] }).deliveries;
    },
    /** The next `times` verified deliveries for `order` get a 500. */
    async failNext(order: string, times: number): Promise<void> {
      await this.plan(order, times, 'fail');
    },
    /**
     * The next `times` verified deliveries for `order` (`*`: any order without a plan of its own):
     * `fail` 500, `drop` the connection unanswered (an origin that is down), `hold` answered
     * `success` after `ms` (a slow origin; recorded as accepted on arrival).
     */
    async plan(order: string, times: number, mode: 'fail' | 'drop' | 'hold', ms = 0): Promise<void> {
      const query = new URLSearchParams({ order, times: String(times), mode, ms: String(ms) });
      const response = await fetch(`${controlUrl}/plan?${query}`, { method: 'POST' });
      if (!response.ok) throw new Error(`origin refused the plan: ${response.status} ${await response.text()}`);
    },
    /** From now on each verified delivery without a plan fails (500) with this probability; with a seed, the same draws every run. */
    async flaky(percent: number, seed?: number): Promise<void> {
      const response = await fetch(`${controlUrl}/flaky?percent=${percent}${seed === undefined ? '' : `&seed=${seed}`}`, { method: 'POST' });
      if (!response.ok) throw new Error(`origin refused the flaky setting: ${response.status}`);
    },
  };
}

// ---- the gateway under wrangler dev ----------------------------------------

export interface RunningGateway {
  readonly url: string;
  readonly notifyUrl: string;
  /** wrangler dev's inspector (Chrome DevTools protocol) for the Worker: heap readings. */
  readonly inspectorPort: number;
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
    STATUS_SECRET: TEST_ONLY_STATUS_SECRET,
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWrangler(configPath, envFile, options);
    } catch (error) {
      if (attempt >= STARTUP_ATTEMPTS || !(error instanceof StartupFailure)) throw error;
      console.warn(`wrangler dev did not start (attempt ${attempt} of ${STARTUP_ATTEMPTS}); starting it again on new ports. ${error.message}`);
    }
  }
}

/**
 * wrangler dev exited before /health answered (e.g. "Address already in use": the ports come from
 * freePort(), and another process on this busy machine may take one before wrangler binds it), or
 * /health did not answer 200 in time (seen: wrangler's proxy never started although the Worker
 * had). Worth another try, unlike settings the gateway refuses, which a new start does not change.
 */
class StartupFailure extends Error {}

/** One `wrangler dev` on fresh ports, resolved once /health answers 200; stopped if it does not. */
async function startWrangler(configPath: string, envFile: string, options: { dir: string; logLevel?: string }): Promise<RunningGateway> {
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
  return { url, notifyUrl: `${url}/alipay/notify`, inspectorPort, process: gateway };
}

async function waitForHealth(url: string, gateway: ManagedProcess): Promise<void> {
  let exitCode: number | null | undefined;
  void gateway.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new StartupFailure(`wrangler dev exited (${exitCode}) before /health answered:\n${gateway.tail()}`);
    try {
      const { status, text } = await fetchWithin(`${url}/health`, {}, HEALTH_PROBE_MS);
      if (status === 200) return;
      // The gateway's own verdict on its settings will not change by waiting.
      const problems = configProblems(text);
      if (problems !== null) throw new Error(`gateway settings have problems:\n  ${problems.join('\n  ')}`);
      last = `${status} ${text.slice(0, 500)}`;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('gateway settings')) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(HEALTH_PROBE_GAP_MS);
  }
  throw new StartupFailure(`wrangler dev: /health was not 200 within ${STARTUP_TIMEOUT_MS / 1000}s (last: ${last}):\n${gateway.tail()}`);
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
  /** Leader of the gateway's process group (wrangler, its CLI, the workerd processes): for memory readings. */
  gatewayPid: number;
  /** The Worker's inspector port (wrangler dev --inspector-port). */
  gatewayInspectorPort: number;
  originControlUrl: string;
  adminToken: string;
  forwardSecrets: string[];
  statusSecret: string;
}

export interface RunningStack {
  /** The current gateway's addresses: they change when the gateway is restarted. */
  readonly info: StackInfo;
  readonly gateway: RunningGateway;
  readonly origin: RunningOrigin;
  /** SIGKILL to the gateway's whole process group, mid-whatever it is doing. */
  crashGateway(): Promise<void>;
  /** The gateway again, on the same --persist-to state and settings (on a new port). */
  restartGateway(): Promise<RunningGateway>;
  stop(): Promise<void>;
}

/**
 * The start of every stack: a scratch folder (the gateway's --persist-to and config) and the test
 * origin. `stop` runs the cleanups in reverse (each one's failure ignored), so whatever the caller
 * starts next is stopped before what it depends on; a cleanup handed to `onStop` after `stop`
 * (a process whose start outlived the test) runs at once, so nothing is left running. The caller
 * calls `stop` itself if its own start-up fails.
 */
export async function startStackBase(name: string): Promise<{
  dir: string;
  origin: RunningOrigin;
  onStop(cleanup: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), `alipay-notify-edge-${name}-`));
  const cleanups: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  let stopped = false;
  const stop = async () => {
    stopped = true;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  const onStop = async (cleanup: () => Promise<void>) => {
    if (stopped) await cleanup().catch(() => {});
    else cleanups.push(cleanup);
  };
  try {
    const origin = await startTestOrigin(TEST_ONLY_FORWARD_SECRETS);
    await onStop(() => origin.process.stop());
    return { dir, origin, onStop, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function startStack(
  options: { settings?: Record<string, string>; logLevel?: 'log' | 'warn' | 'error'; wranglerConfig?: string } = {},
): Promise<RunningStack> {
  const { dir, origin, onStop, stop } = await startStackBase('e2e');
  try {
    const settings = gatewaySettings(origin.deliveryUrl, options.settings);
    const start = async () => {
      const started = await startGateway({ dir, settings, logLevel: options.logLevel, wranglerConfig: options.wranglerConfig });
      await onStop(() => started.process.stop());
      return started;
    };
    let gateway = await start();
    const infoOf = (g: RunningGateway): StackInfo => ({
      gatewayUrl: g.url,
      notifyUrl: g.notifyUrl,
      gatewayPid: g.process.pid,
      gatewayInspectorPort: g.inspectorPort,
      originControlUrl: origin.controlUrl,
      adminToken: settings['ADMIN_TOKEN'] ?? '',
      forwardSecrets: (settings['FORWARD_SECRET'] ?? '').split(/\s+/).filter(Boolean),
      statusSecret: settings['STATUS_SECRET'] ?? '',
    });
    return {
      get gateway() {
        return gateway;
      },
      get info() {
        return infoOf(gateway);
      },
      origin,
      stop,
      crashGateway: () => gateway.process.kill(),
      async restartGateway() {
        await gateway.process.kill();
        gateway = await start();
        return gateway;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---- what the gateway's processes hold --------------------------------------

/** Resident memory (KiB) of every process in a process group: ps, summed. Linux/macOS. */
export async function groupRssKiB(pgid: number): Promise<number> {
  const text = await new Promise<string>((resolve, reject) =>
    execFile('ps', ['-e', '-o', 'pgid=,rss='], { maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  ).catch(() => '');
  let total = 0;
  for (const line of text.split('\n')) {
    const [group, rss] = line.trim().split(/\s+/).map(Number);
    if (group === pgid && Number.isFinite(rss)) total += rss!;
  }
  return total;
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

export interface FetchedText {
  status: number;
  text: string;
}

/**
 * fetch() and the whole body as text, settled within `ms` by a timer of this process's own, which
 * also aborts the request. AbortSignal.timeout() alone was not enough: a stack start hung five
 * minutes on a /health probe to wrangler's proxy that had a 2 s one. Node 20's fetch has known ways
 * of leaving an aborted request pending (nodejs/node#56917, nodejs/undici#4068); which one met the
 * probe was not pinned down, and a timer of our own ends the wait whatever it was.
 */
export async function fetchWithin(url: string, init: RequestInit, ms: number): Promise<FetchedText> {
  const controller = new AbortController();
  const work = (async () => {
    const response = await fetch(url, { ...init, signal: controller.signal });
    return { status: response.status, text: await response.text() };
  })();
  work.catch(() => {}); // settled late (after the timer), or never: nobody waits for it any more
  try {
    return await withTimeout(work, ms, () => `${init.method ?? 'GET'} ${url}: no whole answer within ${ms / 1000} s`);
  } finally {
    controller.abort();
  }
}

/**
 * wrangler dev's proxy's own answer (503) when its connection to the Worker failed, never the
 * gateway's. It says "restarted", but the proxy gives it for any failed connection on a POST: its
 * restart check compares the request's whole URL with the Worker's bare origin, which only a
 * request for `/` matches.
 */
export const PROXY_LOST_CONNECTION = 'Your worker restarted mid-request';

/** Whether an answer is that 503 of the proxy's (and so worth sending again), not the gateway's. */
export function isProxyLoss(answer: { status: number; body: string }): boolean {
  return answer.status === 503 && answer.body.startsWith(PROXY_LOST_CONNECTION);
}

/**
 * Waits before each re-send after the proxy's own 503: growing, so that a proxy losing every
 * connection for a few seconds on a busy machine (CI once lost 16 notifications of 100 in one
 * run) has recovered before a request's last try, ~5 s after its first.
 */
const PROXY_RESEND_WAITS_MS = [500, 1_500, 3_000];

/**
 * Sends again, as Alipay would, what wrangler dev's proxy answered itself (`lost(answer)`: its own
 * 503), after a wait, at most three times; the last answer is returned either way, so a request
 * lost every time fails the test on that answer. `onResend` counts the re-sends.
 */
export async function sendPastProxyLosses<T>(
  send: () => Promise<T>,
  lost: (answer: T) => boolean,
  onResend: (resends: number) => void = () => {},
  waitsMs: readonly number[] = PROXY_RESEND_WAITS_MS,
): Promise<T> {
  let answer = await send();
  for (const [i, waitMs] of waitsMs.entries()) {
    if (!lost(answer)) break;
    onResend(i + 1);
    await sleep(waitMs);
    answer = await send();
  }
  return answer;
}

/**
 * A GET to the gateway through wrangler dev's proxy, asked again when it gets no whole answer
 * within `eachMs` (`tries` asks in all). The proxy puts a GET that meets a connection it lost to
 * the Worker into a retry queue that only its next request empties; a test that waits on that GET
 * sends none, so it would wait for its own time limit. Asking again is that next request (and a
 * GET changes nothing, so asking twice is harmless). The last ask's failure is thrown.
 */
export async function getWithin(url: string, init: Omit<RequestInit, 'method' | 'body'> = {}, { tries = 3, eachMs = 10_000 } = {}): Promise<FetchedText> {
  for (let ask = 1; ; ask++) {
    try {
      return await fetchWithin(url, { ...init, method: 'GET' }, eachMs);
    } catch (error) {
      if (ask >= tries) throw error;
    }
  }
}

/**
 * A POST (or other request with a body) to the gateway through wrangler dev's proxy: fetchWithin,
 * sent again after the proxy's own 503 (sendPastProxyLosses). For requests the gateway handles
 * idempotently (a notification, an order registration, an operator's hold or resume).
 */
export function postPastProxyLosses(url: string, init: RequestInit, ms = 30_000): Promise<FetchedText> {
  return sendPastProxyLosses(() => fetchWithin(url, init, ms), ({ status, text }) => isProxyLoss({ status, body: text }));
}

export interface HeapReader {
  /**
   * The Worker's JavaScript heap: bytes in use on the V8 heap plus ArrayBuffer backing stores
   * (request bodies live there), from Runtime.getHeapUsage. With `collect`, after a full garbage
   * collection: workerd does not answer HeapProfiler.collectGarbage, but a heap snapshot collects
   * before it walks the heap (the snapshot itself, ~2 MB for this Worker, is thrown away).
   */
  heapBytes(options?: { collect?: boolean }): Promise<number>;
  close(): void;
}

/** One connection to wrangler dev's inspector (Chrome DevTools protocol) for the Worker, kept open for every reading. */
export async function heapReader(inspectorPort: number): Promise<HeapReader> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  const pending = new Map<number, (result: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    }),
    5_000,
    () => 'the inspector did not accept a connection',
  );
  let nextId = 0;
  const call = <T>(method: string, params: Record<string, unknown>, timeoutMs: number) =>
    withTimeout(
      new Promise<T>((resolve) => {
        const id = ++nextId;
        pending.set(id, (result) => {
          pending.delete(id);
          resolve(result as T);
        });
        socket.send(JSON.stringify({ id, method, params }));
      }),
      timeoutMs,
      () => `the inspector did not answer ${method} within ${timeoutMs / 1000} s`,
    );
  return {
    async heapBytes(options = {}) {
      if (options.collect) await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 30_000);
      const usage = await call<{ usedSize: number; backingStorageSize?: number }>('Runtime.getHeapUsage', {}, 5_000);
      return usage.usedSize + (usage.backingStorageSize ?? 0);
    },
    close: () => socket.close(),
  };
}
