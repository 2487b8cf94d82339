// Semantic checks that Avro's type system cannot express. Each throws ValidationError naming the
// field and the bad value; consumers dead-letter the message with that reason.
import { ValidationError, spanProblem, textPolicyViolation } from '@zhner/core';
import type { Correction, Entity, EntityEvent, GoldEntity, Prediction, RawText, ReviewCandidate } from './types';

const MAX_ID = 512;

function requireId(value: string, field: string): void {
  if (value.length === 0) throw new ValidationError(`${field} must not be empty`, { field });
  if (value.length > MAX_ID) throw new ValidationError(`${field} is ${value.length} characters long; at most ${MAX_ID}`, { field });
  // ids become keys and PostgreSQL columns downstream (text columns refuse NUL): the text policy
  const v = textPolicyViolation(value);
  if (v) throw new ValidationError(`${field} ${v.message}`, { field, code: v.code, context: { at: v.at } });
}

/**
 * The platform's text policy (@zhner/core textPolicy: no lone surrogates, no NUL or other C0 control
 * but \t \n \r) for a text that will be tagged or stored, plus emptiness and an optional maximum
 * length (UTF-16 code units). The same codes at every entry point: Kafka, POST /ner, the studio.
 * @throws ValidationError coded EMPTY_TEXT, TEXT_TOO_LONG, INVALID_UNICODE or CONTROL_CHARACTER.
 */
export function validateText(text: string, field = 'text', maxLength?: number): void {
  if (text.length === 0) throw new ValidationError(`${field} must not be empty`, { field, code: 'EMPTY_TEXT' });
  if (maxLength !== undefined && text.length > maxLength) {
    throw new ValidationError(`${field} is ${text.length} characters long; the limit is ${maxLength}`, { field, code: 'TEXT_TOO_LONG', context: { length: text.length, limit: maxLength } });
  }
  const v = textPolicyViolation(text);
  if (v) throw new ValidationError(`${field} ${v.message}`, { field, code: v.code, context: { at: v.at } });
}

export function validateRawText(v: RawText): void {
  requireId(v.id, 'id');
  requireId(v.source, 'source');
  validateText(v.text);
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
  validateText(v.text);
  if (!Number.isInteger(v.revision) || v.revision < 0) throw new ValidationError(`revision ${v.revision} must be a non-negative integer`, { field: 'revision' });
  validateSpans(v.text, v.entities, 'entities', false, labelSet);
  if (v.labelSet != null) {
    if (!Array.isArray(v.labelSet) || v.labelSet.some((t) => typeof t !== 'string' || t === '')) throw new ValidationError('labelSet must be a list of type names', { field: 'labelSet' });
    // a correction cannot mark a type its annotator was not offered
    const offered = new Set(v.labelSet);
    const outside = v.entities.find((e) => !offered.has(e.type));
    if (outside) throw new ValidationError(`entity type ${JSON.stringify(outside.type)} is not in the correction's labelSet [${v.labelSet.join(', ')}]`, { field: 'labelSet', code: 'TYPE_NOT_OFFERED' });
  }
}

/** Body keys that name a location: refused (PATH_REFUSED) wherever a model is referenced. */
const PATH_KEYS = ['modelUri', 'previousUri', 'path', 'dir', 'modelDir'];

/**
 * Model references are registry versions, never paths: a body naming a location is refused before
 * anything else looks at it (a fastify preValidation hook of every model route).
 * @throws ValidationError PATH_REFUSED
 */
export function refuseModelPaths(body: unknown): void {
  const key = body && typeof body === 'object' ? PATH_KEYS.find((k) => k in body) : undefined;
  if (key) throw new ValidationError('model references are registry versions, never paths: send {"modelVersion": "<registered version>"}', { code: 'PATH_REFUSED', field: `body.${key}` });
}
