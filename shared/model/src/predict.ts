// Decoding of model outputs into predictions, per segment and per document (pure functions).
import { forwardBackward, tokenEntropies, viterbi, type CrfParams } from './crf/crf';
import { constrainEmissions, wellformedSpans } from './decode/constraints';
import { tagsToSpans, type ParsedLabel } from './decode/tags';
import type { Scheme } from './manifest';
import { toCodePoints } from './text/codepoints';
import { splitForModel, type ModelSegment } from './text/split';

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
 * A document cut into the segments the model accepts, in order (planDocument). The runtime's one
 * document API: plan, predict the segments (in any batches, mixed with other documents'
 * segments), merge. NerModel.predict, the tagger's dynamic batcher and the eval CLI all use it.
 */
export interface DocumentPlan {
  readonly text: string;
  /** Code point index -> UTF-16 offset (length = code points + 1). */
  readonly offsets: Uint32Array;
  readonly codePoints: Uint32Array;
  /** Non-empty segments of at most maxLength code points covering the text; none for ''. */
  readonly segments: readonly ModelSegment[];
}

/** Cut `text` for a model of `maxLength` (splitForModel's rule). Throws InvalidInputError when maxLength < 1. */
export function planDocument(text: string, maxLength: number): DocumentPlan {
  const cp = toCodePoints(text);
  const segments = splitForModel(text, maxLength, cp).filter((s) => s.cpEnd > s.cpStart);
  return { text, offsets: cp.offsets, codePoints: cp.cps, segments };
}

/** What merging needs of a segment's prediction (a SegmentPrediction, or its thread-transferable copy). */
export interface SegmentResult {
  readonly length: number;
  readonly entities: readonly SegmentEntity[];
  readonly tokenConfidence: ArrayLike<number>;
  readonly tokenEntropy: ArrayLike<number>;
  readonly bestPathLogProb: number;
  readonly embedding: ArrayLike<number>;
  readonly marginals?: Float64Array | null;
}

export interface MergeOptions {
  readonly modelVersion: string;
  /** Length of the embedding (a document without segments gets zeros of it); default: the segments' own, else 0. */
  readonly embeddingDim?: number;
  /** Labels per token, for merging marginals; default: inferred from the first segment's. */
  readonly numLabels?: number;
  readonly timing?: PredictTiming;
}

const NO_TIMING: PredictTiming = { featuriseMs: 0, inferenceMs: 0, decodeMs: 0, totalMs: 0, batchSize: 0, sequenceLength: 0 };

/**
 * Merge the predictions of a plan's segments (same order) into one document prediction: offsets
 * moved to the document (UTF-16 and code points; every entity's text is the document's slice),
 * token arrays concatenated, path log-probabilities summed (segments are decoded independently),
 * embeddings averaged with token weights. Throws RangeError when the counts differ (a caller bug:
 * never emit wrong offsets).
 */
export function mergeDocument(plan: DocumentPlan, preds: readonly SegmentResult[], opts: MergeOptions): DocumentPrediction {
  const { text, offsets, segments } = plan;
  if (preds.length !== segments.length) throw new RangeError(`mergeDocument: ${segments.length} segments but ${preds.length} predictions`);
  const embeddingDim = opts.embeddingDim ?? (preds[0]?.embedding.length ?? 0);
  const entities: Entity[] = [];
  const conf: number[] = [];
  const ent: number[] = [];
  const embedding = new Float32Array(embeddingDim);
  let logProb = 0;
  let minMarg: number | null = null;
  let total = 0;
  const keepMarginals = preds.length > 0 && preds.every((p) => p.marginals != null);
  const numLabels = opts.numLabels ?? (keepMarginals && preds[0].length > 0 ? preds[0].marginals!.length / preds[0].length : 0);
  const marginals = keepMarginals ? new Float64Array(Math.max(0, offsets.length - 1) * numLabels) : null;
  segments.forEach((seg, k) => {
    const p = preds[k];
    if (p.length !== seg.cpEnd - seg.cpStart) throw new RangeError(`mergeDocument: segment ${k} has ${seg.cpEnd - seg.cpStart} code points but its prediction ${p.length}`);
    for (const e of p.entities) {
      const cpStart = seg.cpStart + e.cpStart;
      const cpEnd = seg.cpStart + e.cpEnd;
      const start = offsets[cpStart];
      const end = offsets[cpEnd];
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
      for (let d = 0; d < embeddingDim; d++) embedding[d] += p.length * (p.embedding[d] ?? 0);
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
    modelVersion: opts.modelVersion,
    timing: opts.timing ?? NO_TIMING,
  };
}
