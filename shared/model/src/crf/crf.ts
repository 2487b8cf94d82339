// Linear-chain CRF inference on one sequence: Viterbi, forward-backward in log space (token
// marginals, log Z), path scores and entropies. Pure functions; emissions are row-major [n * L]
// (a view into the batch output), parameters as exported to crf.json.

export interface CrfParams {
  readonly numLabels: number;
  /** [L * L] row-major: transitions[from * L + to]. */
  readonly transitions: Float64Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
}

/** Validate and pack crf.json ({transitions: number[][], start: number[], end: number[]}). */
export function crfFromJson(raw: unknown, numLabels: number): CrfParams {
  const o = raw as { transitions?: unknown; start?: unknown; end?: unknown };
  const L = numLabels;
  const vec = (v: unknown, name: string): Float64Array => {
    if (!Array.isArray(v) || v.length !== L || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`crf.json: ${name} must be ${L} finite numbers`);
    }
    return Float64Array.from(v as number[]);
  };
  if (!Array.isArray(o.transitions) || o.transitions.length !== L) throw new Error(`crf.json: transitions must be ${L} x ${L}`);
  const T = new Float64Array(L * L);
  (o.transitions as unknown[]).forEach((row, i) => T.set(vec(row, `transitions[${i}]`), i * L));
  return { numLabels: L, transitions: T, start: vec(o.start, 'start'), end: vec(o.end, 'end') };
}

export interface ViterbiResult {
  readonly path: Int32Array;
  /** Unnormalised score of the path (start + transitions + emissions + end). */
  readonly score: number;
}

/** Best label path. `em` holds at least n * L values. n >= 1. */
export function viterbi(em: ArrayLike<number>, n: number, crf: CrfParams): ViterbiResult {
  const L = crf.numLabels;
  const T = crf.transitions;
  let score = new Float64Array(L);
  let next = new Float64Array(L);
  const back = new Int32Array(n * L);
  for (let j = 0; j < L; j++) score[j] = crf.start[j] + em[j];
  for (let t = 1; t < n; t++) {
    for (let j = 0; j < L; j++) {
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < L; i++) {
        const s = score[i] + T[i * L + j];
        if (s > best) {
          best = s;
          arg = i;
        }
      }
      next[j] = best + em[t * L + j];
      back[t * L + j] = arg;
    }
    const tmp = score;
    score = next;
    next = tmp;
  }
  let best = -Infinity;
  let tag = 0;
  for (let j = 0; j < L; j++) {
    const s = score[j] + crf.end[j];
    if (s > best) {
      best = s;
      tag = j;
    }
  }
  const path = new Int32Array(n);
  path[n - 1] = tag;
  for (let t = n - 1; t > 0; t--) {
    tag = back[t * L + tag];
    path[t - 1] = tag;
  }
  return { path, score: best };
}

/** Unnormalised score of a given path. */
export function pathScore(em: ArrayLike<number>, n: number, crf: CrfParams, path: ArrayLike<number>): number {
  const L = crf.numLabels;
  let s = crf.start[path[0]] + em[path[0]];
  for (let t = 1; t < n; t++) s += crf.transitions[path[t - 1] * L + path[t]] + em[t * L + path[t]];
  return s + crf.end[path[n - 1]];
}

export interface ForwardBackwardResult {
  /** log of the partition function. */
  readonly logZ: number;
  /** [n * L] posterior marginals P(y_t = j | x). */
  readonly marginals: Float64Array;
}

const EXP_T = new WeakMap<Float64Array, Float64Array>();

function expTransitions(crf: CrfParams): Float64Array {
  let e = EXP_T.get(crf.transitions);
  if (!e) {
    e = crf.transitions.map(Math.exp);
    EXP_T.set(crf.transitions, e);
  }
  return e;
}

/**
 * Forward-backward in log space. alpha/beta are log scores; each step shifts by the max of the
 * previous column so that only L exponentials are needed per step (sum_i exp(a_i - m) * exp(T_ij)),
 * and falls back to a full per-cell log-sum-exp when that sum under/overflows.
 */
