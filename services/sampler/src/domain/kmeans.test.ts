import { miniBatchKMeans } from './kmeans';
import { seededRandom } from '@zhner/core';

/** Points of a group must share one cluster and no other group may use it. */
function groupsOf(assignments: number[], sizes: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const n of sizes) {
    const ids = new Set(assignments.slice(i, i + n));
    expect(ids.size).toBe(1);
    out.push([...ids][0]);
    i += n;
  }
  expect(new Set(out).size).toBe(sizes.length);
  return out;
}

describe('miniBatchKMeans', () => {
  it('with k = 1 puts every point in one cluster centred on the mean', () => {
    // the mean of the square's corners is (1, 1); each corner is at squared distance 2 from it
    const r = miniBatchKMeans([[0, 0], [2, 0], [0, 2], [2, 2]], 1, { seed: 7 });
    expect(r.assignments).toEqual([0, 0, 0, 0]);
    expect(r.centroids[0][0]).toBeCloseTo(1, 12);
    expect(r.centroids[0][1]).toBeCloseTo(1, 12);
    expect(r.inertia).toBeCloseTo(8, 12);
  });

  it('separates well-separated groups and centres each on its mean', () => {
    const pts = [[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10], [11, 11]];
    const r = miniBatchKMeans(pts, 2, { seed: 1, batchSize: 4, iterations: 20 });
    const [a, b] = groupsOf(r.assignments, [3, 4]);
    expect(r.centroids[a][0]).toBeCloseTo(1 / 3, 12);
    expect(r.centroids[a][1]).toBeCloseTo(1 / 3, 12);
    expect(r.centroids[b]).toEqual([10.5, 10.5]);
    // (1/9+1/9)+(1/9+4/9)+(4/9+1/9) = 12/9 for the first group, 4 × 0.5 = 2 for the second
    expect(r.inertia).toBeCloseTo(12 / 9 + 2, 12);
  });

  it('finds three 1-D groups', () => {
    const pts = [0, 0.1, 0.2, 5, 5.1, 5.2, 10, 10.1, 10.2].map((x) => [x]);
    const r = miniBatchKMeans(pts, 3, { seed: 3 });
    groupsOf(r.assignments, [3, 3, 3]);
    expect(r.centroids.map((c) => c[0]).sort((x, y) => x - y).map((x) => Number(x.toFixed(9)))).toEqual([0.1, 5.1, 10.1]);
  });

  it('gives every point its own cluster when k >= number of points', () => {
    const r = miniBatchKMeans([[1, 0], [0, 1], [5, 5]], 5);
    expect(new Set(r.assignments).size).toBe(3);
    expect(r.centroids).toHaveLength(3);
    expect(r.inertia).toBe(0);
  });

  it('returns fewer clusters than k when points coincide', () => {
    const r = miniBatchKMeans([[1, 1], [1, 1], [1, 1]], 2);
    expect(r.centroids).toEqual([[1, 1]]);
    expect(r.assignments).toEqual([0, 0, 0]);
  });

  it('is deterministic for a seed', () => {
    const random = seededRandom(99);
    const pts = Array.from({ length: 200 }, () => Array.from({ length: 8 }, () => random()));
    const a = miniBatchKMeans(pts, 6, { seed: 5, batchSize: 16, iterations: 30 });
    const b = miniBatchKMeans(pts, 6, { seed: 5, batchSize: 16, iterations: 30 });
    expect(b).toEqual(a);
    expect(a.centroids).toHaveLength(6);
    expect(new Set(a.assignments).size).toBeLessThanOrEqual(6);
  });

  it('handles no points and rejects a bad k or mixed dimensions', () => {
    expect(miniBatchKMeans([], 3)).toEqual({ centroids: [], assignments: [], inertia: 0 });
    expect(() => miniBatchKMeans([[1]], 0)).toThrow(/k = 0/);
    expect(() => miniBatchKMeans([[1, 2], [1]], 2)).toThrow(/vector 1 has dimension 1/);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(2)()).not.toBe(seededRandom(1)());
  });
});
