// `init`: a guided, checked first deployment (and later changes) of the gateway. The pieces:
//   init-settings.ts  the settings asked for (one table)        init-validate.ts  checking an answer with the gateway
//   init-ask.ts       the conversation -> a Plan (init-plan.ts) init-answer.ts    answering one setting
//   init-ask-key.ts   the Alipay key, rotation                   init-ask-page.ts  the receiving page, its test
//   init-ask-route.ts the route over the old notify page         init-apply.ts     writing the Plan, deploy, check
//   init-state.ts     what is configured now                     init-prompt.ts    terminal questions (node:readline)
//   init-toml.ts      careful wrangler.toml edits                init-wrangler.ts  running wrangler
//   init-route.ts     notify URL -> route, zone, NOTIFY_PATH     init-probe.ts     testing the receiving page
//   init-snippets.ts  what to paste into the page                init-i18n.ts      English and Chinese
//   init-devvars.ts   .dev.vars for a local trial

import { resolve } from 'node:path';
import { healthUrlOf, withScheme } from './health-check';
import { applyPlan, noProgress, type WriteProgress } from './init-apply';
import { chooseSections, converse } from './init-ask';
import { InitStop, type AskContext, type FlagValues } from './init-plan';
import { detectLang, translator, type Lang, type Translator } from './init-i18n';
import { InputEnded, Interrupted, terminalIo, type PromptIo } from './init-prompt';
import { locallyValidated, SETTINGS } from './init-settings';
import { describeState, isConfigured, readState } from './init-state';
import { RECEIVERS } from './init-snippets';
import { wranglerRunner } from './init-wrangler';
import { EXIT, parseCommandLine, printHelp, usageError, type OptionSpec } from './io';
import type { Command } from './main';

const SETTING_FLAGS = SETTINGS.filter((s) => s.flag).map((s) => s.flag!);

function usage(): string {
  const settingLines = SETTINGS.filter((s) => s.flag).map((s) => {
    const flag = `--${s.flag!.name}${s.flag!.file ? ' FILE' : ' VALUE'}`;
    return `  ${flag.padEnd(34)}${s.name}${s.flag!.multiple ? ' (repeat: several keys, newest first)' : ''}`;
  });
  return `Usage: npx alipay-notify-edge init [options]

A guided first deployment: asks for (and checks on the spot, with the gateway's own diagnostics)
the Alipay public key, your ids, the receiving page (tested with a signed event), the notify URL
to take over with a route, what to forward, and the optional parts (admin console, buyer status,
reconciliation, alerts); writes wrangler.toml and puts the secrets with \`wrangler secret put\`,
checks the build (wrangler deploy --dry-run), deploys when asked, and checks the deployed gateway.
Run it again later to see what is set and change only what you pick (e.g. a key rotation).

In a terminal it asks; with --yes it takes flags and defaults only (for scripts and CI).
Secrets are given as files (never on the command line) or generated.

Options:
  --lang en|zh                      language (default: from the locale)
  -y, --yes                         ask nothing: flags, current values and defaults only
  --dir DIR                         the project directory (default: the current one)
  --dev-vars                        write .dev.vars for a local trial instead of Cloudflare
  --notify-url URL                  your current notify_url: put the gateway in front of it (a route)
  --zone-name NAME                  the route's Cloudflare zone (default: guessed from the host)
  --no-route                        no route (an existing one is commented out): change notify_url instead
  --receiver NAME                   the example your page is (${[...RECEIVERS, 'none'].join(', ')}): shows its snippet
  --no-probe                        do not test the receiving page
  --admin, --status, --reconcile, --alerts   turn an optional part on
  --deploy / --no-deploy            deploy after the dry run (default: ask; --yes: no)
  --url URL                         the deployed Worker's address for the final check (https:// may be left out)
  --show-secret                     print generated secrets even when the output is not a terminal
${settingLines.join('\n')}
  -h, --help                        this help
${ownRules()}
Exit status: 0 done (and healthy when deployed), 1 the receiving page or the deployed gateway is
not ready, 2 usage error, stopped, or wrangler failed.
`;
}

/** Settings this version of the gateway does not check yet, so init checks them itself (usually none). */
function ownRules(): string {
  const names = locallyValidated();
  if (names.length === 0) return '';
  return `\nChecked with init's own rules, because this version of the gateway does not check them yet:\n  ${names.join(', ')}\n`;
}

const OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  lang: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  dir: { type: 'string' },
  'dev-vars': { type: 'boolean' },
  'notify-url': { type: 'string' },
  'zone-name': { type: 'string' },
  'no-route': { type: 'boolean' },
  receiver: { type: 'string' },
  'no-probe': { type: 'boolean' },
  admin: { type: 'boolean' },
  status: { type: 'boolean' },
  reconcile: { type: 'boolean' },
  alerts: { type: 'boolean' },
  deploy: { type: 'boolean' },
  'no-deploy': { type: 'boolean' },
  url: { type: 'string' },
  'show-secret': { type: 'boolean' },
  ...Object.fromEntries(SETTING_FLAGS.map((f) => [f.name, { type: 'string' as const, ...(f.multiple ? { multiple: true } : {}) }])),
};

export interface InitOptions {
  /** For tests: the terminal (default stdin/stdout). */
  io?: PromptIo;
  out?: (text: string) => void;
  fetchImpl?: typeof fetch;
  healthWaitMs?: number;
}

