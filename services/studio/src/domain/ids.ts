// Deterministic ids: a retried request yields the same id, so it is the same correction (the
// corrections table's primary key and the outbox's dedupe key both hold it).
import { sha256Hex } from '@zhner/core';

/** Id of a studio correction, from (candidate id, annotator, revision). */
export function correctionIdFor(candidateId: string, annotatorId: string, revision: number): string {
  return `c-${sha256Hex(`studio\u0000${candidateId}\u0000${annotatorId}\u0000${revision}`).slice(0, 32)}`;
}

/** Id of an adjudication (and of the ADJUDICATION correction it publishes), from (text hash, adjudicator, revision). */
export function adjudicationIdFor(textHash: string, adjudicatorId: string, revision: number): string {
  return `a-${sha256Hex(`adjudication\u0000${textHash}\u0000${adjudicatorId}\u0000${revision}`).slice(0, 32)}`;
}
