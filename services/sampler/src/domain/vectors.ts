// Small vector helpers for embeddings (plain arrays, no dependencies).

export type Vector = readonly number[];

export function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Vector): number {
  return Math.sqrt(dot(a, a));
}

/** The unit vector of `a`; a zero vector stays zero. */
export function normalize(a: Vector): number[] {
  const n = norm(a);
  return n === 0 ? a.map(() => 0) : a.map((x) => x / n);
}

export function squaredDistance(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/**
 * Cosine distance 1 − cos(a, b), in [0, 2]. A zero vector has no direction: its distance to
 * anything is 1 (orthogonal).
 */
export function cosineDistance(a: Vector, b: Vector): number {
  const na = norm(a);
  const nb = norm(b);
  if (na === 0 || nb === 0) return 1;
  return 1 - dot(a, b) / (na * nb);
}

/**
 * Cosine distance from `v` to its nearest neighbour among `unitSet` (vectors ALREADY normalised,
 * of v's dimension); undefined when the set is empty. Linear scan: O(|set| · dim).
 */
export function nearestCosineDistance(v: Vector, unitSet: readonly Vector[]): number | undefined {
  if (unitSet.length === 0) return undefined;
  const nv = norm(v);
  if (nv === 0) return 1;
  let best = -Infinity;
  for (const u of unitSet) {
    const c = dot(v, u) / nv;
    if (c > best) best = c;
  }
  return Math.max(0, 1 - best);
}