export function forwardBackward(em: ArrayLike<number>, n: number, crf: CrfParams): ForwardBackwardResult {
  const L = crf.numLabels;
  const T = crf.transitions;
  const eT = expTransitions(crf);
  const alpha = new Float64Array(n * L);
  const beta = new Float64Array(n * L);
  const ex = new Float64Array(L);
  for (let j = 0; j < L; j++) alpha[j] = crf.start[j] + em[j];
  for (let t = 1; t < n; t++) {
    const a0 = (t - 1) * L;
    let m = -Infinity;
    for (let i = 0; i < L; i++) if (alpha[a0 + i] > m) m = alpha[a0 + i];
    for (let i = 0; i < L; i++) ex[i] = Math.exp(alpha[a0 + i] - m);
    for (let j = 0; j < L; j++) {
      let s = 0;
      for (let i = 0; i < L; i++) s += ex[i] * eT[i * L + j];
      const lse = s > 0 && s < Infinity ? m + Math.log(s) : logSumExpCol(alpha, a0, T, j, L);
      alpha[t * L + j] = lse + em[t * L + j];
    }
  }
  for (let j = 0; j < L; j++) beta[(n - 1) * L + j] = crf.end[j];
  const v = new Float64Array(L);
  for (let t = n - 2; t >= 0; t--) {
    const b1 = (t + 1) * L;
    let m = -Infinity;
    for (let j = 0; j < L; j++) {
      v[j] = em[b1 + j] + beta[b1 + j];
      if (v[j] > m) m = v[j];
    }
    for (let j = 0; j < L; j++) ex[j] = Math.exp(v[j] - m);
    for (let i = 0; i < L; i++) {
      let s = 0;
      for (let j = 0; j < L; j++) s += eT[i * L + j] * ex[j];
      beta[t * L + i] = s > 0 && s < Infinity ? m + Math.log(s) : logSumExpRow(v, T, i, L);
    }
  }
  let m = -Infinity;
  for (let j = 0; j < L; j++) m = Math.max(m, alpha[(n - 1) * L + j] + crf.end[j]);
  let s = 0;
  for (let j = 0; j < L; j++) s += Math.exp(alpha[(n - 1) * L + j] + crf.end[j] - m);
  const logZ = m + Math.log(s);
  const marginals = new Float64Array(n * L);
  for (let k = 0; k < n * L; k++) marginals[k] = Math.exp(alpha[k] + beta[k] - logZ);
  return { logZ, marginals };
}

/** log sum_i exp(alpha[a0 + i] + T[i, j]) computed cell by cell (the slow, always-safe path). */
function logSumExpCol(alpha: Float64Array, a0: number, T: Float64Array, j: number, L: number): number {
  let m = -Infinity;
  for (let i = 0; i < L; i++) m = Math.max(m, alpha[a0 + i] + T[i * L + j]);
  if (m === -Infinity) return m;
  let s = 0;
  for (let i = 0; i < L; i++) s += Math.exp(alpha[a0 + i] + T[i * L + j] - m);
  return m + Math.log(s);
}

/** log sum_j exp(T[i, j] + v[j]) cell by cell. */
function logSumExpRow(v: Float64Array, T: Float64Array, i: number, L: number): number {
  let m = -Infinity;
  for (let j = 0; j < L; j++) m = Math.max(m, T[i * L + j] + v[j]);
  if (m === -Infinity) return m;
  let s = 0;
  for (let j = 0; j < L; j++) s += Math.exp(T[i * L + j] + v[j] - m);
  return m + Math.log(s);
}

/** Entropy (natural log) of each token's marginal distribution. */
export function tokenEntropies(marginals: Float64Array, n: number, L: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let h = 0;
    for (let j = 0; j < L; j++) {
      const p = marginals[t * L + j];
      if (p > 0) h -= p * Math.log(p);
    }
    out[t] = h;
  }
  return out;
}
