// What the model says about one document: the fields the tagger's events need. The runtime
// (@zhner/model) cuts documents into segments and merges their predictions; the tagger only
// batches segments (adapters/documents.ts changes the runtime's shape into this one).
import type { Entity } from '@zhner/contracts';

/** A model's output for one document. */
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

/** Entities per type, for metrics. */
export function countByType(entities: readonly Entity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entities) out.set(e.type, (out.get(e.type) ?? 0) + 1);
  return out;
}
