// mulberry32: a small seeded generator, so a run's shape (the soak's re-sends, the abuse mix, the
// test origin's failures) can be repeated from its seed. Plain JavaScript: the test origin
// (test/e2e/origin-process.mjs) runs in Node without the TypeScript loader. Types: seeded-random.d.mts.

/** A function returning numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
