// Decoding of model outputs into predictions, per segment and per document (pure functions).
import { forwardBackward, tokenEntropies, viterbi, type CrfParams } from './crf/crf';
import { constrainEmissions, wellformedSpans } from './decode/constraints';
import { tagsToSpans, type ParsedLabel } from './decode/tags';
import type { Scheme } from './manifest';
import type { ModelSegment } from './text/split';

/** An entity found in a segment; offsets in code points of the segment. */
export interface SegmentEntity {
  readonly cpStart: number;
  readonly cpEnd: number;
  readonly type: string;
  /** Mean marginal probability of the entity's predicted labels over its tokens. */
  readonly score: number;
  /** Lowest of those marginals. */
  readonly minMarginal: number;
}

/** Everything decoded from one segment (tokens = code points of the segment). */
export interface SegmentPrediction {
  readonly length: number;
  /** Best label path (ids into NerModel.labels). */
  readonly path: Int32Array;
  readonly entities: readonly SegmentEntity[];
  /** Per token: max marginal probability over labels. */
  readonly tokenConfidence: Float64Array;
  /** Per token: entropy (natural log) of its marginal distribution. */
  readonly tokenEntropy: Float64Array;
  /** [length * numLabels] marginals; only when requested (PredictOptions.marginals). */
  readonly marginals: Float64Array | null;
  readonly logZ: number;
  /** log P(best path | x) = viterbi score - logZ (<= 0). */
  readonly bestPathLogProb: number;
  /** Masked mean of the encoder states (the model's `embedding` output). */
  readonly embedding: Float32Array;
}

/** An entity of a document. `text === input.slice(start, end)` always. */
export interface Entity {
  /** UTF-16 offsets (JS string indices). */
  readonly start: number;
  readonly end: number;
  /** Code-point offsets (Python str indices, the corpora's offsets). */
  readonly cpStart: number;
  readonly cpEnd: number;
  readonly type: string;
  readonly text: string;
  /** Mean marginal of the entity's predicted labels over its tokens (0..1). */
  readonly score: number;
}

export interface PredictTiming {
  /** Split + featurise of the whole call, ms. */
  readonly featuriseMs: number;
  /** The onnxruntime run of the whole call, ms. */
  readonly inferenceMs: number;
  /** CRF decoding of the whole call, ms. */
  readonly decodeMs: number;
  readonly totalMs: number;
  /** Segments in the ORT batch and the padded sequence length. */
  readonly batchSize: number;
  readonly sequenceLength: number;
}

export interface DocumentPrediction {
  readonly entities: readonly Entity[];
  /** Per code point: max marginal probability. */
  readonly tokenConfidence: readonly number[];
  /** Per code point: entropy (nats) of the marginal distribution. */
  readonly tokenEntropy: readonly number[];
  /** Mean / max of tokenEntropy (0 for an empty text). */
  readonly meanEntropy: number;
  readonly maxEntropy: number;
  /** log P(best path): sum over segments (0 for an empty text). */
  readonly bestPathLogProb: number;
  /** Lowest marginal among the predicted entities' token labels; null without entities. */
  readonly entityMinMarginal: number | null;
  /** Token-weighted mean of the segments' embeddings (zeros for an empty text). */
  readonly embedding: Float32Array;
  /** Per code point label marginals [tokens * labels], only with PredictOptions.marginals. */
  readonly marginals: Float64Array | null;
  readonly tokens: number;
  readonly segments: number;
  readonly modelVersion: string;
  /** Timing of the predict() call that produced this document (shared by its documents). */
  readonly timing: PredictTiming;
}

/** The well-formedness rule's inputs (decode/constraints.ts): token classes and the labels a blank may not take. */
export interface WellformedInput {
  readonly classes: Uint8Array;
  readonly blocked: readonly number[];
}

/**
 * Decode one segment from its emissions [n * L] (a view) and embedding. With `wellformed` (what
 * NerModel always passes) the entity well-formedness rule is applied: constrained emissions for
 * Viterbi and forward-backward, then the post-rule on the spans (decode/constraints.ts).
 */
