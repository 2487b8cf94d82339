// What the model says about one text, and how the predictions of the pieces of a long text are
// put back together. Pure functions: no I/O.
import type { Entity } from '@zhner/contracts';

/** A model's output for one text (or one piece of a text): the fields the events need. */
export interface DocPrediction {
  /** Offsets are UTF-16 code units into the text that was predicted; cp* are code points. */
  entities: Entity[];
  tokenCount: number;
  /** Entropy (nats) of each token's label marginals. */
  tokenEntropy: number[];
  /** Largest label marginal of each token. */
  tokenConfidence: number[];
  meanEntropy: number;
  maxEntropy: number;
  /** log P(best path | text) under the CRF. */
  bestPathLogProb: number;
  /** Lowest marginal among the predicted spans; null without entities. */
  entityMinMarginal: number | null;
  embedding: number[];
}

/** A piece of a text, [start, end) in UTF-16 code units. */
export interface TextPiece {
  start: number;
  end: number;
}

/** Number of Unicode code points of `text` in [start, end) (surrogate pairs count once). */
export function codePointLength(text: string, start = 0, end = text.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Joins the predictions of the pieces of `text` into one document prediction. Entity offsets are
 * moved by each piece's start (UTF-16 and code points), token arrays are concatenated, the entropy
 * summary is recomputed over all tokens, path log-probabilities add up (the pieces are decoded
 * independently), and the embedding is the token-weighted mean of the pieces' embeddings.
 * A single piece covering the text from 0 is returned unchanged.
 *
 * Throws RangeError when the counts differ or a moved entity's surface text is not the slice of
 * `text` (a splitter bug: never emit wrong offsets).
 */
export function mergePieces(text: string, pieces: readonly TextPiece[], preds: readonly DocPrediction[]): DocPrediction {
  if (pieces.length !== preds.length) throw new RangeError(`mergePieces: ${pieces.length} pieces but ${preds.length} predictions`);
  if (pieces.length === 0) return emptyPrediction(0);
  if (pieces.length === 1 && pieces[0].start === 0) return preds[0];
  const entities: Entity[] = [];
  const tokenEntropy: number[] = [];
  const tokenConfidence: number[] = [];
  let bestPathLogProb = 0;
  let entityMinMarginal: number | null = null;
  let embedding: number[] = [];
  let weight = 0;
  let cpBase = 0;
  let cpAt = 0; // UTF-16 offset where cpBase was counted
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k];
    const p = preds[k];
    cpBase += codePointLength(text, cpAt, piece.start);
    cpAt = piece.start;
    for (const e of p.entities) {
      const moved: Entity = { ...e, start: e.start + piece.start, end: e.end + piece.start, cpStart: e.cpStart + cpBase, cpEnd: e.cpEnd + cpBase };
      if (text.slice(moved.start, moved.end) !== moved.text) {
        throw new RangeError(`mergePieces: entity ${JSON.stringify(e.text)} moved to [${moved.start},${moved.end}) does not match the text there`);
      }
      entities.push(moved);
    }
    for (const x of p.tokenEntropy) tokenEntropy.push(x);
    for (const x of p.tokenConfidence) tokenConfidence.push(x);
    bestPathLogProb += p.bestPathLogProb;
    if (p.entityMinMarginal !== null) entityMinMarginal = entityMinMarginal === null ? p.entityMinMarginal : Math.min(entityMinMarginal, p.entityMinMarginal);
    const w = Math.max(1, p.tokenCount);
    if (embedding.length === 0) embedding = p.embedding.map((x) => x * w);
    else for (let i = 0; i < embedding.length; i++) embedding[i] += (p.embedding[i] ?? 0) * w;
    weight += w;
  }
  const tokenCount = tokenEntropy.length;
  let sum = 0;
  let max = 0;
  for (const x of tokenEntropy) {
    sum += x;
    if (x > max) max = x;
  }
  return {
    entities,
    tokenCount,
    tokenEntropy,
    tokenConfidence,
    meanEntropy: tokenCount > 0 ? sum / tokenCount : 0,
    maxEntropy: max,
    bestPathLogProb,
    entityMinMarginal,
    embedding: weight > 0 ? embedding.map((x) => x / weight) : embedding,
  };
}

/** The prediction of a text without tokens (used for zero pieces). */
export function emptyPrediction(embeddingDim: number): DocPrediction {
  return {
    entities: [],
    tokenCount: 0,
    tokenEntropy: [],
    tokenConfidence: [],
    meanEntropy: 0,
    maxEntropy: 0,
    bestPathLogProb: 0,
    entityMinMarginal: null,
    embedding: new Array<number>(embeddingDim).fill(0),
  };
}

/** Entities per type, for metrics. */
export function countByType(entities: readonly Entity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entities) out.set(e.type, (out.get(e.type) ?? 0) + 1);
  return out;
}
