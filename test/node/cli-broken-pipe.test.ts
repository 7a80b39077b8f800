// `npx alipay-notify-edge keys FILE | head -1`: the reader closes the pipe while the tool is still
// writing. The tool must stop quietly (exit status 0, nothing on stderr), not die with an EPIPE
// stack trace.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_KEY_TEXT_LENGTH } from '../../src/alipay/keys';
import { BIN } from '../support/cli-run';

const dir = mkdtempSync(join(tmpdir(), 'cli-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A key file as large as `keys` accepts: one small public key repeated, so every copy gets its own
 * report entry with its paragraph of advice (about 200 KB of JSON: more than the reader's first
 * chunk plus a full pipe buffer, so the tool is still writing when the pipe closes).
 */
function manyKeysFile(): string {
  const pem = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const path = join(dir, 'many.pem');
  writeFileSync(path, pem.repeat(Math.floor(MAX_KEY_TEXT_LENGTH / pem.length)));
  return path;
}

interface PipelineRun {
  /** The tool's own exit status (bash's pipefail), not the reader's. */
  code: number | null;
  stderr: string;
}

/** `node cli/bin.mjs ARGS | READER` through a real OS pipe, as a user's shell runs it. */
function pipeInto(args: string[], reader: string): Promise<PipelineRun> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const shell = spawn('bash', ['-c', `set -o pipefail; ${quoted} | ${reader} > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    shell.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    shell.on('error', reject);
    shell.on('close', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(process.platform === 'win32')('output into a pipe closed early', () => {
  it('keys --json on a large key file | head -c 100: stops quietly, exit status 0', async () => {
    const run = await pipeInto(['keys', '--json', manyKeysFile()], 'head -c 100');
    expect(run.stderr).not.toMatch(/EPIPE|ERR|Error|\n\s+at /);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('a reader gone before the first write (`secret | true`): no stack trace either', async () => {
    const run = await pipeInto(['secret'], 'true');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
