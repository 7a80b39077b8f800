// The hostile-bodies part of bench:verify's report: the real notification and the worst bodies
// within the limits, for 1 key (RSA2, the default) and for 10 keys (RSA2+RSA), in Node here and
// in workerd (bench/verify/workerd.ts), printed as one table each with the goals.

import { loadPublicKeys } from '../../src/alipay/keys';
import { base64Encode } from '../../src/utils/base64';
import type { AlipayPublicKey } from '../../src/alipay/types';
import { align, fixed, median } from '../common';
import {
  GOAL_REVERSED_OVER_SORTED,
  GOAL_WORST_OVER_REAL,
  adversarialBodies,
  adversarialCandidates,
  type AdversarialBody,
  type AdversarialConfig,
} from './adversarial';
import { measure, runRounds } from './harness';
import type { WorkerdInput } from './workerd';

const ROUNDS = 3;
const REFERENCE_MS = 1000;

export interface HostileSetup {
  readonly bodies: AdversarialBody[];
  readonly configs: readonly AdversarialConfig[];
  /** The nine extra keys of the 10-key configuration, as base64 SPKI (for workerd). */
  readonly moreKeyTexts: string[];
}

async function throwawayKeys(count: number): Promise<{ keys: AlipayPublicKey[]; texts: string[] }> {
  const keys: AlipayPublicKey[] = [];
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const pair = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const text = base64Encode(new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer));
    const loaded = await loadPublicKeys(text);
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    keys.push(loaded.keys[0]!);
    texts.push(text);
  }
  return { keys, texts };
}

export async function hostileSetup(input: WorkerdInput): Promise<HostileSetup> {
  const loaded = await loadPublicKeys(input.key);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const more = await throwawayKeys(9);
  return {
    bodies: adversarialBodies(),
    configs: [
      { id: 'one', label: '1 key, RSA2 (the default)', options: { keys: loaded.keys, signTypes: ['RSA2'] } },
      { id: 'ten', label: '10 keys, RSA2+RSA', options: { keys: [...loaded.keys, ...more.keys], signTypes: ['RSA2', 'RSA'] } },
    ],
    moreKeyTexts: more.texts,
  };
}

const verdict = (ratio: number, goal: number): string => `${fixed(ratio, 2)} ${ratio <= goal ? 'pass' : 'FAIL'}`;

/**
 * The table and the goals. `micros` by configuration id: the real notification first, then each
 * body of `setup.bodies`, in µs per op.
 */
export function hostileReport(setup: HostileSetup, realBytes: number, micros: ReadonlyMap<string, readonly number[]>): string[] {
  const reference = micros.get('one')![0]!;
  const table: string[][] = [['body', 'bytes', ...setup.configs.flatMap((c) => [`${c.label} us/op`, 'x real (1 key)'])]];
  const labels = ['real notification (valid)', ...setup.bodies.map((b) => b.label)];
  const bytes = [realBytes, ...setup.bodies.map((b) => b.body.length)];
  labels.forEach((label, i) => {
    table.push([label, String(bytes[i]), ...setup.configs.flatMap((c) => [fixed(micros.get(c.id)![i]!), fixed(micros.get(c.id)![i]! / reference, 1)])]);
  });
  const at = (config: string, id: string) => micros.get(config)![1 + setup.bodies.findIndex((b) => b.id === id)]!;
  const worst = (config: string) => Math.max(...micros.get(config)!.slice(1));
  return [
    ...align(table, 1).map((l) => `  ${l}`),
    `  reversed / sorted (1 key): ${verdict(at('one', 'reversed') / at('one', 'sorted'), GOAL_REVERSED_OVER_SORTED)} (goal <= ${GOAL_REVERSED_OVER_SORTED}); ` +
      `worst / real notification (1 key): ${verdict(worst('one') / reference, GOAL_WORST_OVER_REAL)} (goal <= ${GOAL_WORST_OVER_REAL})`,
    `  10 keys RSA2+RSA: worst ${fixed(worst('ten') / 1000, 2)} ms = ${fixed(worst('ten') / reference, 1)}x the real notification with 1 key ` +
      `(${fixed(worst('ten') / micros.get('ten')![0]!, 1)}x the real one with 10 keys); every key and type is tried under both content rules`,
  ];
}

/** The Node measurement: the real notification alone (warm), then the bodies in alternating rounds, per configuration. */
export async function adversarialSection(input: WorkerdInput, setup: HostileSetup, budgetMs: number): Promise<string[]> {
  const slotMs = Math.max(50, Math.round(budgetMs / ROUNDS / setup.bodies.length));
  const micros = new Map<string, number[]>();
  for (const config of setup.configs) {
    const candidates = adversarialCandidates(input.body, setup.bodies, config);
    for (const c of candidates) if (c.mode !== 'sync' && !(await c.op())) throw new Error(`correctness: ${config.label}: ${c.label}`);
    // The real notification alone first (warm, no garbage from the hostile bodies around it), then the bodies.
    const [real, ...hostile] = candidates;
    await measure(real!, REFERENCE_MS / 3, 1);
    const rates = [(await measure(real!, REFERENCE_MS, 1)).opsPerSec];
    const samples = await runRounds(hostile, { rounds: ROUNDS, slotMs, warmupMs: slotMs / 2, concurrency: 1 });
    for (const c of hostile) rates.push(median(samples.get(c.id)!.map((s) => s.opsPerSec)));
    micros.set(config.id, rates.map((r) => 1e6 / r));
  }
  return [
    `hostile bodies in Node (random 256-byte sign, no sign_type, so every accepted type is tried): ${ROUNDS} rounds x ${slotMs} ms ` +
      `slots (at least one op each), order reversed every other round, medians; the real notification alone for ${REFERENCE_MS} ms first:`,
    ...hostileReport(setup, input.body.length, micros),
  ];
}
