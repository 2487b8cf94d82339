// Choosing which documents of a window go to annotators. A chain of small steps:
//   gate (average confidence below the threshold) → dedupe (normalised-text hash) → cluster
//   (mini-batch k-means on unit embeddings) → novelty (cosine distance to the nearest labelled
//   document) → priority → rank → cap per cluster → budget.
// Pure and deterministic for a given seed: the active-learning simulation calls it directly.
import { errors } from '../errors';
import { KMEANS, miniBatchKMeans } from './kmeans';
import { seededRandom } from '@zhner/core';
import { MNLP, SCORE_NAMES, isScoreName, passesGate, type ScoreName, type Scores } from './scores';
import { nearestCosineDistance, normalize, type Vector } from './vectors';

/** Rank by uncertainty, at most `perClusterMax` per k-means cluster, novel documents first. */
export const HYBRID = 'sampler.hybrid.v1';
/** Uniformly random choice (seeded): the baseline of active-learning experiments. */
export const RANDOM = 'sampler.random.v1';

/** Selection strategies: a score name (top-`budget` by that score alone), hybrid or random. */
export const STRATEGY_NAMES = [...SCORE_NAMES, HYBRID, RANDOM] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export function isStrategyName(name: string): name is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(name);
}

/** A scored document as selection sees it. */
export interface SelectableDoc {
  readonly id: string;
  /** Every uncertainty score by name (see `computeScores`). */
  readonly scores: Scores;
  /** Sentence embedding; compared by cosine. May be empty (no diversity information). */
  readonly embedding: Vector;
  /** Dedup key of the text (`textHash` from @zhner/kit); documents without one are never duplicates. */
  readonly textHash?: string;
  /** Mean token confidence; needed only when `confidenceThreshold` is set. */
  readonly averageConfidence?: number;
}

export interface SelectionOptions {
  /** Which strategy. */
  strategy: StrategyName;
  /** Most documents selected. */
  budget: number;
  /** The uncertainty score hybrid and random rank/report by. Default sampler.mnlp.v1. */
  baseScore?: ScoreName;
  /** Clusters for hybrid (k of k-means; fewer when there are fewer documents). Default 8. */
  k?: number;
  /** Most documents selected from one cluster (hybrid). Default 3. */
  perClusterMax?: number;
  /** Embeddings of already-labelled documents (novelty, hybrid). Default none. */
  labelledEmbeddings?: readonly Vector[];
  /**
   * Weight w in [0, 1] of novelty in the hybrid priority: priority = score · (1 − w + w · novelty),
   * novelty = cosine distance to the nearest labelled document clipped to [0, 1]. Default 0.5.
   */
  noveltyWeight?: number;
  /** Seed for k-means and random. Default 42. */
  seed?: number;
  /** Mini-batch k-means settings. Defaults: batch 64, 50 iterations. */
  kmeans?: { batchSize?: number; iterations?: number };
  /** When set, documents whose averageConfidence is not below it are gated out first. */
  confidenceThreshold?: number;
}

export interface Selected<T extends SelectableDoc> {
  readonly doc: T;
  /** 0 = first in line. */
  readonly rank: number;
  /** What the queue is ordered by (higher = review sooner). */
  readonly priority: number;
  /** The base score (pure strategies: the strategy's own score). */
  readonly score: number;
  /** k-means cluster within this window (hybrid), else null. */
  readonly cluster: number | null;
  /** Cosine distance to the nearest labelled document of the same dimension; null when there is none. */
  readonly novelty: number | null;
}

export interface SelectionResult<T extends SelectableDoc> {
  readonly strategy: StrategyName;
  readonly selected: Selected<T>[];
  /** Documents that failed the confidence gate. */
  readonly gatedOut: T[];
  /** Later copies of a text already in the input (same textHash); the most uncertain copy is kept. */
  readonly duplicates: T[];
  /** Clusters formed (hybrid), else 0. */
  readonly clusters: number;
}

