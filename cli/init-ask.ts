// The conversation: section by section through the settings table, each answer checked on the
// spot by the gateway's own reader, ending in a Plan (what to write). Nothing is written here.
// The same walk serves a person at a terminal (questions), piped answers (one line each) and
// `--yes` (flags and defaults only; a missing answer is a usage error naming its flag).

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeKeyText, MAX_KEY_TEXT_LENGTH, type KeyDescription } from '../src/alipay/keys';
import { DEFAULTS } from '../src/config/names';
import { explainHealth, fetchHealth, healthUrlOf } from './health-check';
import type { Translator } from './init-i18n';
import { probeReceivingPage, type ProbeOutcome } from './init-probe';
import type { PromptIo } from './init-prompt';
import { guessZoneName, planRoute, routeCovers, type RoutePlan, type RouteProblem } from './init-route';
import { SECTIONS, settingNamed, settingsOf, type SectionEntry, type SectionId, type SettingEntry } from './init-settings';
import { receiverSnippet, RECEIVERS, type Receiver } from './init-snippets';
import { isSet, type CurrentState } from './init-state';
import type { KnownSettings } from './init-validate';

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface AskContext {
  t: Translator;
  /** null under --yes: nothing is asked. */
  io: PromptIo | null;
  flags: FlagValues;
  state: CurrentState;
  /** Secrets may be printed (a terminal, or --show-secret). */
  showSecrets: boolean;
  /** Probe the receiving page (not --no-probe). */
  probe: boolean;
  devVars: boolean;
  out: (text: string) => void;
  /** For tests: the probe's fetch. */
  fetchImpl?: typeof fetch;
}

export type RouteDecision = { kind: 'keep' } | { kind: 'none' } | { kind: 'set'; plan: RoutePlan; notifyUrl: string };

export interface Plan {
  /** New values, by setting name. */
  set: Map<string, string>;
  /** Vars to remove from wrangler.toml (an optional setting answered empty). */
  unset: Set<string>;
  /** Secrets init made up; shown once at the end when allowed. */
  generated: string[];
  route: RouteDecision;
  receiver: Receiver | null;
  /** The receiving page's test: its outcome, or why there was none. */
  probe: ProbeOutcome | 'skipped' | 'not-run';
}

/** A problem that ends init before anything is written: exit status 2 (1 for a failed probe). */
export class InitStop extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

export function emptyPlan(): Plan {
  return { set: new Map(), unset: new Set(), generated: [], route: { kind: 'keep' }, receiver: null, probe: 'not-run' };
}

/** What the gateway will run with, as far as init can see: current values overlaid with the plan. */
export function knownAfter(state: CurrentState, plan: Plan): Record<string, string> {
  const known: Record<string, string> = { ...state.known };
  for (const name of plan.unset) delete known[name];
  for (const [name, value] of plan.set) known[name] = value;
  return known;
}

// ---- the walk ------------------------------------------------------------------------------

export async function converse(ctx: AskContext, sections: readonly SectionId[]): Promise<Plan> {
  const plan = emptyPlan();
  for (const section of SECTIONS) {
    if (!sections.includes(section.id)) continue;
    // A local trial has no route: Alipay cannot reach it anyway.
    if (section.id === 'route' && ctx.devVars) continue;
    const header = `\n== ${ctx.t.text(section.title)} ==\n`;
    if (!section.enable || ctx.io) ctx.out(header);
    if (section.enable && !(await enabled(ctx, section))) continue;
    if (section.enable && !ctx.io) ctx.out(header);
    if (section.id === 'origin') await originSection(ctx, plan);
    else if (section.id === 'route') await routeSection(ctx, plan);
    else for (const entry of settingsOf(section.id)) await settle(ctx, plan, entry);
  }
  return plan;
}

