// Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering") with k-means++ seeding.
// Deterministic for a given seed: every random choice comes from one seeded generator.
import { errors } from '../errors';
import { randomInt, seededRandom } from '@zhner/core';
import { squaredDistance, type Vector } from './vectors';

export const KMEANS = 'sampler.kmeans.v1';

export interface KMeansOptions {
  /** Seed of the generator (k-means++ seeding and mini-batch sampling). Default 42. */
  seed?: number;
  /** Points sampled per iteration (with replacement). Default 64; capped at the number of points. */
  batchSize?: number;
  /** Mini-batch iterations. Default 50. */
  iterations?: number;
}

export interface KMeansResult {
  /** Cluster centres (k_eff of them, k_eff = min(k, number of distinct points)). */
  centroids: number[][];
  /** Cluster index of each input vector, in input order. */
  assignments: number[];
  /** Sum of squared distances of the points to their centroid. */
  inertia: number;
}

function nearest(v: Vector, centroids: readonly Vector[]): { index: number; d2: number } {
  let index = 0;
  let d2 = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(v, centroids[c]);
    if (d < d2) {
      d2 = d;
      index = c;
    }
  }
  return { index, d2 };
}

/** k-means++: the first centre uniformly, each next one with probability ∝ squared distance to the nearest chosen centre. */
function seedCentroids(vectors: readonly Vector[], k: number, random: () => number): number[][] {
  const centroids: number[][] = [[...vectors[randomInt(random, vectors.length)]]];
  const d2 = vectors.map((v) => squaredDistance(v, centroids[0]));
  while (centroids.length < k) {
    const total = d2.reduce((a, b) => a + b, 0);
    if (total === 0) break; // every point coincides with a centre: fewer distinct points than k
    let r = random() * total;
    let pick = d2.length - 1;
    for (let i = 0; i < d2.length; i++) {
      r -= d2[i];
      if (r < 0 && d2[i] > 0) {
        pick = i;
        break;
      }
    }
    while (d2[pick] === 0) pick--; // float rounding at the end of the scan
    const c = [...vectors[pick]];
    centroids.push(c);
    for (let i = 0; i < vectors.length; i++) d2[i] = Math.min(d2[i], squaredDistance(vectors[i], c));
  }
  return centroids;
}

/**
 * Clusters `vectors` into at most `k` groups. Each iteration samples a mini-batch, assigns it to
 * the nearest centres and moves each centre towards its points with a per-centre learning rate
 * 1/count (so a centre is the running mean of the points it has seen). Finally every point is
 * assigned to its nearest centre and each non-empty centre becomes the mean of its members (one
 * full Lloyd update, so returned centroids describe the returned clusters).
 *
 * Euclidean; for cosine clustering pass unit vectors. Returns empty results for no vectors. Throws
 * ValidationError when k < 1 or the vectors differ in dimension.
 */
export function miniBatchKMeans(vectors: readonly Vector[], k: number, opts: KMeansOptions = {}): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw errors.create('KMEANS_BAD_K', { field: 'k', k });
  if (vectors.length === 0) return { centroids: [], assignments: [], inertia: 0 };
  const dim = vectors[0].length;
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw errors.create('KMEANS_MIXED_DIMENSIONS', { field: `vectors[${i}]`, index: i, dimension: v.length, expected: dim });
  });
  const random = seededRandom(opts.seed ?? 42);
  const iterations = opts.iterations ?? 50;
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 64, vectors.length));
  const centroids = seedCentroids(vectors, Math.min(k, vectors.length), random);
  const counts = centroids.map(() => 0);

  for (let it = 0; it < iterations; it++) {
    const batch = Array.from({ length: batchSize }, () => vectors[randomInt(random, vectors.length)]);
    // assign the whole batch against the centres as they were at the start of the iteration
    const nearestOf = batch.map((v) => nearest(v, centroids).index);
    batch.forEach((v, b) => {
      const c = nearestOf[b];
      counts[c]++;
      const eta = 1 / counts[c];
      const centre = centroids[c];
      for (let d = 0; d < dim; d++) centre[d] = (1 - eta) * centre[d] + eta * v[d];
    });
  }

  const assignments = vectors.map((v) => nearest(v, centroids).index);
  const sums = centroids.map(() => new Array<number>(dim).fill(0));
  const members = centroids.map(() => 0);
  vectors.forEach((v, i) => {
    const c = assignments[i];
    members[c]++;
    for (let d = 0; d < dim; d++) sums[c][d] += v[d];
  });
  centroids.forEach((centre, c) => {
    if (members[c] > 0) for (let d = 0; d < dim; d++) centre[d] = sums[c][d] / members[c];
  });
  const inertia = vectors.reduce((s, v, i) => s + squaredDistance(v, centroids[assignments[i]]), 0);
  return { centroids, assignments, inertia };
}
