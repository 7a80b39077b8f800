// The Alipay public key: described piece by piece with the gateway's key reader (what it is, its
// fingerprint, a certificate's dates), checked by the gateway's config reader, and on a re-run kept,
// replaced, or rotated (the new key beside the current one, whose value Cloudflare never gives back:
// it is asked for, and compared with the deployed /health when an address is given).

import { describeKeyText, type KeyDescription } from '../src/alipay/keys';
import { DEFAULTS } from '../src/config/names';
import { askFor, confirm, flagValue, readKeyAnswer } from './init-answer';
import { explainHealth, fetchHealth, healthUrlOf } from './health-check';
import { emptyPlan, InitStop, knownAfter, type AskContext, type Plan } from './init-plan';
import type { SettingEntry } from './init-settings';
import { isSet } from './init-state';
import type { KnownSettings } from './init-validate';

export async function settleAlipayKey(ctx: AskContext, plan: Plan, entry: SettingEntry): Promise<void> {
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
          if (!match && !(await confirm(ctx.io, ctx.t('useAnyway'), false))) continue;
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
  if (described.some((d) => d.warning) && asking && !quiet && !(await confirm(ctx.io, ctx.t('useAnyway'), false))) return false;
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