interface Resolved {
  strategy: StrategyName;
  budget: number;
  baseScore: ScoreName;
  k: number;
  perClusterMax: number;
  noveltyWeight: number;
  seed: number;
  kmeans: { batchSize?: number; iterations?: number };
}

function resolve(opts: SelectionOptions): Resolved {
  const problems: string[] = [];
  if (!isStrategyName(opts.strategy)) problems.push(`strategy ${JSON.stringify(opts.strategy)} is unknown; one of ${STRATEGY_NAMES.join(', ')}`);
  const baseScore = opts.baseScore ?? MNLP;
  if (!isScoreName(baseScore)) problems.push(`baseScore ${JSON.stringify(baseScore)} is unknown; one of ${SCORE_NAMES.join(', ')}`);
  if (!Number.isInteger(opts.budget) || opts.budget < 0) problems.push(`budget ${opts.budget} must be an integer >= 0`);
  const k = opts.k ?? 8;
  if (!Number.isInteger(k) || k < 1) problems.push(`k ${k} must be an integer >= 1`);
  const perClusterMax = opts.perClusterMax ?? 3;
  if (!Number.isInteger(perClusterMax) || perClusterMax < 1) problems.push(`perClusterMax ${perClusterMax} must be an integer >= 1`);
  const noveltyWeight = opts.noveltyWeight ?? 0.5;
  if (!(noveltyWeight >= 0 && noveltyWeight <= 1)) problems.push(`noveltyWeight ${noveltyWeight} must lie in [0, 1]`);
  if (problems.length) throw errors.create('SELECTION_OPTIONS_INVALID', { field: 'options', problems });
  return { strategy: opts.strategy, budget: opts.budget, baseScore, k, perClusterMax, noveltyWeight, seed: opts.seed ?? 42, kmeans: opts.kmeans ?? {} };
}

/** Scores are compared first, then ids, so equal scores never depend on input order. */
function byPriority<T extends { priority: number; score: number; doc: SelectableDoc }>(a: T, b: T): number {
  return b.priority - a.priority || b.score - a.score || (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0);
}

/** Splits `docs` into those below the confidence threshold and the rest. */
export function gateByConfidence<T extends SelectableDoc>(docs: readonly T[], threshold: number): { kept: T[]; gatedOut: T[] } {
  const kept: T[] = [];
  const gatedOut: T[] = [];
  for (const d of docs) {
    if (d.averageConfidence === undefined) throw errors.create('CONFIDENCE_MISSING', { field: 'averageConfidence', docId: d.id });
    (passesGate(d.averageConfidence, threshold) ? kept : gatedOut).push(d);
  }
  return { kept, gatedOut };
}

/** Keeps one document per textHash: the most uncertain under `score` (ties: the first). */
export function dedupeByTextHash<T extends SelectableDoc>(docs: readonly T[], score: ScoreName): { kept: T[]; duplicates: T[] } {
  const best = new Map<string, T>();
  const duplicates: T[] = [];
  for (const d of docs) {
    if (d.textHash === undefined) continue;
    const prior = best.get(d.textHash);
    if (!prior) best.set(d.textHash, d);
    else if (d.scores[score] > prior.scores[score]) {
      duplicates.push(prior);
      best.set(d.textHash, d);
    } else duplicates.push(d);
  }
  const dup = new Set(duplicates);
  return { kept: docs.filter((d) => !dup.has(d)), duplicates };
}

/**
 * Novelty of each document: cosine distance to the nearest labelled embedding of the same
 * dimension, or null when there is none (no labelled data yet, or a different embedding model).
 */
export function noveltyOf(docs: readonly SelectableDoc[], labelled: readonly Vector[]): (number | null)[] {
  const byDim = new Map<number, number[][]>();
  for (const l of labelled) {
    if (l.length === 0) continue;
    const list = byDim.get(l.length) ?? [];
    list.push(normalize(l));
    byDim.set(l.length, list);
  }
  return docs.map((d) => (d.embedding.length === 0 ? null : (nearestCosineDistance(d.embedding, byDim.get(d.embedding.length) ?? []) ?? null)));
}

