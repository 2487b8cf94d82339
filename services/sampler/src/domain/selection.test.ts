import { LEAST_CONFIDENCE, MEAN_ENTROPY, MNLP, SCORE_NAMES, type Scores } from './scores';
import { HYBRID, RANDOM, clusterDocuments, noveltyOf, selectCandidates, type SelectableDoc } from './selection';

/** A document whose every score is `score` (so any strategy ranks it the same). */
function d(id: string, score: number, embedding: number[], extra: Partial<SelectableDoc> = {}): SelectableDoc {
  const scores = Object.fromEntries(SCORE_NAMES.map((n) => [n, score])) as Scores;
  return { id, scores, embedding, textHash: `h-${id}`, ...extra };
}

// two tight groups of directions: around the x axis and around the y axis
const xs = (n: number, from = 0.9) => Array.from({ length: n }, (_, i) => d(`x${i}`, from - i * 0.01, [1, 0.01 * i]));
const ys = (n: number, from = 0.5) => Array.from({ length: n }, (_, i) => d(`y${i}`, from - i * 0.01, [0.01 * i, 1]));

describe('selectCandidates: pure uncertainty strategies', () => {
  it('takes the budget highest by the strategy score, priority = score, no clusters', () => {
    const docs = [
      { ...d('a', 0, [1, 0]), scores: { ...d('a', 0, []).scores, [MEAN_ENTROPY]: 0.2, [LEAST_CONFIDENCE]: 0.9 } },
      { ...d('b', 0, [1, 0]), scores: { ...d('b', 0, []).scores, [MEAN_ENTROPY]: 0.7, [LEAST_CONFIDENCE]: 0.1 } },
      { ...d('c', 0, [1, 0]), scores: { ...d('c', 0, []).scores, [MEAN_ENTROPY]: 0.5, [LEAST_CONFIDENCE]: 0.5 } },
    ];
    const byEntropy = selectCandidates(docs, { strategy: MEAN_ENTROPY, budget: 2 });
    expect(byEntropy.selected.map((s) => [s.doc.id, s.priority, s.cluster, s.rank])).toEqual([
      ['b', 0.7, null, 0],
      ['c', 0.5, null, 1],
    ]);
    expect(byEntropy.clusters).toBe(0);
    expect(selectCandidates(docs, { strategy: LEAST_CONFIDENCE, budget: 1 }).selected.map((s) => s.doc.id)).toEqual(['a']);
  });

  it('never exceeds the budget, and a zero budget selects nothing', () => {
    const docs = xs(10);
    expect(selectCandidates(docs, { strategy: MNLP, budget: 4 }).selected).toHaveLength(4);
    expect(selectCandidates(docs, { strategy: HYBRID, budget: 4, k: 1, perClusterMax: 10 }).selected).toHaveLength(4);
    expect(selectCandidates(docs, { strategy: HYBRID, budget: 0 }).selected).toHaveLength(0);
  });

  it('breaks score ties by id, not by input order', () => {
    const a = [d('b', 0.5, [1, 0]), d('a', 0.5, [1, 0])];
    expect(selectCandidates(a, { strategy: MNLP, budget: 2 }).selected.map((s) => s.doc.id)).toEqual(['a', 'b']);
    expect(selectCandidates([...a].reverse(), { strategy: MNLP, budget: 2 }).selected.map((s) => s.doc.id)).toEqual(['a', 'b']);
  });
});

describe('selectCandidates: hybrid', () => {
  it('keeps at most perClusterMax per cluster, so the less uncertain group still gets its share', () => {
    const docs = [...xs(5), ...ys(3)];
    const pure = selectCandidates(docs, { strategy: MNLP, budget: 4 });
    expect(pure.selected.map((s) => s.doc.id)).toEqual(['x0', 'x1', 'x2', 'x3']);
    const hybrid = selectCandidates(docs, { strategy: HYBRID, budget: 4, k: 2, perClusterMax: 2, seed: 1 });
    expect(hybrid.clusters).toBe(2);
    expect(hybrid.selected.map((s) => s.doc.id)).toEqual(['x0', 'x1', 'y0', 'y1']);
    const clusterOf = Object.fromEntries(hybrid.selected.map((s) => [s.doc.id, s.cluster]));
    expect(clusterOf.x0).toBe(clusterOf.x1);
    expect(clusterOf.y0).toBe(clusterOf.y1);
    expect(clusterOf.x0).not.toBe(clusterOf.y0);
  });

  it('the cap is strict: clusters that cannot fill the budget yield fewer documents', () => {
    const r = selectCandidates([...xs(5), ...ys(3)], { strategy: HYBRID, budget: 6, k: 2, perClusterMax: 1, seed: 1 });
    expect(r.selected.map((s) => s.doc.id)).toEqual(['x0', 'y0']);
  });

  it('prefers documents far from everything labelled: priority = score · (1 − w + w · novelty)', () => {
    const near = d('near', 0.8, [1, 0]); // identical direction to a labelled document: novelty 0
    const far = d('far', 0.8, [0, 1]); // orthogonal to every labelled one: novelty 1
    const r = selectCandidates([near, far], { strategy: HYBRID, budget: 2, k: 1, perClusterMax: 2, labelledEmbeddings: [[2, 0]], noveltyWeight: 0.5 });
    expect(r.selected.map((s) => [s.doc.id, s.novelty, s.priority])).toEqual([
      ['far', 1, 0.8],
      ['near', 0, 0.4],
    ]);
    // a less uncertain but novel document can overtake: 0.7 · 1 > 1.0 · 0.5
    const r2 = selectCandidates([d('known', 1.0, [1, 0]), d('new', 0.7, [0, 1])], { strategy: HYBRID, budget: 1, k: 1, perClusterMax: 1, labelledEmbeddings: [[1, 0]] });
    expect(r2.selected[0].doc.id).toBe('new');
    expect(r2.selected[0].priority).toBeCloseTo(0.7, 12);
    // w = 0: novelty is reported but does not change the order
    const r3 = selectCandidates([d('known', 1.0, [1, 0]), d('new', 0.7, [0, 1])], { strategy: HYBRID, budget: 1, k: 1, perClusterMax: 1, labelledEmbeddings: [[1, 0]], noveltyWeight: 0 });
    expect(r3.selected.map((s) => [s.doc.id, s.novelty])).toEqual([['known', 0]]);
  });

  it('without labelled documents novelty is null and priority is the base score', () => {
    const r = selectCandidates(xs(3), { strategy: HYBRID, budget: 3, k: 1, perClusterMax: 3 });
    expect(r.selected.map((s) => [s.novelty, s.priority])).toEqual([
      [null, 0.9],
      [null, 0.89],
      [null, 0.88],
    ]);
  });

  it('ranks by the configured base score', () => {
    const a = { ...d('a', 0, [1, 0]), scores: { ...d('a', 0, []).scores, [MNLP]: 0.1, [MEAN_ENTROPY]: 0.9 } };
    const b = { ...d('b', 0, [1, 0]), scores: { ...d('b', 0, []).scores, [MNLP]: 0.3, [MEAN_ENTROPY]: 0.2 } };
    const opts = { strategy: HYBRID, budget: 1, k: 1, perClusterMax: 1 } as const;
    expect(selectCandidates([a, b], opts).selected[0].doc.id).toBe('b'); // default base: MNLP
    expect(selectCandidates([a, b], { ...opts, baseScore: MEAN_ENTROPY }).selected[0].doc.id).toBe('a');
  });

  it('is deterministic for a seed', () => {
    const docs = [...xs(20), ...ys(20)];
    const o = { strategy: HYBRID, budget: 10, k: 4, perClusterMax: 3, seed: 11 } as const;
    expect(selectCandidates(docs, o)).toEqual(selectCandidates(docs, o));
  });
});

