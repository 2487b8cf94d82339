// Uncertainty scores of one tagged document, each a pure function of what a Prediction event
// carries. Every score is oriented the same way: HIGHER = MORE UNCERTAIN (a better candidate for
// review), so one sort order serves every strategy. Names are versioned (`sampler.<score>.v1`): a
// change of behaviour gets a new version so that recorded candidates and simulation runs keep
// their meaning.
import { errors } from '../errors';

/** What scoring needs from a prediction (a `Prediction` event satisfies it). */
export interface UncertaintyInput {
  /** Tokens in the document; the arrays below have this length. */
  readonly tokenCount: number;
  /** Entropy (nats) of each token's label marginals. */
  readonly tokenEntropy: readonly number[];
  /** Largest label marginal of each token. */
  readonly tokenConfidence: readonly number[];
  /** log P(best path | text) under the CRF (≤ 0). */
  readonly bestPathLogProb: number;
  /** Lowest marginal among the predicted entity spans; null when nothing was predicted. */
  readonly entityMinMarginal: number | null;
}

/** Mean token entropy: the original system's score. */
export const MEAN_ENTROPY = 'sampler.entropy.v1';
/** Largest token entropy. */
export const MAX_ENTROPY = 'sampler.max-entropy.v1';
/** Least confidence of the best path: 1 − P(best path). */
export const LEAST_CONFIDENCE = 'sampler.least-confidence.v1';
/** Maximum normalised log-probability (Shen et al. 2017), negated: −log P(best path) / tokens. */
export const MNLP = 'sampler.mnlp.v1';
/** Entity-level confidence, inverted: 1 − lowest marginal among predicted entity spans. */
export const ENTITY_CONFIDENCE = 'sampler.entity-confidence.v1';

export const SCORE_NAMES = [MEAN_ENTROPY, MAX_ENTROPY, LEAST_CONFIDENCE, MNLP, ENTITY_CONFIDENCE] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];
export type Scores = Readonly<Record<ScoreName, number>>;

export function isScoreName(name: string): name is ScoreName {
  return (SCORE_NAMES as readonly string[]).includes(name);
}

/**
 * Shannon entropy in nats of a probability distribution: −Σ p ln p (0 ln 0 = 0). A uniform
 * distribution over L labels has entropy ln L; a one-hot has 0. The input is used as given (no
 * renormalisation); throws ValidationError on a negative or non-finite probability.
 */
export function entropy(probs: readonly number[]): number {
  let h = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!Number.isFinite(p) || p < 0) throw errors.create('PROBABILITY_INVALID', { field: `probs[${i}]`, probability: p, index: i });
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Mean of the token entropies (nats); 0 for an empty document. */
export function meanTokenEntropy(p: UncertaintyInput): number {
  return mean(p.tokenEntropy);
}

/** Largest token entropy (nats); 0 for an empty document. */
export function maxTokenEntropy(p: UncertaintyInput): number {
  let m = 0;
  for (const h of p.tokenEntropy) if (h > m) m = h;
  return m;
}

/**
 * 1 − P(best path) = 1 − exp(bestPathLogProb), in [0, 1]. A log-probability slightly above 0 (float
 * rounding on the wire) counts as 0.
 */
export function leastConfidence(p: UncertaintyInput): number {
  return 1 - Math.exp(Math.min(0, p.bestPathLogProb));
}

/**
 * MNLP oriented as an uncertainty: −log P(best path) / tokenCount, in [0, ∞). Shen et al. rank by
 * the length-normalised log-probability ascending; negating it keeps "higher = more uncertain".
 * Long sentences are not favoured the way raw least confidence favours them. 0 for an empty document.
 */
export function mnlp(p: UncertaintyInput): number {
  if (p.tokenCount <= 0) return 0;
  return Math.max(0, -p.bestPathLogProb) / p.tokenCount;
}

/**
 * 1 − (lowest marginal among predicted entity spans), in [0, 1]. Without predicted entities the
 * weakest token stands in: 1 − min(tokenConfidence), since a missed entity hides where the model is
 * least sure (0 for an empty document).
 */
export function entityUncertainty(p: UncertaintyInput): number {
  if (p.entityMinMarginal !== null) return clamp01(1 - p.entityMinMarginal);
  if (p.tokenConfidence.length === 0) return 0;
  let m = 1;
  for (const c of p.tokenConfidence) if (c < m) m = c;
  return clamp01(1 - m);
}

/**
 * "Average confidence" of the threshold gate: the mean of the per-token largest marginals. An empty
 * document has nothing to doubt: 1.
 */
export function averageConfidence(p: Pick<UncertaintyInput, 'tokenConfidence'>): number {
  return p.tokenConfidence.length === 0 ? 1 : mean(p.tokenConfidence);
}

/** The threshold gate of the original system: a document is reviewable when its average confidence is BELOW the threshold. */
export function passesGate(avgConfidence: number, threshold: number): boolean {
  return avgConfidence < threshold;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The scorers by versioned name. */
export const SCORERS: Readonly<Record<ScoreName, (p: UncertaintyInput) => number>> = {
  [MEAN_ENTROPY]: meanTokenEntropy,
  [MAX_ENTROPY]: maxTokenEntropy,
  [LEAST_CONFIDENCE]: leastConfidence,
  [MNLP]: mnlp,
  [ENTITY_CONFIDENCE]: entityUncertainty,
};

/** Every score of a document, by name. Throws ValidationError when the token arrays disagree with tokenCount. */
export function computeScores(p: UncertaintyInput): Scores {
  if (p.tokenEntropy.length !== p.tokenCount || p.tokenConfidence.length !== p.tokenCount) {
    throw errors.create('TOKEN_ARRAYS_MISMATCH', { field: 'tokenCount', entropyLength: p.tokenEntropy.length, confidenceLength: p.tokenConfidence.length, tokenCount: p.tokenCount });
  }
  const out = {} as Record<ScoreName, number>;
  for (const name of SCORE_NAMES) out[name] = SCORERS[name](p);
  return out;
}

export interface ScoredDocument {
  /** The score the document is ranked by. */
  readonly strategy: ScoreName;
  readonly score: number;
  /** Every score by name (a ReviewCandidate carries them all). */
  readonly scores: Scores;
  /** Mean token confidence, for the threshold gate. */
  readonly averageConfidence: number;
}

/**
 * Scores one document. `strategy` picks the headline score (default the original system's mean
 * token entropy); every score is computed anyway. Throws ValidationError on an unknown strategy or
 * inconsistent token arrays.
 */
export function scoreDocument(p: UncertaintyInput, strategy: ScoreName = MEAN_ENTROPY): ScoredDocument {
  if (!isScoreName(strategy)) throw errors.create('UNKNOWN_SCORE', { field: 'strategy', strategy, allowed: SCORE_NAMES });
  const scores = computeScores(p);
  return { strategy, score: scores[strategy], scores, averageConfidence: averageConfidence(p) };
}
