/**
 * mulberry32, a small seeded PRNG in [0, 1): the same "random" data sets and shuffles on every run
 * of a seed. Plain TypeScript with no imports, so worker tests (workerd), node tests and the
 * benchmarks (bench/*.mjs) share this one copy.
 */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