describe('selectCandidates: gate, dedupe, random, options', () => {
  it('gates out documents whose average confidence is not below the threshold', () => {
    const docs = [d('a', 0.9, [1, 0], { averageConfidence: 0.6 }), d('b', 0.95, [1, 0], { averageConfidence: 0.85 }), d('c', 0.5, [1, 0], { averageConfidence: 0.84 })];
    const r = selectCandidates(docs, { strategy: MNLP, budget: 5, confidenceThreshold: 0.85 });
    expect(r.selected.map((s) => s.doc.id)).toEqual(['a', 'c']);
    expect(r.gatedOut.map((x) => x.id)).toEqual(['b']);
    expect(() => selectCandidates([d('z', 1, [1])], { strategy: MNLP, budget: 1, confidenceThreshold: 0.5 })).toThrow(/averageConfidence/);
  });

  it('keeps one document per text hash, the most uncertain', () => {
    const docs = [d('a', 0.4, [1, 0], { textHash: 'same' }), d('b', 0.6, [1, 0], { textHash: 'same' }), d('c', 0.5, [0, 1])];
    const r = selectCandidates(docs, { strategy: HYBRID, budget: 5, k: 2, perClusterMax: 5 });
    expect(r.selected.map((s) => s.doc.id).sort()).toEqual(['b', 'c']);
    expect(r.duplicates.map((x) => x.id)).toEqual(['a']);
  });

  it('random picks the budget, reproducibly for a seed', () => {
    const docs = xs(30);
    const a = selectCandidates(docs, { strategy: RANDOM, budget: 5, seed: 3 });
    expect(a.selected).toHaveLength(5);
    expect(new Set(a.selected.map((s) => s.doc.id)).size).toBe(5);
    expect(selectCandidates(docs, { strategy: RANDOM, budget: 5, seed: 3 })).toEqual(a);
    expect(a.selected.every((s) => s.priority >= 0 && s.priority < 1 && s.score === s.doc.scores[MNLP])).toBe(true);
  });

  it('rejects invalid options, naming each problem', () => {
    expect(() => selectCandidates([], { strategy: 'sampler.best.v9' as never, budget: -1 })).toThrow(/strategy "sampler.best.v9" is unknown.*budget -1/);
    expect(() => selectCandidates([], { strategy: HYBRID, budget: 1, noveltyWeight: 2 })).toThrow(/noveltyWeight 2/);
  });
});

describe('clusterDocuments and noveltyOf', () => {
  it('clusters each embedding dimension separately; documents without one share a cluster', () => {
    const docs = [d('a', 1, [1, 0]), d('b', 1, [1, 0, 0]), d('c', 1, []), d('e', 1, []), d('f', 1, [0, 1, 0])];
    const { clusters, count } = clusterDocuments(docs, 2, { seed: 1 });
    expect(clusters[2]).toBe(clusters[3]);
    expect(new Set([clusters[0], clusters[1], clusters[2], clusters[4]]).size).toBe(4);
    expect(count).toBe(4);
  });

  it('measures cosine distance to the nearest labelled embedding of the same dimension', () => {
    const docs = [d('a', 1, [1, 1]), d('b', 1, [3, 0]), d('c', 1, [1, 0, 0]), d('e', 1, [])];
    const nov = noveltyOf(docs, [[2, 0], [0, 5], [7]]);
    expect(nov[0]).toBeCloseTo(1 - Math.SQRT1_2, 12);
    expect(nov[1]).toBeCloseTo(0, 12);
    expect(nov[2]).toBeNull();
    expect(nov[3]).toBeNull();
  });
});
