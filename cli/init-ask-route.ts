// Where Alipay posts: a route over the merchant's current notify page (pattern, zone and
// NOTIFY_PATH derived, warnings shown), or none (a new notify_url at Alipay).

import { accept, confirm } from './init-answer';
import { InitStop, knownAfter, type AskContext, type Plan } from './init-plan';
import { guessZoneName, hostInZone, planRoute, type RoutePlan, type RouteProblem } from './init-route';
import { settingNamed } from './init-settings';

export async function routeSection(ctx: AskContext, plan: Plan): Promise<void> {
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
  if (!hostInZone(route.host, route.zoneName)) ctx.out(`  ! ${ctx.t('zoneMismatch', { host: route.host, zone: route.zoneName })}\n`);
  ctx.out(`  · ${ctx.t('routeNeedsZone', { zone: route.zoneName, host: route.host })}\n`);
  if (asking && !(await confirm(ctx.io, ctx.t('routeOk'), true))) return false;
  const pathEntry = settingNamed('NOTIFY_PATH');
  if (!(await accept(ctx, plan, pathEntry, route.notifyPath, knownAfter(ctx.state, plan)))) {
    if (!asking) throw new InitStop(ctx.t('flagRefused', { flag: '--notify-url', name: 'NOTIFY_PATH' }));
    return false;
  }
  plan.route = { kind: 'set', plan: route, notifyUrl };
  return true;
}
