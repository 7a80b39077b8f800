// `npm run dev:worker` (scripts/dev-worker.mjs) as a user runs it: wrangler dev on GATEWAY_PORT,
// extra arguments passed through, stopped with its workerd processes by one signal to the launcher.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { eventually } from './client';
import { REPO_ROOT, fetchWithin, freePort, sleep } from './harness';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

test('npm run dev:worker listens on GATEWAY_PORT and stops with everything it started on SIGTERM', async () => {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const state = await mkdtemp(join(tmpdir(), 'alipay-notify-edge-dev-worker-'));
  const child = spawn(
    process.execPath,
    ['scripts/dev-worker.mjs', '--inspector-port', String(inspectorPort), '--persist-to', state, '--show-interactive-dev-session=false'],
    { cwd: REPO_ROOT, env: { ...process.env, GATEWAY_PORT: String(port), CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // The gateway answers its health check there (200, or 503 when this checkout's .dev.vars is incomplete).
    const health = await eventually(
      `the gateway on GATEWAY_PORT=${port}`,
      async () => {
        try {
          return JSON.parse((await fetchWithin(`http://127.0.0.1:${port}/health`, {}, 2_000)).text) as { ok: boolean };
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    expect(typeof health.ok).toBe('boolean');
    expect(output).toContain(`Ready on http://127.0.0.1:${port}`);

    process.kill(child.pid!, 'SIGTERM'); // the launcher alone, as a process manager would
    expect(await Promise.race([exited, sleep(15_000).then(() => 'still running')])).not.toBe('still running');
    await eventually('the port to be free again', async () => ((await portIsFree(port)) ? true : undefined), 10_000);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // whatever is left of its process group
    } catch {
      // nothing left
    }
    await rm(state, { recursive: true, force: true });
  }
}, 90_000);
