// Which corrections train the model: the hold-out split and the one active correction per text.
import type { CorrectionOrigin } from '@zhner/contracts';
import { stableFraction } from '@zhner/core';

export type Split = 'train' | 'holdout';

/**
 * The split of a text, stable forever: a second sha256 over the text hash (salted so it is
 * independent of other uses of the hash) is read as a number in [0, 1); below `share` = hold-out.
 * Every correction of one text lands in the same split, so the hold-out never leaks into training.
 */
export function splitOf(textHash: string, share: number, salt = 'holdout.v1'): Split {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`hold-out share must be in [0, 1], got ${share}`);
  const bucket = stableFraction(`${salt}:${textHash}`);
  return bucket < share ? 'holdout' : 'train';
}

/** One stored correction of a text, as far as choosing the active one is concerned. */
export interface CorrectionVersion {
  correctionId: string;
  annotator: string;
  origin: CorrectionOrigin | string;
  revision: number;
  /** When the correction was made (Correction.createdAt), epoch ms. */
  correctedAt: number;
}

function newer(a: CorrectionVersion, b: CorrectionVersion): boolean {
  if (a.correctedAt !== b.correctedAt) return a.correctedAt > b.correctedAt;
  return a.correctionId > b.correctionId; // deterministic tie-break
}

/**
 * The correction of one text that trains the model; the others are superseded.
 *  1. An adjudication (origin ADJUDICATION) wins over annotators' corrections; among several, the
 *     most recent one.
 *  2. Otherwise each annotator's highest revision supersedes their earlier ones (equal revisions:
 *     the more recent), and among the annotators the most recently made correction wins (one
 *     example per text: two conflicting golds of the same sentence would teach noise).
 * Returns undefined for an empty list.
 */
export function chooseActive(versions: readonly CorrectionVersion[]): CorrectionVersion | undefined {
  const adjudications = versions.filter((v) => v.origin === 'ADJUDICATION');
  if (adjudications.length > 0) return adjudications.reduce((best, v) => (newer(v, best) ? v : best));
  const latestByAnnotator = new Map<string, CorrectionVersion>();
  for (const v of versions) {
    const cur = latestByAnnotator.get(v.annotator);
    if (!cur || v.revision > cur.revision || (v.revision === cur.revision && newer(v, cur))) latestByAnnotator.set(v.annotator, v);
  }
  let best: CorrectionVersion | undefined;
  for (const v of latestByAnnotator.values()) if (!best || newer(v, best)) best = v;
  return best;
}
