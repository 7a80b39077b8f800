// Properties of the verifier, checked with fast-check inside workerd on generated notifications
// signed by the tests' own signer (test/support), encoded by the tests' own encoder: whatever the
// names, bytes, sign type and content rule, a genuine body verifies; a changed signed byte never
// does; equivalent encodings of the same body get the same answer; and nothing throws.
// Run counts are modest (each case signs with RSA): enough to find a wrong branch, fast in `npm test`.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { processNotification } from '../src/alipay/process';
import type { FormPair, VerifyOptions, VerifyResult } from '../src/alipay/types';
import { verifyForm } from '../src/alipay/verify';
import { makeSigner, signPairs, type TestSigner } from './support/alipay-sign';
import { formBody as encodePairs } from './support/form';

const RUNS = 60;

let alipay: TestSigner;
let options: VerifyOptions;
beforeAll(async () => {
  alipay = await makeSigner();
  options = { keys: [alipay.publicKey], signTypes: ['RSA2', 'RSA'] };
});

// Alipay's names: lowercase letters, digits and "_" (never `sign` or `sign_type`, which the signer adds).
const name = fc.stringMatching(/^[a-z0-9_]{1,24}$/).filter((k) => k !== 'sign' && k !== 'sign_type');
// Any value bytes (UTF-8, GBK or junk: the signature covers bytes), often empty (left out of the content).
const value = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => new TextEncoder().encode(s)),
  fc.constant(new Uint8Array(0)),
);
const params = fc.uniqueArray(fc.record({ key: name, value }), { minLength: 1, maxLength: 24, selector: (p) => p.key });
const signing = fc.record({
  signType: fc.constantFrom('RSA2' as const, 'RSA' as const),
  rule: fc.constantFrom('v1' as const, 'v2' as const),
  includeSignType: fc.boolean(),
});

const signedPairs = fc.tuple(params, signing);

function verdict(r: VerifyResult): string {
  return r.ok ? `ok ${r.signType} ${r.rule}` : r.reason;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('properties of verification', () => {
  it('any params signed by the independent signer verify, over the content it signed', async () => {
    await fc.assert(
      fc.asyncProperty(signedPairs, async ([pairs, s]) => {
        const signed = await signPairs(alipay, pairs, s);
        const r = await verifyForm(encodePairs(signed), options);
        expect(verdict(r)).toMatch(new RegExp(`^ok ${s.signType} `));
      }),
      { numRuns: RUNS },
    );
  });

  it('any change to the signed bytes fails: a value changed, added or emptied, or a name changed', async () => {
    const change = fc.record({ which: fc.nat(), how: fc.constantFrom('flip', 'append', 'empty', 'rename'), byte: fc.integer({ min: 1, max: 255 }) });
    await fc.assert(
      fc.asyncProperty(signedPairs, change, async ([pairs, s], c) => {
        const signed = await signPairs(alipay, pairs, s);
        // A pair the signature covers: a non-empty value. (Not sign_type: under v2 an empty one is
        // read as absent and the sign type tried is put back, by design, as the SDKs sign it.)
        const covered = signed.filter((p) => p.key !== 'sign' && p.key !== 'sign_type' && p.value.length > 0);
        fc.pre(covered.length > 0);
        const target = covered[c.which % covered.length]!;
        const changed: FormPair = (() => {
          const v = target.value;
          switch (c.how) {
            case 'flip':
              return { key: target.key, value: v.map((b, i) => (i === c.byte % v.length ? b ^ (c.byte || 1) : b)) };
            case 'append':
              return { key: target.key, value: Uint8Array.of(...v, c.byte) };
            case 'empty':
              return { key: target.key, value: new Uint8Array(0) };
            default:
              return { key: `${target.key}x`, value: v };
          }
        })();
        fc.pre(!(changed.key === target.key && sameBytes(changed.value, target.value)));
        fc.pre(!signed.some((p) => p !== target && p.key === changed.key));
        const r = await verifyForm(encodePairs(signed.map((p) => (p === target ? changed : p))), options);
        expect(r.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('equivalent encodings get the same answer: %41 or A, + or %20, hex case, pair order', async () => {
    await fc.assert(
      fc.asyncProperty(signedPairs, fc.boolean(), fc.integer(), async ([pairs, s], tamper, seed) => {
        let signed = await signPairs(alipay, pairs, s);
        if (tamper) signed = signed.map((p, i) => (i === 0 && p.key !== 'sign' ? { key: p.key, value: Uint8Array.of(...p.value, 0x21) } : p));
        const plain = await verifyForm(encodePairs(signed), options);
        const variant = await verifyForm(encodeVariant(signed, seed), options);
        expect(verdict(variant)).toBe(verdict(plain));
        if (plain.ok && variant.ok) expect(Array.from(variant.signContent)).toEqual(Array.from(plain.signContent));
      }),
      { numRuns: RUNS },
    );
  });

  it('the pipeline never throws, on arbitrary bytes or on form-shaped junk', async () => {
    const rules = { ...options, appIds: ['2021000000000001'], sellerIds: [], maxNotifyAgeMs: 3_600_000 };
    const formish = fc
      .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 24 })), { maxLength: 12 })
      .map((kv) => new TextEncoder().encode(kv.map(([k, v]) => `${k}=${v}`).join('&')));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), formish), async (body) => {
        const r = await processNotification(body, rules, Date.now());
        expect(r.ok).toBe(false);
        expect(typeof r.ok === 'boolean' && !r.ok && r.hint.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The same pairs, encoded differently but equivalently, decided by `seed`: each byte of a name or
 * value percent-encoded or not (where it may be left as is), upper- or lower-case hex, a space as
 * "+" or "%20", and the pairs in another order.
 */
function encodeVariant(pairs: readonly FormPair[], seed: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const random = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const byte = (b: number): string => {
    const hex = b.toString(16).padStart(2, '0');
    const escaped = `%${random(2) === 0 ? hex.toUpperCase() : hex.toLowerCase()}`;
    if (b === 0x20) return random(2) === 0 ? '+' : escaped;
    const plain = String.fromCharCode(b);
    return b < 0x80 && /[A-Za-z0-9*\-._~!$'(),;:@/?]/.test(plain) && random(2) === 0 ? plain : escaped;
  };
  const encode = (bytes: Uint8Array) => Array.from(bytes, byte).join('');
  const order = pairs.map((p, i) => [random(1 << 30), i] as const).sort((a, b) => a[0] - b[0]);
  const text = order
    .map(([, i]) => pairs[i]!)
    .map((p) => `${encode(Uint8Array.from(p.key, (c) => c.charCodeAt(0)))}=${encode(p.value)}`)
    .join('&');
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
