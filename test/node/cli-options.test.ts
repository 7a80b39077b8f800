// Every command answers an option it does not know (or one given without its value) in its own
// words, with where its options are explained, and exit status 2: not Node's parseArgs message
// ("Unknown option '--lang'. To specify a positional argument starting with a '-', place it at
// the end of the command after '--', as in '-- "--lang"", an unbalanced quote a merchant cannot use).
import { describe, expect, it } from 'vitest';
import { runCli, runInProcess } from '../support/cli-run';

const COMMANDS = ['init', 'verify', 'keys', 'simulate', 'secret', 'check', 'standin'];

describe('an unknown option', () => {
  it.each(COMMANDS)('%s: names the option and where the options are, exit 2', async (command) => {
    const run = await runInProcess([command, '--colour', 'red']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^alipay-notify-edge: unknown option --colour\n/);
    expect(run.stderr).toContain(`npx alipay-notify-edge ${command}`);
    expect(run.stderr).not.toMatch(/positional argument|'--/);
  });

  it.each(COMMANDS.filter((c) => c !== 'init'))('%s --lang zh: says that only init speaks Chinese', async (command) => {
    for (const args of [['--lang', 'zh'], ['--lang=zh']]) {
      const run = await runInProcess([command, ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('unknown option --lang: only `init` speaks Chinese (`npx alipay-notify-edge init --lang zh`)');
    }
  });

  it('a short option, also inside a group of them', async () => {
    expect((await runInProcess(['check', '-x'])).stderr).toMatch(/unknown option -x\n/);
    expect((await runInProcess(['check', '-hx'])).stderr).toMatch(/unknown option -x\n/);
  });

  it('after -- an option-looking word is an argument, not an option', async () => {
    const run = await runInProcess(['check', '--', '--lang']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('unknown option');
  });

  it('as the user runs it (simulate --lang zh), in the real process', async () => {
    const run = await runCli(['simulate', '--lang', 'zh']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'alipay-notify-edge: unknown option --lang: only `init` speaks Chinese (`npx alipay-notify-edge init --lang zh`); this command answers in English\n' +
        'Run `npx alipay-notify-edge simulate --help` for usage.\n',
    );
  });
});

describe('an option without its value', () => {
  it('says which option needs one', async () => {
    expect((await runInProcess(['init', '--lang'])).stderr).toMatch(/^alipay-notify-edge: --lang needs a value\n/);
    expect((await runInProcess(['standin', '--port'])).stderr).toMatch(/^alipay-notify-edge: --port needs a value\n/);
  });

  it('says how to give a value starting with a dash, rather than taking the next option as the value', async () => {
    const run = await runInProcess(['standin', '--port', '--help']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port needs a value, and "--help" looks like an option (for a value starting with -, write --port=--help)');
  });

  it('takes a lone - as a value (stdin), as before', async () => {
    const run = await runInProcess(['keys', '--nonsense', '-']);
    expect(run.stderr).toMatch(/unknown option --nonsense\n/);
    expect((await runInProcess(['verify', '--response', '--body', '-'])).stderr).not.toContain('needs a value');
  });

  it('a switch given a value', async () => {
    const run = await runInProcess(['secret', '--help=yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^alipay-notify-edge: --help takes no value\n/);
  });
});
