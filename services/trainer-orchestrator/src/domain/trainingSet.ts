// The training-set builder: new corrections mixed with replayed original in-domain sentences so
// that new data is at most `cap` (default 15%) of what the model is fine-tuned on. Replay is what
// keeps a fine-tuned model from forgetting the domain it was built for (catastrophic forgetting);
// the cap keeps a burst of corrections of one kind from dominating an update.
//
// THE RULE (pure: same inputs and seed → same output, no I/O):
//  1. New examples are deduplicated by text hash (`textHash`: dedup-normalised sha256); the first
//     occurrence in input order wins, so callers pass them in priority order.
//  2. The replay pool is reduced to the *eligible* sentences: a sentence is dropped when its text
//     hash equals a new example's or one of `excludeTextHashes` (e.g. the correction hold-out),
//     and duplicate pool texts keep their first occurrence.
//  3. For n new examples the replay count is k(n) = ceil(n·(1−cap)/cap), the smallest k with
//     n / (n + k) ≤ cap. It is computed in integers (cap taken to 6 decimals), so the share never
//     exceeds the cap by a rounding error.
//  4. If the eligible pool holds fewer than k(n) sentences, new data is trimmed instead of the cap
//     being broken: n becomes the largest n' with k(n') ≤ pool size, and the examples after the
//     first n' are returned as `deferred` (the next run picks them up).
//  5. k(n') replay sentences are drawn uniformly without replacement from the eligible pool with
//     a generator seeded by `seed`; the set (new + replay) is then shuffled with the same generator.
import { textHash as defaultTextHash } from '@zhner/core';
import type { CorpusExample } from '@zhner/core';
import { sampleWithoutReplacement, seededRandom, shuffled } from '@zhner/core';

export const DEFAULT_NEW_DATA_CAP = 0.15;
const CAP_SCALE = 1_000_000;

export interface TrainingSetInput {
  /** Corrections converted to corpus examples (code-point offsets), in priority order. */
  newExamples: readonly CorpusExample[];
  /** Original in-domain training sentences to replay. */
  replayPool: readonly CorpusExample[];
  /** Largest share of new examples in the result, in (0, 1]. Default 0.15. */
  cap?: number;
  /** Seed of the replay sample and the final shuffle. */
  seed: number | string;
  /** Further text hashes no replay sentence may have (e.g. the hold-out corrections). */
  excludeTextHashes?: Iterable<string>;
  /** Dedup key of a text. Default `textHash` from @zhner/kit. */
  textHash?: (text: string) => string;
}

export interface TrainingSetStats {
  /** New examples in the set. */
  nNew: number;
  /** Replayed sentences in the set. */
  nReplay: number;
  /** nNew / (nNew + nReplay); 0 for an empty set. Never above `cap`. */
  share: number;
  cap: number;
  /** New examples offered, duplicates dropped by text hash, deferred for lack of replay. */
  nNewOffered: number;
  nNewDuplicates: number;
  nNewDeferred: number;
  /** Replay pool size, sentences excluded (same text as a correction / exclusion list / pool duplicate), eligible. */
  replayPoolSize: number;
  replayExcluded: number;
  replayEligible: number;
  seed: string;
}

export interface TrainingSet {
  /** New and replayed examples, shuffled. */
  examples: CorpusExample[];
  newExamples: CorpusExample[];
  replayExamples: CorpusExample[];
  /** New examples left out because the replay pool was too small to keep the cap (rule 4). */
  deferred: CorpusExample[];
  stats: TrainingSetStats;
}

function capUnits(cap: number): number {
  if (!(cap > 0 && cap <= 1)) throw new RangeError(`cap must be in (0, 1], got ${cap}`);
  return Math.max(1, Math.round(cap * CAP_SCALE));
}

/** k(n) = ceil(n·(1−cap)/cap): replay sentences needed so that n new examples stay within the cap. */
export function replayCountFor(nNew: number, cap: number = DEFAULT_NEW_DATA_CAP): number {
  const c = capUnits(cap);
  if (!Number.isInteger(nNew) || nNew < 0) throw new RangeError(`nNew must be a non-negative integer, got ${nNew}`);
  return Math.ceil((nNew * (CAP_SCALE - c)) / c);
}

/** The largest n with replayCountFor(n) ≤ pool (how many new examples a pool of that size can carry). */
export function maxNewFor(pool: number, cap: number = DEFAULT_NEW_DATA_CAP): number {
  const c = capUnits(cap);
  if (c === CAP_SCALE) return Number.MAX_SAFE_INTEGER;
  // k(n) ≤ pool  ⇔  n·(S−c) ≤ pool·c  (k(n) is the ceiling of n·(S−c)/c)
  return Math.floor((pool * c) / (CAP_SCALE - c));
}

/** Builds a training set under the new-data cap (see the rule at the top of this file). Pure. */
export function buildTrainingSet(input: TrainingSetInput): TrainingSet {
  const cap = input.cap ?? DEFAULT_NEW_DATA_CAP;
  capUnits(cap);
  const hash = input.textHash ?? defaultTextHash;

  const seenNew = new Set<string>();
  const unique: CorpusExample[] = [];
  for (const ex of input.newExamples) {
    const h = hash(ex.text);
    if (seenNew.has(h)) continue;
    seenNew.add(h);
    unique.push(ex);
  }

  const excluded = new Set<string>(seenNew);
  for (const h of input.excludeTextHashes ?? []) excluded.add(h);
  const eligible: CorpusExample[] = [];
  for (const ex of input.replayPool) {
    const h = hash(ex.text);
    if (excluded.has(h)) continue;
    excluded.add(h); // a duplicate pool text keeps its first occurrence only
    eligible.push(ex);
  }

  const nNew = Math.min(unique.length, maxNewFor(eligible.length, cap));
  const newExamples = unique.slice(0, nNew);
  const deferred = unique.slice(nNew);
  const random = seededRandom(String(input.seed));
  const replayExamples = sampleWithoutReplacement(eligible, replayCountFor(nNew, cap), random);
  const examples = shuffled([...newExamples, ...replayExamples], random);
  const total = newExamples.length + replayExamples.length;
  return {
    examples,
    newExamples,
    replayExamples,
    deferred,
    stats: {
      nNew: newExamples.length,
      nReplay: replayExamples.length,
      share: total === 0 ? 0 : newExamples.length / total,
      cap,
      nNewOffered: input.newExamples.length,
      nNewDuplicates: input.newExamples.length - unique.length,
      nNewDeferred: deferred.length,
      replayPoolSize: input.replayPool.length,
      replayExcluded: input.replayPool.length - eligible.length,
      replayEligible: eligible.length,
      seed: String(input.seed),
    },
  };
}
