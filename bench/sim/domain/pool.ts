// Seeded bookkeeping of the pool (pure): the evaluation hold-out, the per-round score subsample and
// derived seeds. Every draw is a function of its seed only, so strategies of one seed share them.
import { seededRandom } from '@zhner/core';

/** A 32-bit seed derived from several parts (FNV-1a of their text), e.g. mixSeed(seed, round, 'score'). */
export function mixSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join(':')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Indices 0..n-1 drawn without replacement: `k` of them (all when k ≥ n), in draw order. */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, take);
}

/**
 * Splits `docs` into a seeded hold-out of `n` documents and the rest, both in input order. Documents
 * of the rest whose key (e.g. the dedup text hash) equals a held-out document's are dropped too, so
 * no evaluation text can be selected under another id. Throws RangeError when n ≥ docs.length.
 */
export function holdOut<T>(docs: readonly T[], n: number, seed: number, key: (d: T) => string): { heldOut: T[]; rest: T[]; droppedAsDuplicates: number } {
  if (n >= docs.length) throw new RangeError(`cannot hold out ${n} of ${docs.length} documents: nothing would be left to select from`);
  const chosen = new Set(sampleIndices(docs.length, n, seed));
  const heldOut = docs.filter((_, i) => chosen.has(i));
  const keys = new Set(heldOut.map(key));
  const rest: T[] = [];
  let dropped = 0;
  docs.forEach((d, i) => {
    if (chosen.has(i)) return;
    if (keys.has(key(d))) dropped++;
    else rest.push(d);
  });
  return { heldOut, rest, droppedAsDuplicates: dropped };
}

/**
 * The documents of the pool scored in one round: a seeded sample of `size` pool positions (the same
 * for every strategy of a seed and round), minus those the strategy has labelled already. size 0 =
 * the whole pool. Returned in pool order.
 */
export function roundCandidates<T>(pool: readonly T[], size: number, seed: number, isLabelled: (d: T) => boolean): T[] {
  const positions = size > 0 && size < pool.length ? sampleIndices(pool.length, size, seed).sort((a, b) => a - b) : pool.map((_, i) => i);
  return positions.map((i) => pool[i]).filter((d) => !isLabelled(d));
}

/**
 * The pool minus every document the base model was trained on: those whose id is in `trainedIds`
 * and those whose key (the dedup text hash) equals a trained document's — a model that has seen a
 * sentence's labels would be handed them again by the simulation. Both lists keep input order.
 */
export function excludeTrained<T>(docs: readonly T[], trainedIds: ReadonlySet<string>, id: (d: T) => string, key: (d: T) => string): { rest: T[]; excludedById: number; excludedBySameText: number } {
  const trainedKeys = new Set(docs.filter((d) => trainedIds.has(id(d))).map(key));
  const rest: T[] = [];
  let byId = 0;
  let byText = 0;
  for (const d of docs) {
    if (trainedIds.has(id(d))) byId++;
    else if (trainedKeys.has(key(d))) byText++;
    else rest.push(d);
  }
  return { rest, excludedById: byId, excludedBySameText: byText };
}

/**
 * Splits `docs` into the documents listed by `ids` (the evaluation set, input order) and the rest,
 * minus documents with the key of a listed one (as holdOut does). Throws RangeError when no
 * document is listed.
 */
export function splitByIds<T>(docs: readonly T[], ids: ReadonlySet<string>, id: (d: T) => string, key: (d: T) => string): { heldOut: T[]; rest: T[]; droppedAsDuplicates: number } {
  const heldOut = docs.filter((d) => ids.has(id(d)));
  if (heldOut.length === 0) throw new RangeError('no document of the pool has an id of the evaluation id file');
  const keys = new Set(heldOut.map(key));
  const rest: T[] = [];
  let dropped = 0;
  for (const d of docs) {
    if (ids.has(id(d))) continue;
    if (keys.has(key(d))) dropped++;
    else rest.push(d);
  }
  return { heldOut, rest, droppedAsDuplicates: dropped };
}

/**
 * Why a pool of `remaining` selectable documents (after the evaluation hold-out and excludeTrained)
 * cannot run `rounds` rounds of `batch` labels, or null when it can; `source` says where the
 * base model's training ids came from.
 */
export function poolShortfall(rounds: number, batch: number, remaining: number, source: string): string | null {
  const needed = rounds * batch;
  return needed > remaining ? `--rounds ${rounds} × --batch ${batch} = ${needed} labels, but only ${remaining} pool sentences are unseen by the base model (${source})` : null;
}
