import { crfFromJson, forwardBackward, pathScore, tokenEntropies, viterbi, type CrfParams } from './crf';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCrf(L: number, r: () => number, scale: number): CrfParams {
  const m = (): number => (r() * 2 - 1) * scale;
  return crfFromJson(
    {
      transitions: Array.from({ length: L }, () => Array.from({ length: L }, m)),
      start: Array.from({ length: L }, m),
      end: Array.from({ length: L }, m),
    },
    L,
  );
}

function* allPaths(n: number, L: number): Generator<number[]> {
  const p = new Array<number>(n).fill(0);
  for (;;) {
    yield p.slice();
    let k = n - 1;
    while (k >= 0 && p[k] === L - 1) p[k--] = 0;
    if (k < 0) return;
    p[k]++;
  }
}

describe('CRF inference vs brute-force enumeration', () => {
  const cases: Array<[number, number, number, number]> = [];
  for (let seed = 1; seed <= 12; seed++) cases.push([seed, 1 + (seed % 5), 2 + (seed % 3), seed % 4 === 0 ? 25 : 3]);

  it.each(cases)('seed %i: n=%i L=%i scale=%i', (seed, n, L, scale) => {
    const r = rng(seed);
    const crf = randomCrf(L, r, scale);
    const em = Float32Array.from({ length: n * L }, () => (r() * 2 - 1) * scale);
    let best = -Infinity;
    let bestPath: number[] = [];
    const scores: number[] = [];
    const paths: number[][] = [];
    for (const p of allPaths(n, L)) {
      const s = pathScore(em, n, crf, p);
      scores.push(s);
      paths.push(p);
      if (s > best) {
        best = s;
        bestPath = p;
      }
    }
    const m = Math.max(...scores);
    const logZ = m + Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0));
    const vit = viterbi(em, n, crf);
    expect(Array.from(vit.path)).toEqual(bestPath);
    expect(vit.score).toBeCloseTo(best, 9);
    const fb = forwardBackward(em, n, crf);
    expect(fb.logZ).toBeCloseTo(logZ, 8);
    // marginals = sum of path probabilities through (t, j)
    const marg = new Float64Array(n * L);
    scores.forEach((s, k) => paths[k].forEach((j, t) => (marg[t * L + j] += Math.exp(s - logZ))));
    for (let k = 0; k < n * L; k++) expect(fb.marginals[k]).toBeCloseTo(marg[k], 9);
    for (let t = 0; t < n; t++) {
      let sum = 0;
      let h = 0;
      for (let j = 0; j < L; j++) {
        sum += fb.marginals[t * L + j];
        const p = marg[t * L + j];
        if (p > 0) h -= p * Math.log(p);
      }
      expect(sum).toBeCloseTo(1, 9);
      expect(tokenEntropies(fb.marginals, n, L)[t]).toBeCloseTo(h, 8);
    }
  });

  it('stays exact with extreme transitions (the per-cell fallback)', () => {
    const crf = crfFromJson({ transitions: [[0, -2000], [-2000, 0]], start: [0, -1000], end: [0, 0] }, 2);
    const em = Float32Array.from([0, 0, 0, 900, 0, 0]);
    const fb = forwardBackward(em, 3, crf);
    // paths 000 (score 0) and 111 (-1000 + 900 = -100) dominate; every other path pays >= 2000
    const logZ = Math.log(1 + Math.exp(-100));
    expect(fb.logZ).toBeCloseTo(logZ, 9);
    expect(fb.marginals[0]).toBeCloseTo(1 / (1 + Math.exp(-100)), 9);
    for (const p of fb.marginals) expect(Number.isFinite(p)).toBe(true);
    expect(Array.from(viterbi(em, 3, crf).path)).toEqual([0, 0, 0]);
  });

  it('rejects a malformed crf.json', () => {
    expect(() => crfFromJson({ transitions: [[0]], start: [0], end: [0] }, 2)).toThrow(/transitions/);
    expect(() => crfFromJson({ transitions: [[0, 0], [0, 0]], start: [0, NaN], end: [0, 0] }, 2)).toThrow(/start/);
  });
});