/** Which sections a run walks: all on a first run; on a re-run what the merchant picks (or flags name). */
export async function chooseSections(ctx: AskContext, configured: boolean): Promise<SectionId[]> {
  const all = SECTIONS.map((s) => s.id);
  if (!configured) return all;
  const flagged = SECTIONS.filter((s) => sectionFlagged(ctx.flags, s)).map((s) => s.id);
  if (!ctx.io) return flagged;
  const menu = SECTIONS.map((s, i) => `  ${i + 1}. ${ctx.t.text(s.title)}`).join('\n');
  for (;;) {
    const answer = (await ctx.io.line(`${ctx.t('pickSections')}\n${menu}\n${ctx.t('pickSectionsPrompt')} `)).trim();
    if (answer === '') return flagged;
    const picked = answer.split(/[\s,，、]+/).map((n) => SECTIONS[Number(n) - 1]?.id);
    if (picked.every((id): id is SectionId => id !== undefined)) return [...new Set([...picked, ...flagged])];
    ctx.out(`${ctx.t('pickSectionsAgain', { max: SECTIONS.length })}\n`);
  }
}

function sectionFlagged(flags: FlagValues, section: SectionEntry): boolean {
  if (section.enable && flags[section.enable.flag] !== undefined) return true;
  if (section.id === 'route' && (flags['notify-url'] !== undefined || flags['no-route'] !== undefined)) return true;
  if (section.id === 'origin' && flags['receiver'] !== undefined) return true;
  return settingsOf(section.id).some((e) => e.flag && flags[e.flag.name] !== undefined);
}

async function enabled(ctx: AskContext, section: SectionEntry): Promise<boolean> {
  const entries = settingsOf(section.id);
  // On when its main setting is set (ALIPAY_GATEWAY_URL alone, a var with a default, does not turn reconciliation on).
  const on = isSet(ctx.state, section.enable!.by);
  const flag = ctx.flags[section.enable!.flag];
  const implied = entries.some((e) => e.flag && ctx.flags[e.flag.name] !== undefined);
  let answer: boolean;
  if (flag !== undefined) answer = flag === true;
  else if (implied) answer = true;
  else if (!ctx.io) answer = on;
  else answer = await confirm(ctx, ctx.t.text(section.enable!.question), on);
  if (!answer && on) {
    ctx.out(`${ctx.t('turnOffHow', { names: entries.filter((e) => isSet(ctx.state, e.name)).map((e) => e.name).join(', ') })}\n`);
  }
  return answer;
}

// ---- one setting ---------------------------------------------------------------------------

/**
 * Settles one table entry: from its flag, else kept/default (--yes), else asked until it checks out.
 * `again`: ask even though it is set (a new address after a failed test of the receiving page).
 */
async function settle(ctx: AskContext, plan: Plan, entry: SettingEntry, again = false): Promise<void> {
  const known = knownAfter(ctx.state, plan);
  if (entry.when && !entry.when(known)) return;
  if (entry.name === 'ALIPAY_PUBLIC_KEY') return settleAlipayKey(ctx, plan, entry);
  if (entry.input === 'derived') return;

  const fromFlag = await flagValue(ctx, entry);
  if (fromFlag !== undefined) {
    if (await accept(ctx, plan, entry, fromFlag, known)) return;
    if (!ctx.io) throw new InitStop(ctx.t('flagRefused', { flag: `--${entry.flag!.name}`, name: entry.name }));
  }

  const current = !again && isSet(ctx.state, entry.name);
  const fallback = typeof entry.default === 'function' ? entry.default(known) : entry.default;

  if (entry.input === 'generated') {
    if (current && (!ctx.io || (await confirm(ctx, ctx.t('keepGenerated', { name: entry.name }), true)))) return;
    if (!ctx.showSecrets) throw new InitStop(ctx.t('cannotShowGenerated', { name: entry.name, flag: `--${entry.flag!.name}` }));
    const value = entry.generate!();
    await accept(ctx, plan, entry, value, known, 'generated');
    plan.generated.push(entry.name);
    return;
  }

  const optional = entry.optional === true && !(entry.requiredWhen?.(known) ?? false);
  if (!ctx.io) {
    if (current) return;
    if (fallback !== undefined) {
      if (ctx.state.known[entry.name] === fallback || (await accept(ctx, plan, entry, fallback, known))) return;
      throw new InitStop(ctx.t('flagRefused', { flag: entry.flag ? `--${entry.flag.name}` : entry.name, name: entry.name }));
    }
    if (optional) return;
    throw new InitStop(ctx.t('missingFlag', { name: entry.name, flag: entry.flag ? `--${entry.flag.name}` : entry.name }));
  }

  for (;;) {
    const shownCurrent = entry.storage === 'var' ? ctx.state.known[entry.name] : undefined;
    const enterMeans = current ? ctx.t('enterKeeps', { value: shownCurrent ?? '••••' }) : fallback !== undefined ? ctx.t('enterDefault', { value: fallback }) : optional ? ctx.t('enterSkips') : '';
    const raw = await askFor(ctx, entry, enterMeans);
    if (raw.trim() === '') {
      if (current) return;
      if (fallback !== undefined) {
        if (await accept(ctx, plan, entry, fallback, known)) return;
        continue;
      }
      if (optional) {
        if (ctx.state.known[entry.name] !== undefined) plan.unset.add(entry.name);
        return;
      }
      ctx.out(`  ✗ ${ctx.t('required')}\n`);
      continue;
    }
    const value = entry.input === 'choice' ? pickChoice(entry, raw) : raw.trim();
    if (value === null) {
      ctx.out(`  ✗ ${ctx.t('chooseOneOf', { choices: entry.choices!.join(', ') })}\n`);
      continue;
    }
    if (entry.warnWhen?.test(value) && !(await confirm(ctx, `${ctx.t.text(entry.warnWhen.text)} ${ctx.t('useAnyway')}`, false))) continue;
    if (await accept(ctx, plan, entry, value, known)) return;
  }
}

