// Building the two output events of a tagged document. Pure.
import type { EntityEvent, Prediction, RawText } from '@zhner/contracts';
import type { DocPrediction } from './prediction';

/** One tagged document as it leaves the batcher. */
export interface TaggedDoc {
  prediction: DocPrediction;
  /** Version of the model that produced `prediction`. */
  modelVersion: string;
  labels: readonly string[];
  /** sha256 hex of the exact text (UTF-8). */
  textSha256: string;
  queueMs: number;
  inferenceMs: number;
  cached: boolean;
}

export interface EventContext {
  replicaId: string;
  /** When the tagger received the document (epoch ms, performance clock offsets allowed). */
  receivedAtMs: number;
  nowMs: number;
}

const f32 = (x: number): number => (Number.isFinite(x) ? x : 0);

export function entityEventOf(doc: RawText, t: TaggedDoc, ctx: EventContext): EntityEvent {
  return {
    docId: doc.id,
    source: doc.source,
    modelVersion: t.modelVersion,
    textSha256: t.textSha256,
    textLength: doc.text.length,
    entities: t.prediction.entities,
    timings: { queueMs: t.queueMs, inferenceMs: t.inferenceMs, totalMs: Math.max(0, ctx.nowMs - ctx.receivedAtMs) },
    taggedAt: Math.round(ctx.nowMs),
    replicaId: ctx.replicaId,
  };
}

export function predictionEventOf(doc: RawText, t: TaggedDoc, nowMs: number): Prediction {
  const p = t.prediction;
  return {
    docId: doc.id,
    source: doc.source,
    text: doc.text,
    modelVersion: t.modelVersion,
    labels: [...t.labels],
    tokenCount: p.tokenCount,
    tokenEntropy: p.tokenEntropy,
    tokenConfidence: p.tokenConfidence,
    meanEntropy: f32(p.meanEntropy),
    maxEntropy: f32(p.maxEntropy),
    bestPathLogProb: f32(p.bestPathLogProb),
    entityMinMarginal: p.entityMinMarginal,
    entities: p.entities,
    embedding: p.embedding,
    predictedAt: Math.round(nowMs),
  };
}

/** Rough Avro size of a prediction event in bytes (floats are 4 bytes; strings UTF-8, ≤3 bytes per unit). */
export function predictionSizeEstimate(textLength: number, t: TaggedDoc): number {
  const p = t.prediction;
  return 256 + textLength * 3 + p.tokenCount * 8 + p.embedding.length * 4 + p.entities.length * 48;
}

/**
 * Splits `items` into consecutive chunks whose estimated sizes stay under `maxBytes` (an item
 * larger than that goes alone). Keeps each produce request well under the broker's message size
 * limit (message.max.bytes, 1 MiB by default).
 */
export function chunkBySize<T>(items: readonly T[], size: (item: T) => number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const b = size(item);
    if (cur.length > 0 && bytes + b > maxBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
