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

/** The annotator of imported gold: one dedicated identity, so a re-import by any admin is the same correction. */
export const IMPORT_ANNOTATOR = 'import';

/**
 * Document id of an imported record: its own id when the file gives one (kept, so an export →
 * import round trip keeps ids), else one derived from the text hash (stable across re-imports).
 */
export function importDocIdFor(id: string | null, textHash: string): string {
  return id ?? `import-${textHash.slice(0, 16)}`;
}

/**
 * Id of an imported correction, from (document id, exact text, entities): importing the same file
 * twice yields the same ids (nothing new is stored or published); changed gold is a new correction.
 */
export function importCorrectionIdFor(docId: string, text: string, entities: ReadonlyArray<{ start: number; end: number; type: string }>): string {
  const key = entities.map((e) => `${e.start}:${e.end}:${e.type}`).join(',');
  return `i-${sha256Hex(`import\u0000${docId}\u0000${text}\u0000${key}`).slice(0, 32)}`;
}
