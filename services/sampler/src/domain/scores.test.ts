import {
  ENTITY_CONFIDENCE,
  LEAST_CONFIDENCE,
  MAX_ENTROPY,
  MEAN_ENTROPY,
  MNLP,
  SCORE_NAMES,
  averageConfidence,
  computeScores,
  entityUncertainty,
  entropy,
  leastConfidence,
  maxTokenEntropy,
  meanTokenEntropy,
  mnlp,
  passesGate,
  scoreDocument,
  type UncertaintyInput,
} from './scores';

const doc = (over: Partial<UncertaintyInput> = {}): UncertaintyInput => ({
  tokenCount: 3,
  tokenEntropy: [Math.log(2), 0, Math.log(4)],
  tokenConfidence: [0.5, 1, 0.25],
  bestPathLogProb: Math.log(0.25),
  entityMinMarginal: 0.6,
  ...over,
});

describe('entropy', () => {
  it('is ln(L) for a uniform distribution over L labels', () => {
    for (const L of [2, 4, 9, 13]) expect(entropy(Array(L).fill(1 / L))).toBeCloseTo(Math.log(L), 12);
  });
  it('is 0 for a one-hot distribution', () => {
    expect(entropy([0, 1, 0, 0])).toBe(0);
  });
  it('matches −Σ p ln p on a hand-computed case', () => {
    // 0.5 ln 2 + 0.25 ln 4 + 0.25 ln 4 = 1.5 ln 2
    expect(entropy([0.5, 0.25, 0.25])).toBeCloseTo(1.5 * Math.log(2), 12);
  });
  it('rejects negative or non-finite probabilities', () => {
    expect(() => entropy([0.5, -0.1])).toThrow(/index 1/);
    expect(() => entropy([Number.NaN])).toThrow(/finite/);
  });
});

describe('document scores', () => {
  it('mean token entropy averages the token entropies', () => {
    expect(meanTokenEntropy(doc())).toBeCloseTo((Math.log(2) + Math.log(4)) / 3, 12); // = ln 2
    expect(meanTokenEntropy(doc())).toBeCloseTo(Math.log(2), 12);
  });
  it('max token entropy is the largest token entropy', () => {
    expect(maxTokenEntropy(doc())).toBeCloseTo(Math.log(4), 12);
  });
  it('least confidence is 1 − P(best path)', () => {
    expect(leastConfidence(doc())).toBeCloseTo(0.75, 12);
    expect(leastConfidence(doc({ bestPathLogProb: 0 }))).toBe(0);
    expect(leastConfidence(doc({ bestPathLogProb: 1e-7 }))).toBe(0); // float noise above 0
  });
  it('MNLP is −log P(best path) / tokens: higher = more uncertain, independent of length', () => {
    expect(mnlp(doc({ bestPathLogProb: -3, tokenCount: 6 }))).toBeCloseTo(0.5, 12);
    // two sentences with the same per-token uncertainty score the same; least confidence would not
    const short = doc({ bestPathLogProb: 2 * Math.log(0.9), tokenCount: 2 });
    const long = doc({ bestPathLogProb: 20 * Math.log(0.9), tokenCount: 20 });
    expect(mnlp(short)).toBeCloseTo(mnlp(long), 12);
    expect(leastConfidence(long)).toBeGreaterThan(leastConfidence(short));
  });
  it('entity uncertainty is 1 − lowest entity marginal, or 1 − weakest token without entities', () => {
    expect(entityUncertainty(doc())).toBeCloseTo(0.4, 12);
    expect(entityUncertainty(doc({ entityMinMarginal: null }))).toBeCloseTo(0.75, 12);
  });
  it('an empty document scores 0 everywhere and has full confidence', () => {
    const empty = doc({ tokenCount: 0, tokenEntropy: [], tokenConfidence: [], bestPathLogProb: 0, entityMinMarginal: null });
    expect(Object.values(computeScores(empty))).toEqual([0, 0, 0, 0, 0]);
    expect(averageConfidence(empty)).toBe(1);
  });
  it('computes every score by versioned name', () => {
    const s = computeScores(doc());
    expect(Object.keys(s).sort()).toEqual([...SCORE_NAMES].sort());
    expect(s[MEAN_ENTROPY]).toBeCloseTo(Math.log(2), 12);
    expect(s[MAX_ENTROPY]).toBeCloseTo(Math.log(4), 12);
    expect(s[LEAST_CONFIDENCE]).toBeCloseTo(0.75, 12);
    expect(s[MNLP]).toBeCloseTo(Math.log(4) / 3, 12);
    expect(s[ENTITY_CONFIDENCE]).toBeCloseTo(0.4, 12);
  });
  it('rejects token arrays that disagree with tokenCount', () => {
    expect(() => computeScores(doc({ tokenCount: 4 }))).toThrow(/differ from tokenCount 4/);
  });
});

describe('gate and scoreDocument', () => {
  it('average confidence is the mean of the token confidences', () => {
    expect(averageConfidence({ tokenConfidence: [0.9, 0.7, 0.8] })).toBeCloseTo(0.8, 12);
  });
  it('passes documents strictly below the threshold', () => {
    expect(passesGate(0.84, 0.85)).toBe(true);
    expect(passesGate(0.85, 0.85)).toBe(false);
    expect(passesGate(0.99, 0.85)).toBe(false);
  });
  it('scores by the original mean entropy by default and by the named score otherwise', () => {
    const d = doc();
    expect(scoreDocument(d)).toMatchObject({ strategy: MEAN_ENTROPY, averageConfidence: (0.5 + 1 + 0.25) / 3 });
    expect(scoreDocument(d).score).toBeCloseTo(Math.log(2), 12);
    expect(scoreDocument(d, LEAST_CONFIDENCE).score).toBeCloseTo(0.75, 12);
    expect(() => scoreDocument(d, 'sampler.nope.v1' as never)).toThrow(/unknown score/);
  });
});