export function decodeSegment(
  emissions: Float32Array,
  n: number,
  crf: CrfParams,
  labels: readonly ParsedLabel[],
  scheme: Scheme,
  embedding: Float32Array,
  keepMarginals: boolean,
  wellformed?: WellformedInput,
): SegmentPrediction {
  const L = crf.numLabels;
  const em = wellformed && n > 0 ? constrainEmissions(emissions, n, L, wellformed.classes, wellformed.blocked) : emissions;
  if (n === 0) {
    return {
      length: 0, path: new Int32Array(0), entities: [], tokenConfidence: new Float64Array(0), tokenEntropy: new Float64Array(0),
      marginals: keepMarginals ? new Float64Array(0) : null, logZ: 0, bestPathLogProb: 0, embedding,
    };
  }
  const { path, score } = viterbi(em, n, crf);
  const { logZ, marginals } = forwardBackward(em, n, crf);
  const conf = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let m = 0;
    for (let j = 0; j < L; j++) m = Math.max(m, marginals[t * L + j]);
    conf[t] = m;
  }
  const raw = tagsToSpans(path, labels, scheme);
  const entities = (wellformed ? wellformedSpans(raw, wellformed.classes) : raw).map((s) => {
    let sum = 0;
    let min = 1;
    for (let t = s.start; t < s.end; t++) {
      const p = marginals[t * L + path[t]];
      sum += p;
      if (p < min) min = p;
    }
    return { cpStart: s.start, cpEnd: s.end, type: s.type, score: sum / (s.end - s.start), minMarginal: min };
  });
  return {
    length: n,
    path,
    entities,
    tokenConfidence: conf,
    tokenEntropy: tokenEntropies(marginals, n, L),
    marginals: keepMarginals ? marginals : null,
    logZ,
    bestPathLogProb: Math.min(0, score - logZ),
    embedding,
  };
}

/**
 * Combine the predictions of a document's segments (from splitForModel, in order) into one
 * document prediction: offsets remapped, token arrays concatenated, log probabilities summed,
 * embeddings averaged with token weights.
 */
export function combineSegments(
  text: string,
  cpOffsets: Uint32Array,
  segments: readonly ModelSegment[],
  preds: readonly SegmentPrediction[],
  modelVersion: string,
  embeddingDim: number,
  timing: PredictTiming,
  numLabels: number,
): DocumentPrediction {
  const entities: Entity[] = [];
  const conf: number[] = [];
  const ent: number[] = [];
  const embedding = new Float32Array(embeddingDim);
  let logProb = 0;
  let minMarg: number | null = null;
  let total = 0;
  const keepMarginals = preds.length > 0 && preds.every((p) => p.marginals !== null);
  const marginals = keepMarginals ? new Float64Array(cpOffsets.length > 0 ? (cpOffsets.length - 1) * numLabels : 0) : null;
  segments.forEach((seg, k) => {
    const p = preds[k];
    for (const e of p.entities) {
      const cpStart = seg.cpStart + e.cpStart;
      const cpEnd = seg.cpStart + e.cpEnd;
      const start = cpOffsets[cpStart];
      const end = cpOffsets[cpEnd];
      entities.push({ start, end, cpStart, cpEnd, type: e.type, text: text.slice(start, end), score: e.score });
      minMarg = minMarg === null ? e.minMarginal : Math.min(minMarg, e.minMarginal);
    }
    for (let t = 0; t < p.length; t++) {
      conf.push(p.tokenConfidence[t]);
      ent.push(p.tokenEntropy[t]);
    }
    if (marginals && p.marginals) marginals.set(p.marginals, seg.cpStart * numLabels);
    logProb += p.bestPathLogProb;
    if (p.length > 0) {
      for (let d = 0; d < embeddingDim; d++) embedding[d] += p.length * p.embedding[d];
      total += p.length;
    }
  });
  if (total > 0) for (let d = 0; d < embeddingDim; d++) embedding[d] /= total;
  let sum = 0;
  let max = 0;
  for (const h of ent) {
    sum += h;
    if (h > max) max = h;
  }
  return {
    entities,
    tokenConfidence: conf,
    tokenEntropy: ent,
    meanEntropy: ent.length ? sum / ent.length : 0,
    maxEntropy: max,
    bestPathLogProb: logProb,
    entityMinMarginal: minMarg,
    embedding,
    marginals,
    tokens: conf.length,
    segments: segments.length,
    modelVersion,
    timing,
  };
}
