// The runtime's document predictions in the form the tagger's events carry. The runtime plans and
// merges documents (@zhner/model planDocument / mergeDocument); this is only the change of shape
// (typed arrays to plain arrays for Avro), in one place for every engine.
import { mergeDocument, type DocumentPlan, type DocumentPrediction, type SegmentResult } from '@zhner/model';
import type { Entity } from '@zhner/contracts';
import type { DocPrediction } from '../domain/prediction';

export function toDocPrediction(d: DocumentPrediction): DocPrediction {
  // mergeDocument builds fresh arrays and entity objects for every document: handed on, not copied
  return {
    entities: d.entities as Entity[],
    tokenCount: d.tokens,
    tokenEntropy: d.tokenEntropy as number[],
    tokenConfidence: d.tokenConfidence as number[],
    meanEntropy: d.meanEntropy,
    maxEntropy: d.maxEntropy,
    bestPathLogProb: d.bestPathLogProb,
    entityMinMarginal: d.entityMinMarginal,
    embedding: Array.from(d.embedding),
  };
}

/** A document's prediction from its plan and its segments' results (the runtime's merge). */
export function mergeToDoc(plan: DocumentPlan, results: readonly SegmentResult[], modelVersion: string): DocPrediction {
  return toDocPrediction(mergeDocument(plan, results, { modelVersion }));
}
