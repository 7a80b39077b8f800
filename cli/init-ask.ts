// The conversation: section by section through the settings table, each answer checked on the
// spot by the gateway's own reader, ending in a Plan (what to write). Nothing is written here.
// The same walk serves a person at a terminal (questions), piped answers (one line each) and
// `--yes` (flags and defaults only; a missing answer is a usage error naming its flag).
// The parts: init-answer.ts (one setting), init-ask-key.ts (the Alipay key), init-ask-page.ts (the
// receiving page), init-ask-route.ts (the route); init-plan.ts holds what they share.

import { confirm, settle } from './init-answer';
import { settleAlipayKey } from './init-ask-key';
import { originSection } from './init-ask-page';
import { routeSection } from './init-ask-route';
import { emptyPlan, type AskContext, type FlagValues, type Plan } from './init-plan';
import { SECTIONS, settingsOf, type SectionEntry, type SectionId } from './init-settings';
import { isSet } from './init-state';

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
    else for (const entry of settingsOf(section.id)) await (entry.name === 'ALIPAY_PUBLIC_KEY' ? settleAlipayKey(ctx, plan, entry) : settle(ctx, plan, entry));
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
  else answer = await confirm(ctx.io, ctx.t.text(section.enable!.question), on);
  if (!answer && on) {
    ctx.out(`${ctx.t('turnOffHow', { names: entries.filter((e) => isSet(ctx.state, e.name)).map((e) => e.name).join(', ') })}\n`);
  }
  return answer;
}
