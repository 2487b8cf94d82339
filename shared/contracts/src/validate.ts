// Semantic checks that Avro's type system cannot express. Each throws ValidationError naming the
// field and the bad value; consumers dead-letter the message with that reason.
import { ValidationError, hasLoneSurrogate } from '@zhner/core';
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

/** Spans inside the text, start < end, surface text equal to the slice, sorted and non-overlapping. */
export function validateSpans(text: string, spans: readonly (Entity | GoldEntity)[], field = 'entities', allowOverlap = false): void {
  let prevEnd = -1;
  const sorted = [...spans].map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.s.end - b.s.end);
  for (const { s, i } of sorted) {
    const where = `${field}[${i}]`;
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) throw new ValidationError(`${where}: offsets must be integers`, { field: where });
    if (s.start < 0 || s.end > text.length) throw new ValidationError(`${where}: span [${s.start},${s.end}) lies outside the text (length ${text.length})`, { field: where });
    if (s.start >= s.end) throw new ValidationError(`${where}: start ${s.start} must be < end ${s.end}`, { field: where });
    if (text.slice(s.start, s.end) !== s.text) {
      throw new ValidationError(`${where}: text ${JSON.stringify(s.text)} differs from the slice ${JSON.stringify(text.slice(s.start, s.end))} at [${s.start},${s.end})`, { field: where });
    }
    if (s.type.length === 0) throw new ValidationError(`${where}: type must not be empty`, { field: where });
    if (!allowOverlap && s.start < prevEnd) throw new ValidationError(`${where}: span [${s.start},${s.end}) overlaps the previous span ending at ${prevEnd}`, { field: where });
    prevEnd = Math.max(prevEnd, s.end);
  }
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
  validateSpans(v.text, v.entities, 'entities');
  if (labelSet) {
    v.entities.forEach((e, i) => {
      if (!labelSet.includes(e.type)) {
        throw new ValidationError(`entities[${i}]: type ${JSON.stringify(e.type)} is not in the label set (${labelSet.join(', ')})`, { field: `entities[${i}]` });
      }
    });
  }
}
