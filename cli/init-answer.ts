// Answering one setting of the table: from its flag, kept, its default (under --yes), or asked
// until the gateway's own check accepts it; key material as a file path or pasted lines.

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MAX_KEY_TEXT_LENGTH } from '../src/alipay/keys';
import { InitStop, knownAfter, type AskContext, type Plan } from './init-plan';
import type { PromptIo } from './init-prompt';
import type { SettingEntry } from './init-settings';
import { isSet } from './init-state';
import type { KnownSettings } from './init-validate';

/**
 * Settles one table entry: from its flag, else kept/default (--yes), else asked until it checks out.
 * `again`: ask even though it is set (a new address after a failed test of the receiving page).
 */
export async function settle(ctx: AskContext, plan: Plan, entry: SettingEntry, again = false): Promise<void> {
  const known = knownAfter(ctx.state, plan);
  if (entry.when && !entry.when(known)) return;
  if (entry.input === 'derived') return;

  const fromFlag = await flagValue(ctx, entry);
  if (fromFlag !== undefined) {
    if (await accept(ctx, plan, entry, fromFlag, known)) return;
    if (!ctx.io) throw new InitStop(ctx.t('flagRefused', { flag: `--${entry.flag!.name}`, name: entry.name }));
  }

  const current = !again && isSet(ctx.state, entry.name);
  const fallback = typeof entry.default === 'function' ? entry.default(known) : entry.default;

  if (entry.input === 'generated') {
    if (current && (!ctx.io || (await confirm(ctx.io, ctx.t('keepGenerated', { name: entry.name }), true)))) return;
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
    if (entry.warnWhen?.test(value) && !(await confirm(ctx.io, `${ctx.t.text(entry.warnWhen.text)} ${ctx.t('useAnyway')}`, false))) continue;
    if (await accept(ctx, plan, entry, value, known)) return;
  }
}

/** Checks a value with the entry's validator; records it in the plan when good. Prints problems and notes. */
export async function accept(ctx: AskContext, plan: Plan, entry: SettingEntry, value: string, known: KnownSettings, how?: 'generated'): Promise<boolean> {
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

export async function askFor(ctx: AskContext, entry: SettingEntry, enterMeans: string): Promise<string> {
  const io = ctx.io!;
  const help = entry.help ? `  ${ctx.t.text(entry.help)}\n` : '';
  const choices = entry.choices ? `  ${entry.choices.map((c, i) => `${i + 1}) ${c}`).join('   ')}\n` : '';
  const prompt = `${ctx.t.text(entry.question)}\n${help}${choices}${enterMeans ? `  (${enterMeans})\n` : ''}> `;
  if (entry.input === 'hidden') return io.line(prompt, { hidden: true });
  if (entry.input === 'key' || entry.input === 'hidden-key') return readKeyAnswer(ctx, prompt, entry.input === 'hidden-key');
  return io.line(prompt);
}

/** A file path (read), or pasted lines up to an empty line. */
export async function readKeyAnswer(ctx: AskContext, prompt: string, hidden: boolean): Promise<string> {
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
export async function flagValue(ctx: AskContext, entry: SettingEntry): Promise<string | undefined> {
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

/** y/n (是/否) at a terminal; the fallback when nobody is asked. */
export async function confirm(io: PromptIo | null, question: string, fallback: boolean): Promise<boolean> {
  if (!io) return fallback;
  for (;;) {
    const answer = (await io.line(`${question} ${fallback ? '[Y/n]' : '[y/N]'} `)).trim().toLowerCase();
    if (answer === '') return fallback;
    if (['y', 'yes', '是', '好', '对'].includes(answer)) return true;
    if (['n', 'no', '否', '不'].includes(answer)) return false;
  }
}
