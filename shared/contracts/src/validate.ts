// Semantic checks that Avro's type system cannot express. Each throws ValidationError naming the
// field and the bad value; consumers dead-letter the message with that reason.
import { ValidationError, hasLoneSurrogate, spanProblem } from '@zhner/core';
import type { Correction, Entity, EntityEvent, GoldEntity, Prediction, RawText, ReviewCandidate } from './types';

const MAX_ID = 512;

function requireId(value: string, field: string): void {
  if (value.length === 0) throw new ValidationError(`${field} must not be empty`, { field });
  if (value.length > MAX_ID) throw new ValidationError(`${field} is ${value.length} characters long; at most ${MAX_ID}`, { field });
}

export function validateRawText(v: RawText): void {
  requireId(v.id, 'id');
  requireId(v.source, 'source');
  if (v.text.length === 0) throw new ValidationError('text must not be empty', { field: 'text', code: 'EMPTY_TEXT' });
  if (hasLoneSurrogate(v.text)) throw new ValidationError('text holds an unpaired UTF-16 surrogate', { field: 'text', code: 'INVALID_UNICODE' });
}

/**
 * The span rule (@zhner/core spanProblem): inside the text, start < end, whole characters, surface
 * text equal to the slice, a type, no overlaps. @throws ValidationError coded with the rule.
 */
export function validateSpans(text: string, spans: readonly (Entity | GoldEntity)[], field = 'entities', allowOverlap = false, labels?: readonly string[]): void {
  const p = spanProblem(text, spans, { field, allowOverlap, labels });
  if (p) throw new ValidationError(p.message, { field: p.field, code: p.code });
}

export function validateEntityEvent(v: EntityEvent): void {
  requireId(v.docId, 'docId');
  requireId(v.modelVersion, 'modelVersion');
}

export function validatePrediction(v: Prediction): void {
  requireId(v.docId, 'docId');
  requireId(v.modelVersion, 'modelVersion');
  if (v.tokenEntropy.length !== v.tokenCount || v.tokenConfidence.length !== v.tokenCount) {
    throw new ValidationError(`tokenEntropy/tokenConfidence lengths (${v.tokenEntropy.length}/${v.tokenConfidence.length}) differ from tokenCount ${v.tokenCount}`, { field: 'tokenCount' });
  }
  if (v.embedding.some((x) => !Number.isFinite(x))) throw new ValidationError('embedding holds a non-finite value', { field: 'embedding' });
  validateSpans(v.text, v.entities, 'entities');
}

export function validateReviewCandidate(v: ReviewCandidate): void {
  requireId(v.candidateId, 'candidateId');
  requireId(v.docId, 'docId');
  validateSpans(v.text, v.predicted, 'predicted');
}

export function validateCorrection(v: Correction, labelSet?: readonly string[]): void {
  requireId(v.correctionId, 'correctionId');
  requireId(v.docId, 'docId');
  requireId(v.annotator, 'annotator');
  if (v.text.length === 0) throw new ValidationError('text must not be empty', { field: 'text' });
  if (!Number.isInteger(v.revision) || v.revision < 0) throw new ValidationError(`revision ${v.revision} must be a non-negative integer`, { field: 'revision' });
  validateSpans(v.text, v.entities, 'entities', false, labelSet);
}
