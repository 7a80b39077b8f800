// The adversarial section of bench:verify's report: the real notification and the worst bodies
// within the limits, op by op, for 1 key (RSA2, the default) and for 10 keys (RSA2+RSA).

import { loadPublicKeys } from '../../src/alipay/keys';
import { base64Encode } from '../../src/utils/base64';
import type { AlipayPublicKey } from '../../src/alipay/types';
import { align, fixed } from '../common';
import {
  GOAL_REVERSED_OVER_SORTED,
  GOAL_WORST_OVER_REAL,
  adversarialBodies,
  adversarialCandidates,
  adversarialRows,
  type AdversarialConfig,
  type AdversarialRow,
} from './adversarial';
import { measure, runRounds } from './harness';
import { median } from '../common';
import type { WorkerdInput } from './workerd';

async function throwawayKeys(count: number): Promise<AlipayPublicKey[]> {
  const keys: AlipayPublicKey[] = [];
  for (let i = 0; i < count; i++) {
    const pair = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
    const loaded = await loadPublicKeys(base64Encode(spki));
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    keys.push(loaded.keys[0]!);
  }
  return keys;
}

const ROUNDS = 3;
const REFERENCE_MS = 1000;

const verdict = (ratio: number, goal: number, atMost: boolean): string => `${fixed(ratio, 2)} ${(atMost ? ratio <= goal : ratio >= goal) ? 'pass' : 'FAIL'}`;

export async function adversarialSection(input: WorkerdInput, budgetMs: number): Promise<string[]> {
  const loaded = await loadPublicKeys(input.key);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const configs: AdversarialConfig[] = [
    { id: 'one', label: '1 key, RSA2 (the default)', options: { keys: loaded.keys, signTypes: ['RSA2'] } },
    { id: 'ten', label: '10 keys, RSA2+RSA', options: { keys: [...loaded.keys, ...(await throwawayKeys(9))], signTypes: ['RSA2', 'RSA'] } },
  ];
  const bodies = adversarialBodies();
  const slotMs = Math.max(50, Math.round(budgetMs / ROUNDS / bodies.length));
  const lines = [
    `adversarial bodies (random 256-byte sign, no sign_type), one at a time: ${ROUNDS} rounds x ${slotMs} ms slots (at least one op each), ` +
      `order reversed every other round, medians; the real notification alone for ${REFERENCE_MS} ms first, per configuration:`,
  ];
  const rowsBy = new Map<string, AdversarialRow[]>();
  for (const config of configs) {
    const candidates = adversarialCandidates(input.body, bodies, config);
    for (const c of candidates) if (c.mode !== 'sync' && !(await c.op())) throw new Error(`correctness: ${config.label}: ${c.label}`);
    // The real notification alone first (warm, no garbage from the hostile bodies around it), then the bodies.
    const [real, ...hostile] = candidates;
    await measure(real!, REFERENCE_MS / 3, 1);
    const rates = new Map([[real!.id, (await measure(real!, REFERENCE_MS, 1)).opsPerSec]]);
    const samples = await runRounds(hostile, { rounds: ROUNDS, slotMs, warmupMs: slotMs / 2, concurrency: 1 });
    for (const [id, s] of samples) rates.set(id, median(s.map((x) => x.opsPerSec)));
    rowsBy.set(config.id, adversarialRows(candidates, rates));
  }
  const reference = rowsBy.get('one')![0]!.micros;
  const table: string[][] = [['body', 'bytes', ...configs.flatMap((c) => [`${c.label} us/op`, 'x real (1 key)'])]];
  const bytesOf = new Map(bodies.map((b) => [b.id, b.body.length]));
  for (let i = 0; i < rowsBy.get('one')!.length; i++) {
    const row = rowsBy.get('one')![i]!;
    table.push([
      row.label,
      String(bytesOf.get(row.id) ?? input.body.length),
      ...configs.flatMap((c) => {
        const r = rowsBy.get(c.id)![i]!;
        return [fixed(r.micros), fixed(r.micros / reference, 1)];
      }),
    ]);
  }
  lines.push(...align(table, 1).map((l) => `  ${l}`));
  const one = new Map(rowsBy.get('one')!.map((r) => [r.id, r.micros]));
  const worstOf = (id: string) => Math.max(...rowsBy.get(id)!.slice(1).map((r) => r.micros));
  lines.push(
    `  reversed / sorted (1 key): ${verdict(one.get('reversed')! / one.get('sorted')!, GOAL_REVERSED_OVER_SORTED, true)} (goal <= ${GOAL_REVERSED_OVER_SORTED})`,
    `  worst / real notification (1 key): ${verdict(worstOf('one') / reference, GOAL_WORST_OVER_REAL, true)} (goal <= ${GOAL_WORST_OVER_REAL}); ` +
      `10 keys RSA2+RSA: worst ${fixed(worstOf('ten') / 1000, 2)} ms = ${fixed(worstOf('ten') / reference, 1)}x the real notification with 1 key, ` +
      `${fixed(worstOf('ten') / rowsBy.get('ten')![0]!.micros, 1)}x with 10 keys`,
  );
  return lines;
}