export async function runInit(args: string[], options: InitOptions = {}): Promise<number> {
  const parsed = parseCommandLine(args, OPTIONS);
  if (!parsed.ok) return usageError('init', parsed.message);
  if (parsed.values['help']) return printHelp(usage());
  if (parsed.positionals.length > 0) return usageError('init', `unexpected argument "${parsed.positionals[0]}"`);
  const flags: FlagValues = { ...parsed.values };
  if (flags['no-deploy']) flags['deploy'] = false;
  const lang = (flags['lang'] ?? detectLang()) as Lang;
  if (lang !== 'en' && lang !== 'zh') return usageError('init', '--lang must be en or zh');
  // Checked before anything is asked or written: after a real deploy is too late to say it is not a URL.
  if (typeof flags['url'] === 'string') {
    const target = healthUrlOf(flags['url']);
    if (!target.ok) return usageError('init', `--url: ${target.message}`);
    flags['url'] = withScheme(flags['url']);
  }
  const receiver = flags['receiver'];
  if (receiver !== undefined && ![...RECEIVERS, 'none'].includes(receiver as string)) {
    return usageError('init', `--receiver must be one of ${[...RECEIVERS, 'none'].join(', ')}`);
  }

  const t = translator(lang);
  const out = options.out ?? ((text: string) => void process.stdout.write(text));
  const dir = resolve(typeof flags['dir'] === 'string' ? flags['dir'] : process.cwd());
  const devVars = flags['dev-vars'] === true;
  const wrangler = wranglerRunner(dir);
  const io = flags['yes'] ? null : (options.io ?? terminalIo());
  const showSecrets = Boolean(process.stdout.isTTY || flags['show-secret'] || options.io?.terminal);
  const progress = noProgress();
  // Ctrl-C as a signal (a question asked in a terminal gets it from readline instead): wrangler,
  // if it runs, is stopped and init ends through Interrupted below; otherwise init ends here.
  const onSigint = () => {
    if (wrangler.interrupt()) return;
    out(`\n${stopMessage(t, progress, 'interrupted')}\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);

  try {
    out(`${t('intro')}\n${devVars ? `${t('introDevVars')}\n` : ''}`);
    const read = await readState(dir, { devVars, wrangler });
    if (!read.ok) {
      if (read.reason === 'no-toml') out(`${t('noToml', { path: dir })}\n`);
      else if (read.reason === 'not-logged-in') out(`${t('notLoggedIn')}\n`);
      else if (read.reason === 'wrangler-failed') out(`${t('wranglerFailed')}\n${read.detail.trim()}\n`);
      else out(`${read.detail}\n`);
      return EXIT.usage;
    }
    const state = read.state;
    const configured = isConfigured(state);
    if (configured) printState(out, t, state);

    const ctx: AskContext = {
      t,
      io,
      flags,
      state,
      showSecrets,
      probe: flags['no-probe'] !== true,
      devVars,
      out,
      ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
    };
    const sections = await chooseSections(ctx, configured);
    const plan = await converse(ctx, sections);
    const apply = { t, io, flags, state, dir, wrangler, out, showSecrets, devVars, progress };
    return await applyPlan({ ...apply, ...(options.healthWaitMs !== undefined ? { healthWaitMs: options.healthWaitMs } : {}) }, plan);
  } catch (error) {
    if (error instanceof InitStop) {
      out(`alipay-notify-edge init: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof Interrupted) {
      out(`\n${stopMessage(t, progress, 'interrupted')}\n`);
      return 130;
    }
    if (error instanceof InputEnded) {
      out(`\n${stopMessage(t, progress, 'inputEnded')}\n`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    io?.close();
  }
}

/** Init stopped before its end: nothing was written, or what was (and what was under way). */
function stopMessage(t: Translator, progress: WriteProgress, why: 'interrupted' | 'inputEnded'): string {
  if (progress.done.length === 0 && progress.running === null) return t(why);
  const zh = t.lang === 'zh';
  const parts = [
    ...(progress.done.length > 0 ? [t('alreadyWritten', { done: progress.done.join(zh ? '、' : ', ') })] : []),
    ...(progress.running !== null ? [t('stoppedDuring', { step: progress.running })] : []),
  ];
  return t(why === 'interrupted' ? 'interruptedAfterWrites' : 'inputEndedAfterWrites', { written: parts.join(zh ? '' : ' ') });
}

function printState(out: (text: string) => void, t: ReturnType<typeof translator>, state: Parameters<typeof describeState>[0]): void {
  const rows = describeState(state);
  if (state.layout.routes.length > 0) rows.push({ name: t('routesNow'), shown: state.layout.routes.join(', '), set: true });
  const width = Math.max(...rows.map((r) => displayWidth(r.name)));
  const lines = rows.map((r) => `  ${r.name}${' '.repeat(width - displayWidth(r.name))}  ${!r.set ? t('unsetMark') : r.shown === '' ? t('secretSetMark') : r.shown}`);
  out(`\n${t('currentlySet')}\n${lines.join('\n')}\n`);
}

/** Columns on a terminal: CJK characters take two. */
function displayWidth(text: string): number {
  return [...text].reduce((sum, c) => sum + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);
}

export const initCommand: Command = {
  run: (args) => runInit(args),
};
