// Carrying out a Plan: the whole configuration checked once more by the gateway's reader, then
// wrangler.toml (vars, route) and `wrangler secret put` (or .dev.vars), `wrangler deploy
// --dry-run`, `wrangler deploy` when asked, `check` against the deployed Worker, and what to
// change on Alipay's side.

import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/load';
import { DEFAULTS } from '../src/config/names';
import { deliveriesHeld, explainHealth, fetchHealth, healthUrlOf } from './health-check';
import { confirm } from './init-answer';
import { knownAfter, type FlagValues, type Plan } from './init-plan';
import { gitIgnoresDevVars, mergeDevVars, writeDevVars } from './init-devvars';
import type { Translator } from './init-i18n';
import type { PromptIo } from './init-prompt';
import { settingNamed, SETTINGS } from './init-settings';
import type { CurrentState } from './init-state';
import { renderToml, setRootValue, setRoute, setVars } from './init-toml';
import { deploy, deployDryRun, putSecret, type WranglerRunner } from './init-wrangler';

export interface ApplyContext {
  t: Translator;
  io: PromptIo | null;
  flags: FlagValues;
  state: CurrentState;
  dir: string;
  wrangler: WranglerRunner;
  out: (text: string) => void;
  showSecrets: boolean;
  devVars: boolean;
  /** Between deploy and a healthy /health: tries and the wait between them. */
  healthTries?: number;
  healthWaitMs?: number;
  /** Filled in as things are written, so a stop midway (Ctrl-C, the input ending) can say what was. */
  progress: WriteProgress;
}

/** What applyPlan has written (files, secrets on Cloudflare, the deploy), by name for the merchant. */
export interface WriteProgress {
  done: string[];
  /** The write under way (it may or may not take effect if init stops now). */
  running: string | null;
}

export function noProgress(): WriteProgress {
  return { done: [], running: null };
}

/** Runs one write, recorded as under way and then, when `succeeded` says so, as done. */
async function writing<T>(ctx: ApplyContext, what: string, work: () => Promise<T>, succeeded: (result: T) => boolean = () => true): Promise<T> {
  ctx.progress.running = what;
  const result = await work();
  ctx.progress.running = null;
  if (succeeded(result)) ctx.progress.done.push(what);
  return result;
}

const EXIT = { ok: 0, unhealthy: 1, stopped: 2 } as const;

export async function applyPlan(ctx: ApplyContext, plan: Plan): Promise<number> {
  const { t } = ctx;
  const changes = describeChanges(ctx, plan);
  const tested = plan.probe === 'not-run' ? [] : [`${t('pageTest')}: ${plan.probe === 'skipped' ? t('pageNotTested') : plan.probe.kind === 'ok' ? t('pageReady') : t('pageNotReady')}`];
  if (changes.length > 0) {
    ctx.out(`\n== ${t('summary')} ==\n${[...changes, ...tested].map((c) => `  ${c}`).join('\n')}\n`);
    const problems = await wholeConfigProblems(ctx, plan);
    if (problems.length > 0) {
      ctx.out(`${t('wholeConfigProblems')}\n${problems.map((p) => `  ✗ ${p}`).join('\n')}\n`);
      if (!ctx.io || !(await confirm(ctx.io, t('writeAnyway'), false))) return stop(ctx, t('nothingWritten'));
    }
    if (ctx.io && !(await confirm(ctx.io, t(ctx.devVars ? 'confirmWriteDevVars' : 'confirmWrite'), true))) return stop(ctx, t('nothingWritten'));
  } else {
    ctx.out(`\n${[t('nothingToChange'), ...tested].join('\n')}\n`);
  }

  if (ctx.devVars) return writeLocal(ctx, plan);

  if (changes.length > 0) {
    const wrote = await writeToml(ctx, plan);
    if (!wrote) return EXIT.stopped;
    if (ctx.state.noWorker) ctx.out(`  · ${t('firstSecretCreatesWorker', { name: ctx.state.layout.name ?? 'alipay-notify-edge' })}\n`);
    for (const [name, value] of plan.set) {
      if (settingNamed(name).storage !== 'secret') continue;
      const put = await writing(ctx, t('writtenSecret', { name }), () => putSecret(ctx.wrangler, name, value), (r) => r.ok);
      if (!put.ok) {
        ctx.out(`  ✗ ${t('secretPutFailed', { name })}\n${indent(tail(put.output))}\n`);
        return stop(ctx, t('secretsPartlyPut'));
      }
      ctx.out(`  ✓ ${t('secretPut', { name })}\n`);
    }
  }

  ctx.out(`\n${t('dryRunning')}\n`);
  const dry = await deployDryRun(ctx.wrangler);
  if (dry.code !== 0) {
    ctx.out(`  ✗ ${t('dryRunFailed')}\n${indent(tail(`${dry.stdout}\n${dry.stderr}`))}\n`);
    return EXIT.stopped;
  }
  ctx.out(`  ✓ ${t('dryRunOk')}\n`);

  const wantDeploy = ctx.flags['deploy'] === true || (ctx.io !== null && ctx.flags['deploy'] !== false && (await confirm(ctx.io, t('deployNow'), true)));
  if (!wantDeploy) {
    ctx.out(`\n${t('deployLater')}\n`);
    printAlipaySide(ctx, plan, null, false);
    printGenerated(ctx, plan);
    return EXIT.ok;
  }
  ctx.out(`\n${t('deploying')}\n`);
  const deployed = await writing(ctx, t('writtenDeploy'), () => deploy(ctx.wrangler, (chunk) => ctx.out(indent(chunk.replace(/\n$/, '')) + '\n')), (r) => r.code === 0);
  if (deployed.code !== 0) {
    ctx.out(`  ✗ ${t('deployFailed')}\n`);
    return EXIT.stopped;
  }
  const url = typeof ctx.flags['url'] === 'string' ? ctx.flags['url'] : deployed.url;
  let healthy = true;
  if (url === null) ctx.out(`  ! ${t('noDeployedUrl')}\n`);
  else healthy = await checkDeployed(ctx, url);
  await checkRoute(ctx, plan);
  printAlipaySide(ctx, plan, url, true);
  printGenerated(ctx, plan);
  return healthy ? EXIT.ok : EXIT.unhealthy;
}