/** Checks a value with the entry's validator; records it in the plan when good. Prints problems and notes. */
async function accept(ctx: AskContext, plan: Plan, entry: SettingEntry, value: string, known: KnownSettings, how?: 'generated'): Promise<boolean> {
  const verdict = await entry.check.check(entry.name, value, known);
  if (!verdict.ok) {
    for (const problem of verdict.problems) ctx.out(`  ✗ ${entry.name}: ${problem}\n`);
    return false;
  }
  for (const note of [...verdict.notes, ...((await entry.explain?.(value)) ?? [])]) ctx.out(`  · ${note}\n`);
  plan.set.set(entry.name, value);
  plan.unset.delete(entry.name);
  ctx.out(entry.storage === 'var' ? `  ✓ ${entry.name} = ${value}\n` : `  ✓ ${entry.name}${how ? ` (${ctx.t('secretGenerated')})` : ''}\n`);
  if (entry.warnWhen?.test(value) && !ctx.io) ctx.out(`  ! ${ctx.t.text(entry.warnWhen.text)}\n`);
  return true;
}

function pickChoice(entry: SettingEntry, raw: string): string | null {
  const answer = raw.trim().toLowerCase();
  const byNumber = entry.choices![Number(answer) - 1];
  if (/^\d+$/.test(answer) && byNumber) return byNumber;
  return entry.choices!.find((c) => c === answer) ?? null;
}

async function askFor(ctx: AskContext, entry: SettingEntry, enterMeans: string): Promise<string> {
  const io = ctx.io!;
  const help = entry.help ? `  ${ctx.t.text(entry.help)}\n` : '';
  const choices = entry.choices ? `  ${entry.choices.map((c, i) => `${i + 1}) ${c}`).join('   ')}\n` : '';
  const prompt = `${ctx.t.text(entry.question)}\n${help}${choices}${enterMeans ? `  (${enterMeans})\n` : ''}> `;
  if (entry.input === 'hidden') return io.line(prompt, { hidden: true });
  if (entry.input === 'key' || entry.input === 'hidden-key') return readKeyAnswer(ctx, prompt, entry.input === 'hidden-key');
  return io.line(prompt);
}