/**
 * k-means clusters of the documents' unit embeddings (so Euclidean k-means groups by cosine).
 * Documents are clustered per embedding dimension (a window may mix model versions); each group
 * gets its own cluster ids. Documents without an embedding share one cluster.
 */
export function clusterDocuments(docs: readonly SelectableDoc[], k: number, opts: { seed?: number; batchSize?: number; iterations?: number } = {}): { clusters: number[]; count: number } {
  const clusters = new Array<number>(docs.length).fill(-1);
  const groups = new Map<number, number[]>();
  docs.forEach((d, i) => groups.set(d.embedding.length, [...(groups.get(d.embedding.length) ?? []), i]));
  let next = 0;
  for (const dim of [...groups.keys()].sort((a, b) => a - b)) {
    const idx = groups.get(dim)!;
    if (dim === 0) {
      for (const i of idx) clusters[i] = next;
      next++;
      continue;
    }
    const { centroids, assignments } = miniBatchKMeans(idx.map((i) => normalize(docs[i].embedding)), k, opts);
    idx.forEach((i, j) => (clusters[i] = next + assignments[j]));
    next += centroids.length;
  }
  return { clusters, count: next };
}

/**
 * Picks at most `budget` documents of a window. Strategies:
 * - a score name (e.g. `sampler.entropy.v1`): the `budget` highest by that score; priority = score.
 * - `sampler.hybrid.v1`: priority = baseScore · (1 − w + w · novelty) (novelty factor 1 without
 *   labelled data), ranked by priority, at most `perClusterMax` per k-means cluster. The cap is
 *   strict: a window whose clusters cannot fill the budget yields fewer documents.
 * - `sampler.random.v1`: a seeded uniform choice; priority = the random draw.
 * Gate (when `confidenceThreshold` is set) and dedupe by textHash run first for every strategy.
 * Throws ValidationError on invalid options.
 */
export function selectCandidates<T extends SelectableDoc>(docs: readonly T[], options: SelectionOptions): SelectionResult<T> {
  const o = resolve(options);
  let pool: T[] = [...docs];
  let gatedOut: T[] = [];
  if (options.confidenceThreshold !== undefined) ({ kept: pool, gatedOut } = gateByConfidence(pool, options.confidenceThreshold));
  const rankScore: ScoreName = isScoreName(o.strategy) ? o.strategy : o.baseScore;
  const { kept, duplicates } = dedupeByTextHash(pool, rankScore);
  pool = kept;

  const novelty = noveltyOf(pool, options.labelledEmbeddings ?? []);
  let clusters: (number | null)[] = pool.map(() => null);
  let clusterCount = 0;
  if (o.strategy === HYBRID && pool.length > 0) {
    const c = clusterDocuments(pool, o.k, { seed: o.seed, ...o.kmeans });
    clusters = c.clusters;
    clusterCount = c.count;
  }
  const random = seededRandom(o.seed);
  const ranked = pool
    .map((doc, i) => {
      const score = doc.scores[rankScore];
      const nov = novelty[i];
      let priority = score;
      if (o.strategy === HYBRID && nov !== null) priority = score * (1 - o.noveltyWeight + o.noveltyWeight * Math.min(1, nov));
      if (o.strategy === RANDOM) priority = random();
      return { doc, score, priority, cluster: clusters[i], novelty: nov };
    })
    .sort(byPriority);

  const perCluster = new Map<number, number>();
  const selected: Selected<T>[] = [];
  for (const r of ranked) {
    if (selected.length >= o.budget) break;
    if (r.cluster !== null) {
      const n = perCluster.get(r.cluster) ?? 0;
      if (n >= o.perClusterMax) continue;
      perCluster.set(r.cluster, n + 1);
    }
    selected.push({ ...r, rank: selected.length });
  }
  return { strategy: o.strategy, selected, gatedOut, duplicates, clusters: clusterCount };
}

/** Versioned names of every pure function the sampler exposes (a registry in the spaCy sense). */
export const REGISTRY = { scores: SCORE_NAMES, strategies: STRATEGY_NAMES, clustering: [KMEANS] } as const;