function stop(ctx: ApplyContext, message: string): number {
  ctx.out(`${message}\n`);
  return EXIT.stopped;
}

/** One line per change; secrets by name only. */
function describeChanges(ctx: ApplyContext, plan: Plan): string[] {
  const { t } = ctx;
  const lines: string[] = [];
  for (const entry of SETTINGS) {
    const value = plan.set.get(entry.name);
    if (value !== undefined) {
      if (entry.storage === 'var') {
        const before = ctx.state.known[entry.name];
        if (before === value) continue;
        lines.push(`${entry.name} = ${value}${before !== undefined ? `   (${t('was')} ${before})` : ''}`);
      } else {
        lines.push(`${entry.name}: ${t(plan.generated.includes(entry.name) ? 'secretGenerated' : 'secretNew')}${ctx.devVars ? '' : ' (wrangler secret put)'}`);
      }
    } else if (plan.unset.has(entry.name)) {
      lines.push(`${entry.name}: ${t('removed')}`);
    }
  }
  if (plan.route.kind === 'set') lines.push(`routes = [{ pattern = "${plan.route.plan.pattern}", zone_name = "${plan.route.plan.zoneName}" }]${ctx.devVars ? `   (${t('notLocally')})` : ''}`);
  if (plan.route.kind === 'none') lines.push(`routes: ${t('removed')}`);
  return lines;
}

/** The gateway's reading of everything init can see after the plan; problems of hidden secrets it cannot judge are left out. */
async function wholeConfigProblems(ctx: ApplyContext, plan: Plan): Promise<string[]> {
  const known = knownAfter(ctx.state, plan);
  const result = await loadConfig(known);
  if (result.ok) return [];
  return result.problems
    .filter((p) => !(ctx.state.hiddenSecrets.has(p.setting) && !plan.set.has(p.setting)))
    .map((p) => `${p.setting}: ${p.message}`);
}

async function writeToml(ctx: ApplyContext, plan: Plan): Promise<boolean> {
  const doc = ctx.state.toml;
  const before = renderToml(doc);
  const vars: Record<string, string | undefined> = {};
  for (const [name, value] of plan.set) {
    const storage = settingNamed(name).storage;
    if (storage === 'var') vars[name] = value;
    // A name can be a var or a secret, not both: a secret put while wrangler.toml still has the var fails.
    else if (ctx.state.layout.vars[name] !== undefined) vars[name] = undefined;
  }
  for (const name of plan.unset) vars[name] = undefined;
  const edited = setVars(doc, vars);
  if (!edited.ok) {
    ctx.out(`  ✗ ${edited.message}\n`);
    return false;
  }
  const note = ctx.t('routeReplacedNote', { date: new Date().toISOString().slice(0, 10) });
  if (plan.route.kind === 'set') {
    setRoute(doc, { pattern: plan.route.plan.pattern, zoneName: plan.route.plan.zoneName }, note);
    // With routes, wrangler turns workers.dev off unless told: /health and /admin live there.
    if (ctx.state.layout.workersDev === null) setRootValue(doc, 'workers_dev', 'true');
  } else if (plan.route.kind === 'none') {
    setRoute(doc, null, note);
  }
  const after = renderToml(doc);
  if (after !== before) {
    await writing(ctx, 'wrangler.toml', () => writeFile(ctx.state.tomlPath, after));
    ctx.out(`  ✓ ${ctx.t('tomlWritten', { path: 'wrangler.toml' })}\n`);
  }
  return true;
}

