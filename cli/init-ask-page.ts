// The receiving page: its address (never under the route), the forward secret, what to paste into
// the page, and the test that the page takes a signed event and refuses a forged one.

import { parseWebhookSecrets } from '../src/config/values';
import { settle } from './init-answer';
import { InitStop, knownAfter, type AskContext, type Plan } from './init-plan';
import { probeReceivingPage, type ProbeOutcome } from './init-probe';
import type { PromptIo } from './init-prompt';
import { routeCovers } from './init-route';
import { settingNamed } from './init-settings';
import { receiverSnippet, RECEIVERS, type Receiver } from './init-snippets';

export async function originSection(ctx: AskContext, plan: Plan): Promise<void> {
  const routes = () => (plan.route.kind === 'set' ? [plan.route.plan.pattern] : plan.route.kind === 'none' ? [] : ctx.state.layout.routes);
  for (let again = false; ; again = true) {
    await settle(ctx, plan, settingNamed('ORIGIN_URL'), again);
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
  if (secret === undefined && ctx.io) secret = await pastedSecret(ctx, ctx.io);
  if (secret === undefined || known['ORIGIN_URL'] === undefined) {
    ctx.out(`  · ${ctx.t('probeNoSecret')}\n`);
    plan.probe = 'skipped';
    return;
  }
  plan.probe = await probeLoop(ctx, plan, secret);
}

/**
 * The page's secret when init cannot see it (a Cloudflare secret never comes back): pasted, and
 * checked as the gateway reads FORWARD_SECRET, so a wrong paste is named and asked again.
 * Undefined: skipped (Enter).
 */
async function pastedSecret(ctx: AskContext, io: PromptIo): Promise<string | undefined> {
  for (;;) {
    const pasted = (await io.line(`${ctx.t('probeNeedsSecret')}\n> `, { hidden: true })).trim();
    if (pasted === '') return undefined;
    const parsed = parseWebhookSecrets(pasted);
    if (parsed.ok) return pasted;
    ctx.out(`  ✗ FORWARD_SECRET: ${parsed.message}\n`);
  }
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
    // Testing again with the same secret cannot help.
    if (outcome.kind === 'bad-secret') return outcome;
    const next = (await ctx.io.line(`${ctx.t('probeAgain')} `)).trim().toLowerCase();
    if (next === 's') return 'skipped';
    if (next === 'u') {
      plan.set.delete('ORIGIN_URL');
      await settle(ctx, plan, settingNamed('ORIGIN_URL'), true);
    }
  }
}
