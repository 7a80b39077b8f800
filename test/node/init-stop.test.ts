// init stopped midway says what is true: before it writes, that nothing was written; once it has
// begun (wrangler.toml, a secret, the deploy), what was written and what was under way. Ctrl-C
// during `wrangler deploy` stops wrangler and what it started, then init exits 130; it does not
// leave a deploy running after it is gone.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInit } from '../../cli/init';
import { InputEnded, Interrupted, type PromptIo } from '../../cli/init-prompt';
import { newForwardSecret } from '../../cli/secret';
import { makeInitProject, type InitProject } from '../support/init-project';
import { alive, allGone, eventually } from '../support/processes';

const ORIGIN_URL = 'https://shop.example.com/pay/notify_origin.asp';

/** A terminal that answers every question with Enter (the default), except `stopAt`'s, where it stops. */
function answeringIo(stopAt: RegExp, stop: () => Error): PromptIo & { asked: string[] } {
  const asked: string[] = [];
  const answer = async (prompt: string) => {
    asked.push(prompt);
    if (asked.length > 100) throw new Error(`too many questions; the last: ${prompt}`);
    if (stopAt.test(prompt)) throw stop();
    return '';
  };
  return { asked, terminal: false, write: () => {}, line: answer, block: answer, close: () => {} };
}

async function flags(project: InitProject): Promise<string[]> {
  const key = await project.keyPair('alipay');
  const secretFile = await project.outside('forward-secret.txt', newForwardSecret());
  return ['--lang', 'en', '--alipay-public-key', key.publicPem, '--app-id', '2021000123456789', '--origin-url', ORIGIN_URL, '--forward-secret-file', secretFile, '--no-probe', '--no-route'];
}

/** runInit in this process, with the stand-in wrangler on PATH. */
async function initHere(project: InitProject, args: string[], io: PromptIo): Promise<{ code: number; out: string }> {
  for (const [name, value] of Object.entries(project.standin.env)) vi.stubEnv(name, value);
  let out = '';
  const code = await runInit(['--dir', project.dir, ...args], { io, out: (text) => void (out += text) });
  return { code, out };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('stopped at a question', () => {
  it('before the writing starts (Ctrl-C at "Write …?"): nothing was written, and it says so', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const tomlBefore = await readFile(project.tomlPath, 'utf8');
      const io = answeringIo(/Write wrangler\.toml/, () => new Interrupted());
      const { code, out } = await initHere(project, await flags(project), io);
      expect(code).toBe(130);
      expect(out).toContain('Stopped. Nothing was written.');
      expect(out).not.toContain('last ✓');
      expect((await project.standin.records()).map((r) => r.argv.join(' '))).toEqual(['secret list --format json']);
      expect(await readFile(project.tomlPath, 'utf8')).toBe(tomlBefore);
    } finally {
      await project.remove();
    }
  }, 60_000);

  it('after the secrets were put (the input ends at "Deploy now?"): says what was written, not "Nothing was written"', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const io = answeringIo(/Deploy now/, () => new InputEnded());
      const { code, out } = await initHere(project, await flags(project), io);
      expect(code).toBe(2);
      expect(out).not.toContain('Nothing was written');
      expect(out).toContain(
        'The input ended before every question was answered. Already written: wrangler.toml, the secret ALIPAY_PUBLIC_KEY, the secret ORIGIN_URL, the secret FORWARD_SECRET. Run init again to finish',
      );
      expect((await project.standin.secretNames()).sort()).toEqual(['ALIPAY_PUBLIC_KEY', 'FORWARD_SECRET', 'ORIGIN_URL']);
    } finally {
      await project.remove();
    }
  }, 60_000);

  it('in Chinese too', async () => {
    const project = await makeInitProject({ noWorker: true });
    try {
      const io = answeringIo(/现在部署吗/, () => new Interrupted());
      const { code, out } = await initHere(project, [...(await flags(project)), '--lang', 'zh'], io);
      expect(code).toBe(130);
      expect(out).toContain('已停止。已经写入：wrangler.toml、机密 ALIPAY_PUBLIC_KEY、机密 ORIGIN_URL、机密 FORWARD_SECRET。重新运行 init');
    } finally {
      await project.remove();
    }
  }, 60_000);
});

describe('Ctrl-C during wrangler deploy', () => {
  it('stops wrangler and the process it started, says the deploy was under way, exits 130', async () => {
    const project = await makeInitProject({ noWorker: true, deployHangs: true });
    try {
      const started = project.start(['--yes', ...(await flags(project)), '--deploy']);
      const pids = await eventually(async () => JSON.parse(await readFile(project.standin.hangFile, 'utf8')) as { wrangler: number; child: number }, 60_000);
      expect(alive(pids.wrangler) && alive(pids.child)).toBe(true);
      started.child.kill('SIGINT'); // what the terminal's Ctrl-C sends init (wrangler runs in a group of its own)
      const run = await started.done;
      expect(run.stderr).toBe('');
      expect(run.code, run.stdout).toBe(130);
      expect(run.stdout).toContain('Stopped. Already written: wrangler.toml, the secret ALIPAY_PUBLIC_KEY, the secret ORIGIN_URL, the secret FORWARD_SECRET.');
      expect(run.stdout).toContain('Under way when it stopped (it may or may not have taken effect): the deploy (wrangler deploy).');
      expect(await allGone([pids.wrangler, pids.child])).toBe(true);
    } finally {
      await project.remove();
    }
  }, 90_000);
});