async function writeLocal(ctx: ApplyContext, plan: Plan): Promise<number> {
  if (!gitIgnoresDevVars(ctx.dir)) return stop(ctx, ctx.t('devVarsNotIgnored'));
  const values: Record<string, string> = {};
  for (const [name, value] of plan.set) values[name] = value;
  const merged = mergeDevVars(ctx.state.devVarsText, values, ctx.t('devVarsHeader'));
  if (!merged.ok) return stop(ctx, `${merged.message}. ${ctx.t('nothingWritten')}`);
  const path = await writing(ctx, '.dev.vars', () => writeDevVars(ctx.dir, merged.text));
  ctx.out(`  ✓ ${ctx.t('devVarsWritten', { path })}\n\n${ctx.t('devVarsNext')}\n`);
  printGenerated(ctx, plan);
  return EXIT.ok;
}

/** /health of the new deployment; workers.dev may take a few seconds to answer after a first deploy. */
async function checkDeployed(ctx: ApplyContext, url: string): Promise<boolean> {
  const target = healthUrlOf(url);
  if (!target.ok) {
    ctx.out(`  ! ${ctx.t('cannotCheck', { url, reason: target.message })}\n`);
    return false;
  }
  ctx.out(`\n${ctx.t('checking', { url: target.url })}\n`);
  const tries = ctx.healthTries ?? 6;
  let outcome = await fetchHealth(target.url);
  for (let i = 1; i < tries && (outcome.kind === 'unreachable' || outcome.kind === 'unexpected'); i++) {
    await new Promise((r) => setTimeout(r, ctx.healthWaitMs ?? 5_000));
    outcome = await fetchHealth(target.url);
  }
  ctx.out(`${indent(explainHealth(outcome).join('\n'))}\n`);
  return outcome.kind === 'healthy' && !deliveriesHeld(outcome);
}

/** With a route: does the old notify URL now reach the gateway? Its GET answer is the gateway's 405. */
async function checkRoute(ctx: ApplyContext, plan: Plan): Promise<void> {
  if (plan.route.kind !== 'set') return;
  const url = plan.route.notifyUrl;
  try {
    const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(5_000) });
    const body = await response.text();
    const gateway = response.status === 405 && response.headers.get('allow') === 'POST' && body.startsWith('fail:');
    ctx.out(`  ${gateway ? '✓' : '!'} ${ctx.t(gateway ? 'routeReaches' : 'routeNotYet', { url })}\n`);
  } catch {
    ctx.out(`  ! ${ctx.t('routeNotYet', { url })}\n`);
  }
}

function printAlipaySide(ctx: ApplyContext, plan: Plan, deployedUrl: string | null, deployed: boolean): void {
  const known = knownAfter(ctx.state, plan);
  const path = known['NOTIFY_PATH'] ?? DEFAULTS.NOTIFY_PATH;
  ctx.out(`\n== ${ctx.t('alipaySide')} ==\n`);
  if (!deployed) ctx.out(`  ${ctx.t('onceDeployed')}\n`);
  const routed = plan.route.kind === 'set' || (plan.route.kind === 'keep' && ctx.state.layout.routes.length > 0);
  if (plan.route.kind === 'set') {
    ctx.out(`  ${ctx.t('alipayNothing', { url: plan.route.notifyUrl })}\n`);
  } else if (routed) {
    ctx.out(`  ${ctx.t('alipayNothingRoute', { pattern: ctx.state.layout.routes.join(', ') })}\n`);
  } else {
    const base = originOf(deployedUrl) ?? 'https://alipay-notify-edge.<your-subdomain>.workers.dev';
    ctx.out(`  ${ctx.t('alipayNewNotifyUrl', { url: `${base}${path}` })}\n`);
  }
}

/** The Worker's origin from the address wrangler printed (or --url), null when there is none to use. */
function originOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function printGenerated(ctx: ApplyContext, plan: Plan): void {
  // FORWARD_SECRET was shown with the receiving page's snippet.
  const shown = plan.generated.filter((name) => name !== 'FORWARD_SECRET');
  if (!ctx.showSecrets || shown.length === 0) return;
  ctx.out(`\n${ctx.t('generatedSecrets')}\n`);
  for (const name of shown) ctx.out(`  ${name} = ${plan.set.get(name)}\n`);
}

function tail(text: string, lines = 20): string {
  return text.trim().split(/\r?\n/).slice(-lines).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
