// A stand-in `wrangler` for testing `init` without a Cloudflare account: a small Node script put
// first on PATH. It records each command line and, for `secret put`, the secret's NAME with the
// SHA-256 and length of what arrived on stdin (never the value, so a test can prove no value
// reached the record), keeps the secret names between calls (for `secret list`), hands
// `deploy --dry-run` to the real wrangler (so the wrangler.toml init wrote is checked by the real
// thing, once per version of the file), and answers `deploy` the way wrangler 4 prints its
// triggers, with a URL the test serves; or, with `deployHangs`, starts a child of its own and hangs
// (for Ctrl-C during a deploy), writing both process ids to hang.json next to its record.

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REAL_WRANGLER = fileURLToPath(new URL('../../node_modules/.bin/wrangler', import.meta.url));

export interface StandinRecord {
  argv: string[];
  /** `secret put` only: what arrived on stdin, as a digest. */
  stdin?: { sha256: string; length: number };
}

export interface StandinOptions {
  /** What `deploy` prints as the Worker's address. */
  deployUrl?: string;
  /** `secret list` fails as when nobody is logged in. */
  loggedOut?: boolean;
  /** Secrets that exist before the run (names). */
  secrets?: string[];
  /** A never-deployed Worker: `secret list` answers "not found" (until a secret is put). */
  noWorker?: boolean;
  /** `deploy` starts a child and never ends (until stopped); both pids go to `hangFile`. */
  deployHangs?: boolean;
}

export interface Standin {
  binDir: string;
  /** PATH with the stand-in first. */
  path: string;
  env: Record<string, string>;
  records(): Promise<StandinRecord[]>;
  /** Where a hanging `deploy` writes `{ wrangler, child }` (its pid and its child's). */
  hangFile: string;
  /** The raw record file's text (for "no value in here" assertions). */
  recordText(): Promise<string>;
  secretNames(): Promise<string[]>;
}

const SCRIPT = String.raw`#!/usr/bin/env node
// Stand-in wrangler written by test/support/wrangler-standin.ts.
const { appendFileSync, readFileSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const log = process.env.WRANGLER_STANDIN_LOG;
const statePath = process.env.WRANGLER_STANDIN_STATE;
const argv = process.argv.slice(2);
const state = JSON.parse(readFileSync(statePath, 'utf8'));
const save = () => writeFileSync(statePath, JSON.stringify(state));
const record = (extra) => appendFileSync(log, JSON.stringify({ argv, ...extra }) + '\n');
const readStdin = () => { try { return readFileSync(0); } catch { return Buffer.alloc(0); } };
const [command, sub, name] = argv;

if (command === 'secret' && sub === 'list') {
  record({});
  if (state.loggedOut) {
    process.stderr.write('✘ [ERROR] In a non-interactive environment, it\'s necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.\n');
    process.exit(1);
  }
  if (state.noWorker) {
    process.stderr.write('✘ [ERROR] Worker "alipay-notify-edge" not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(state.secrets.map((n) => ({ name: n, type: 'secret_text' })), null, '  ') + '\n');
  process.exit(0);
}
if (command === 'secret' && sub === 'put') {
  const value = readStdin();
  record({ stdin: { sha256: createHash('sha256').update(value.toString('utf8').replace(/\s+$/, '')).digest('hex'), length: value.length } });
  if (!state.secrets.includes(name)) state.secrets.push(name);
  state.noWorker = false;
  save();
  process.stdout.write('🌀 Creating the secret for the Worker "alipay-notify-edge"\n✨ Success! Uploaded secret ' + name + '\n');
  process.exit(0);
}
if (command === 'deploy' && argv.includes('--dry-run')) {
  record({});
  // The real wrangler's verdict on this wrangler.toml; the same file again gets the same answer
  // without a second real run (each takes a second or two of bundling).
  const toml = createHash('sha256').update(readFileSync('wrangler.toml')).digest('hex');
  if (state.dryRun?.toml !== toml) {
    const real = spawnSync(process.env.WRANGLER_STANDIN_REAL, argv, { cwd: process.cwd(), encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } });
    state.dryRun = { toml, stdout: real.stdout || '', stderr: real.stderr || '', status: real.status === null ? 1 : real.status };
    save();
  }
  process.stdout.write(state.dryRun.stdout);
  process.stderr.write(state.dryRun.stderr);
  process.exit(state.dryRun.status);
}
if (command === 'deploy' && process.env.WRANGLER_STANDIN_HANG) {
  record({});
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(process.env.WRANGLER_STANDIN_HANG, JSON.stringify({ wrangler: process.pid, child: child.pid }));
  process.stdout.write('Total Upload: 100.00 KiB / gzip: 20.00 KiB\n');
  setInterval(() => {}, 1000);
} else if (command === 'deploy') {
  record({});
  state.noWorker = false;
  save();
  process.stdout.write('Total Upload: 100.00 KiB / gzip: 20.00 KiB\nUploaded alipay-notify-edge (1.00 sec)\nDeployed alipay-notify-edge triggers (0.50 sec)\n  ' + (process.env.WRANGLER_STANDIN_URL || 'https://alipay-notify-edge.example.workers.dev') + '\nCurrent Version ID: 00000000-0000-0000-0000-000000000000\n');
  process.exit(0);
} else {
  record({});
  process.stderr.write('stand-in wrangler: unexpected command ' + argv.join(' ') + '\n');
  process.exit(3);
}
`;

/** Writes the stand-in into `dir`/bin and its state next to it. */
export async function installWranglerStandin(dir: string, options: StandinOptions = {}): Promise<Standin> {
  const binDir = join(dir, 'bin');
  await mkdir(binDir, { recursive: true });
  const script = join(binDir, 'wrangler');
  await writeFile(script, SCRIPT);
  await chmod(script, 0o755);
  const log = join(dir, 'wrangler-calls.jsonl');
  const hangFile = join(dir, 'hang.json');
  const statePath = join(dir, 'wrangler-state.json');
  await writeFile(log, '');
  await writeFile(statePath, JSON.stringify({ secrets: options.secrets ?? [], loggedOut: options.loggedOut ?? false, noWorker: options.noWorker ?? false }));
  const path = `${binDir}${delimiter}${process.env['PATH'] ?? ''}`;
  return {
    binDir,
    path,
    env: {
      PATH: path,
      WRANGLER_STANDIN_LOG: log,
      WRANGLER_STANDIN_STATE: statePath,
      WRANGLER_STANDIN_REAL: REAL_WRANGLER,
      ...(options.deployUrl ? { WRANGLER_STANDIN_URL: options.deployUrl } : {}),
      ...(options.deployHangs ? { WRANGLER_STANDIN_HANG: hangFile } : {}),
    },
    hangFile,
    recordText: () => readFile(log, 'utf8'),
    async records() {
      return (await readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as StandinRecord);
    },
    async secretNames() {
      return (JSON.parse(await readFile(statePath, 'utf8')) as { secrets: string[] }).secrets;
    },
  };
}
