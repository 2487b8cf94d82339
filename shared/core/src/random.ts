// Seeded pseudo-random numbers: k-means, random selection and training-set samples must be
// reproducible from (inputs, seed).

/** FNV-1a 32-bit hash of a string: turns a textual seed into a 32-bit integer seed. */
export function hashSeed(seed: number | string): number {
  if (typeof seed === 'number') return Math.trunc(seed) >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a small, fast 32-bit generator; returns uniform numbers in [0, 1). */
export function seededRandom(seed: number | string): () => number {
  let a = (hashSeed(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/**
 * The first `k` items of a seeded Fisher–Yates shuffle of `items` (a uniform sample without
 * replacement, in sampled order). `k` larger than the list returns the whole list shuffled.
 */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, random: () => number): T[] {
  const a = items.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(random, a.length - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, n);
}

/** A seeded shuffle of the whole list (a copy). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  return sampleWithoutReplacement(items, items.length, random);
}