/** A file path (read), or pasted lines up to an empty line. */
async function readKeyAnswer(ctx: AskContext, prompt: string, hidden: boolean): Promise<string> {
  // One line is the whole answer when it is empty, a file path, or a bare base64 key (the Alipay
  // console shows the key on one line); PEM text goes on to an empty line.
  const bareKey = (line: string) => /^[A-Za-z0-9+/]{200,}={0,2}$/.test(line.trim());
  const looksLikePath = (line: string) => {
    const t = line.trim();
    if (t.length > 400 || t.startsWith('-----') || bareKey(t)) return false;
    return t === '' || /^['"]?([A-Za-z]:[\\/]|[~./\\]|[\w-]+[\\/])/.test(t) || /\.(pem|crt|cer|txt|key)['"]?$/i.test(t);
  };
  // A private key pasted by mistake is not echoed any further (its first line is already on screen).
  const answer = await ctx.io!.block(prompt, { hidden, single: (first) => looksLikePath(first) || bareKey(first), hideRest: (first) => /PRIVATE KEY/.test(first) });
  const first = answer.trim();
  if (first === '' || !looksLikePath(first) || first.includes('\n')) return answer;
  const read = await readSmallFile(first.replace(/^['"]|['"]$/g, ''));
  if (!read.ok) {
    ctx.out(`  ✗ ${read.message}\n`);
    return readKeyAnswer(ctx, prompt, hidden);
  }
  return read.text;
}

async function readSmallFile(path: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const full = resolve(path.replace(/^~(?=[\\/])/, process.env['HOME'] ?? process.env['USERPROFILE'] ?? '~'));
  try {
    const info = await stat(full);
    if (!info.isFile()) return { ok: false, message: `${path}: not a file` };
    if (info.size > MAX_KEY_TEXT_LENGTH) return { ok: false, message: `${path}: too large (${info.size} bytes)` };
    return { ok: true, text: await readFile(full, 'utf8') };
  } catch (error) {
    return { ok: false, message: `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

/** The flag's value: the text itself, or for `file` flags the file's text (several files joined). */
async function flagValue(ctx: AskContext, entry: SettingEntry): Promise<string | undefined> {
  if (!entry.flag) return undefined;
  const raw = ctx.flags[entry.flag.name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const items = (Array.isArray(raw) ? raw : [raw]).map(String);
  if (!entry.flag.file) return items.join(',');
  const texts: string[] = [];
  for (const path of items) {
    const read = await readSmallFile(path);
    if (!read.ok) throw new InitStop(`--${entry.flag.name} ${read.message}`);
    texts.push(read.text.trim());
  }
  return texts.join('\n');
}

async function confirm(ctx: AskContext, question: string, fallback: boolean): Promise<boolean> {
  if (!ctx.io) return fallback;
  for (;;) {
    const answer = (await ctx.io.line(`${question} ${fallback ? '[Y/n]' : '[y/N]'} `)).trim().toLowerCase();
    if (answer === '') return fallback;
    if (['y', 'yes', '是', '好', '对'].includes(answer)) return true;
    if (['n', 'no', '否', '不'].includes(answer)) return false;
  }
}

// ---- the Alipay public key (described piece by piece; rotation) ----------------------------------

async function settleAlipayKey(ctx: AskContext, plan: Plan, entry: SettingEntry): Promise<void> {
  const known = knownAfter(ctx.state, plan);
  const fromFlag = await flagValue(ctx, entry);
  if (fromFlag !== undefined) {
    if (await acceptKey(ctx, plan, entry, fromFlag, known, false)) return;
    if (!ctx.io) throw new InitStop(ctx.t('flagRefused', { flag: `--${entry.flag!.name}`, name: entry.name }));
  }
  const current = isSet(ctx.state, entry.name);
  if (!ctx.io) {
    if (current) return;
    throw new InitStop(ctx.t('missingFlag', { name: entry.name, flag: `--${entry.flag!.name}` }));
  }
  let mode: 'new' | 'add' | 'replace' = 'new';
  if (current) {
    const choice = await ctx.io.line(`${ctx.t('keyIsSet')}\n  1) ${ctx.t('keyKeep')}\n  2) ${ctx.t('keyAdd')}\n  3) ${ctx.t('keyReplace')}\n> `);
    const picked = choice.trim();
    if (picked === '' || picked === '1') return;
    mode = picked === '2' ? 'add' : 'replace';
  }
  for (;;) {
    const text = await askFor(ctx, entry, '');
    if (text.trim() === '') {
      ctx.out(`  ✗ ${ctx.t('required')}\n`);
      continue;
    }
    if (mode !== 'add') {
      if (await acceptKey(ctx, plan, entry, text, known, true)) return;
      continue;
    }
    // Rotation: the new key must be good on its own before the current one is asked for.
    const probePlan = emptyPlan();
    if (!(await acceptKey(ctx, probePlan, entry, text, known, true))) continue;
    const old = ctx.state.known[entry.name] ?? (await askCurrentKey(ctx));
    // Each part normalised on its own, so the new key stays first whatever forms the two are in.
    const both = `${keyValue(text, await describeKeyText(text))}\n${keyValue(old, await describeKeyText(old))}`;
    if (await acceptKey(ctx, plan, entry, both, known, false, true)) {
      ctx.out(`  ${ctx.t('rotationNext', { age: known['MAX_NOTIFY_AGE'] ?? DEFAULTS.MAX_NOTIFY_AGE })}\n`);
      return;
    }
  }
}

/** During a rotation on Cloudflare: the key set now (its value cannot be read back), compared with /health when possible. */
async function askCurrentKey(ctx: AskContext): Promise<string> {
  for (;;) {
    const text = await readKeyAnswer(ctx, `${ctx.t('keyCurrent')}\n> `, false);
    const loaded = await describeKeyText(text);
    if (text.trim() === '' || loaded.every((d) => d.fingerprint === null)) {
      ctx.out(`  ✗ ${ctx.t('keyCurrentUnusable')}\n`);
      continue;
    }
    const url = (await ctx.io!.line(`${ctx.t('gatewayUrlForCompare')}\n> `)).trim();
    if (url !== '') {
      const target = healthUrlOf(url);
      if (target.ok) {
        const health = await fetchHealth(target.url);
        if (health.kind === 'healthy') {
          const deployed = new Set((health.summary.keys ?? []).map((k) => k.fingerprint));
          const match = loaded.some((d) => d.fingerprint !== null && deployed.has(d.fingerprint));
          ctx.out(`  ${match ? '✓' : '!'} ${ctx.t(match ? 'keyMatchesDeployed' : 'keyNotDeployed')}\n`);
          if (!match && !(await confirm(ctx, ctx.t('useAnyway'), false))) continue;
        } else {
          ctx.out(`  ! ${explainHealth(health)[0]}\n`);
        }
      }
    }
    return text;
  }
}

async function acceptKey(ctx: AskContext, plan: Plan, entry: SettingEntry, text: string, known: KnownSettings, asking: boolean, quiet = false): Promise<boolean> {
  const described = await describeKeyText(text);
  if (!quiet) printKeyDescription(ctx, described);
  const value = keyValue(text, described);
  const verdict = await entry.check.check(entry.name, value, known);
  if (!verdict.ok) {
    for (const problem of verdict.problems) ctx.out(`  ✗ ${problem}\n`);
    if (asking) ctx.out(`  ${ctx.t('keyTryAgain')}\n`);
    return false;
  }
  if (described.some((d) => d.warning) && asking && !quiet && !(await confirm(ctx, ctx.t('useAnyway'), false))) return false;
  plan.set.set(entry.name, value);
  if (quiet) ctx.out(`  ✓ ${entry.name}: ${ctx.t('keysNow', { count: described.filter((d) => d.fingerprint !== null).length })}\n`);
  return true;
}

function printKeyDescription(ctx: AskContext, described: KeyDescription[]): void {
  // Unusable pieces are explained by the gateway's own message (printed next); these are the usable ones.
  for (const d of described) {
    if (d.problem) continue;
    ctx.out(`  ${d.ignored ? '·' : '✓'} ${d.source}: ${d.looksLike}\n`);
    if (d.fingerprint) ctx.out(`      SHA-256 ${d.fingerprint}\n`);
    if (d.certificate && !d.ignored) ctx.out(`      ${d.certificate.subject} · ${d.certificate.notBefore.slice(0, 10)} → ${d.certificate.notAfter.slice(0, 10)}\n`);
    if (d.warning) ctx.out(`      ! ${d.warning}\n`);
  }
}

/**
 * Certificates are stored as given (certificate mode needs them whole); bare keys as their base64
 * SPKI, space-separated.
 */
function keyValue(text: string, described: KeyDescription[]): string {
  if (described.some((d) => d.certificate !== null)) return text.trim();
  const keys = described.flatMap((d) => (d.normalized ? [d.normalized] : []));
  return keys.length > 0 && described.every((d) => d.problem === null) ? [...new Set(keys)].join(' ') : text.trim();
}

// ---- the receiving page: address, secret, snippet, probe ---------------------------------------

async function originSection(ctx: AskContext, plan: Plan): Promise<void> {
  const routes = () => (plan.route.kind === 'set' ? [plan.route.plan.pattern] : plan.route.kind === 'none' ? [] : ctx.state.layout.routes);
  for (;;) {
    await settle(ctx, plan, settingNamed('ORIGIN_URL'));
    const url = knownAfter(ctx.state, plan)['ORIGIN_URL'];
    const covering = url === undefined ? undefined : routes().find((p) => routeCovers(p, url));
    if (covering === undefined) break;
    ctx.out(`  ✗ ${ctx.t('originUnderRoute', { pattern: covering })}\n`);
    plan.set.delete('ORIGIN_URL');
    if (!ctx.io) throw new InitStop(ctx.t('originUnderRoute', { pattern: covering }));
  }
  await settle(ctx, plan, settingNamed('FORWARD_SECRET'));

  const known = knownAfter(ctx.state, plan);
  let secret = known['FORWARD_SECRET'];
  plan.receiver = await pickReceiver(ctx);
  if (secret !== undefined) showSnippet(ctx, plan.receiver, secret);

  if (!ctx.probe) {
    plan.probe = 'skipped';
    return;
  }
  if (secret === undefined && ctx.io) {
    const pasted = (await ctx.io.line(`${ctx.t('probeNeedsSecret')}\n> `, { hidden: true })).trim();
    if (pasted !== '') secret = pasted;
  }
  if (secret === undefined || known['ORIGIN_URL'] === undefined) {
    ctx.out(`  · ${ctx.t('probeNoSecret')}\n`);
    plan.probe = 'skipped';
    return;
  }
  plan.probe = await probeLoop(ctx, plan, secret);
}

async function pickReceiver(ctx: AskContext): Promise<Receiver | null> {
  const flag = ctx.flags['receiver'];
  if (typeof flag === 'string') return flag === 'none' ? null : (flag as Receiver);
  if (!ctx.io) return null;
  const options = [...RECEIVERS, 'none'];
  for (;;) {
    const answer = (await ctx.io.line(`${ctx.t('whichReceiver')}\n  ${options.map((o, i) => `${i + 1}) ${o}`).join('   ')}\n> `)).trim().toLowerCase();
    const picked = /^\d+$/.test(answer) ? options[Number(answer) - 1] : options.find((o) => o === answer);
    if (answer === '') return null;
    if (picked) return picked === 'none' ? null : (picked as Receiver);
  }
}

function showSnippet(ctx: AskContext, receiver: Receiver | null, secret: string): void {
  if (receiver === null) {
    if (ctx.showSecrets) ctx.out(`  ${ctx.t('secretForPage')}\n    ${secret}\n`);
    return;
  }
  const snippet = receiverSnippet(receiver, ctx.showSecrets ? secret : '<FORWARD_SECRET>');
  ctx.out(`  ${ctx.t('pasteSnippet', { file: snippet.file, example: snippet.example })}\n\n    ${snippet.text}\n\n`);
  if (!ctx.showSecrets) ctx.out(`  · ${ctx.t('secretNotShown')}\n`);
}

async function probeLoop(ctx: AskContext, plan: Plan, secret: string): Promise<ProbeOutcome | 'skipped'> {
  if (ctx.io) {
    const go = (await ctx.io.line(`${ctx.t('probeReady')} `)).trim().toLowerCase();
    if (go === 's') return 'skipped';
  }
  for (;;) {
    const known = knownAfter(ctx.state, plan);
    const url = known['ORIGIN_URL']!;
    // ORIGIN_URL is a secret (its query may hold a token): only its origin and path are shown.
    const shown = new URL(url);
    ctx.out(`  ${ctx.t('probing', { url: `${shown.origin}${shown.pathname}` })}\n`);
    const outcome = await probeReceivingPage({
      originUrl: url,
      forwardSecret: secret,
      ...(known['ALIPAY_APP_ID'] ? { appId: known['ALIPAY_APP_ID'].split(',')[0]!.trim() } : {}),
      ...(known['ORIGIN_ACK_BODY'] ? { ackBody: known['ORIGIN_ACK_BODY'].trim() } : {}),
      ...(ctx.fetchImpl ? { fetchImpl: ctx.fetchImpl } : {}),
    });
    ctx.out(`  ${outcome.kind === 'ok' ? '✓' : '✗'} ${ctx.t.probe(outcome)}\n`);
    if (outcome.kind === 'ok') return outcome;
    if (!ctx.io) throw new InitStop(ctx.t('probeFailedStop'), 1);
    const next = (await ctx.io.line(`${ctx.t('probeAgain')} `)).trim().toLowerCase();
    if (next === 's') return 'skipped';
    if (next === 'u') {
      plan.set.delete('ORIGIN_URL');
      await settle(ctx, plan, settingNamed('ORIGIN_URL'), true);
    }
  }
}

// ---- where Alipay posts: a route over the old notify page, or a new notify_url -------------------

async function routeSection(ctx: AskContext, plan: Plan): Promise<void> {
  const flagUrl = ctx.flags['notify-url'];
  const currentRoutes = ctx.state.layout.routes;
  if (ctx.flags['no-route'] === true) {
    plan.route = currentRoutes.length > 0 ? { kind: 'none' } : { kind: 'keep' };
    return;
  }
  if (typeof flagUrl === 'string') {
    const decided = decideRoute(ctx, plan, flagUrl);
    if (!decided.ok) {
      ctx.out(`  ✗ ${ctx.t.routeProblem(decided.problem)}\n`);
      if (!ctx.io) throw new InitStop(ctx.t.routeProblem(decided.problem));
    } else {
      await confirmRoute(ctx, plan, decided.plan, flagUrl, false);
      return;
    }
  }
  if (!ctx.io) return;

  for (;;) {
    const enterMeans = currentRoutes.length > 0 ? ctx.t('enterKeeps', { value: currentRoutes.join(', ') }) : ctx.t('enterNoRoute');
    const answer = (await ctx.io.line(`${ctx.t('notifyUrlQuestion')}\n  ${ctx.t('notifyUrlHelp')}\n  (${enterMeans})\n> `)).trim();
    if (answer === '') return;
    if (answer === '-' || answer.toLowerCase() === 'none' || answer === '无') {
      plan.route = currentRoutes.length > 0 ? { kind: 'none' } : { kind: 'keep' };
      return;
    }
    const decided = decideRoute(ctx, plan, answer);
    if (!decided.ok) {
      ctx.out(`  ✗ ${ctx.t.routeProblem(decided.problem)}\n`);
      continue;
    }
    const zone = (await ctx.io.line(`${ctx.t('zoneQuestion', { host: decided.plan.host })}\n  (${ctx.t('enterDefault', { value: decided.plan.zoneName })})\n> `)).trim();
    if (zone !== '') decided.plan.zoneName = zone.toLowerCase();
    if (await confirmRoute(ctx, plan, decided.plan, answer, true)) return;
  }
}

function decideRoute(ctx: AskContext, plan: Plan, notifyUrl: string): { ok: true; plan: RoutePlan } | { ok: false; problem: RouteProblem } {
  const known = knownAfter(ctx.state, plan);
  const zone = ctx.flags['zone-name'];
  const result = planRoute(notifyUrl, {
    ...(typeof zone === 'string' ? { zoneName: zone } : {}),
    ...(known['ORIGIN_URL'] ? { originUrl: known['ORIGIN_URL'] } : {}),
  });
  if (result.ok && result.plan.zoneName === '') result.plan.zoneName = guessZoneName(result.plan.host);
  return result;
}

async function confirmRoute(ctx: AskContext, plan: Plan, route: RoutePlan, notifyUrl: string, asking: boolean): Promise<boolean> {
  ctx.out(`  ${ctx.t('routeSummary', { pattern: route.pattern, zone: route.zoneName, path: route.notifyPath })}\n`);
  if (!route.wildcard) ctx.out(`  · ${ctx.t('routeExact')}\n`);
  for (const warning of route.warnings) ctx.out(`  ! ${ctx.t.routeWarning(warning)}\n`);
  if (!route.host.endsWith(route.zoneName)) ctx.out(`  ! ${ctx.t('zoneMismatch', { host: route.host, zone: route.zoneName })}\n`);
  ctx.out(`  · ${ctx.t('routeNeedsZone', { zone: route.zoneName, host: route.host })}\n`);
  if (asking && !(await confirm(ctx, ctx.t('routeOk'), true))) return false;
  const pathEntry = settingNamed('NOTIFY_PATH');
  if (!(await accept(ctx, plan, pathEntry, route.notifyPath, knownAfter(ctx.state, plan)))) {
    if (!asking) throw new InitStop(ctx.t('flagRefused', { flag: '--notify-url', name: 'NOTIFY_PATH' }));
    return false;
  }
  plan.route = { kind: 'set', plan: route, notifyUrl };
  return true;
}

