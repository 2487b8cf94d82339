// Learning curves of the simulation (pure): points per (strategy, seed, round), their means over
// seeds, the labels a strategy needs to reach random's final F1 (interpolated), and the CSV.

/** One evaluated model: a strategy's model after `round` rounds of one seed. Scores are fractions. */
export interface CurvePoint {
  readonly strategy: string;
  readonly seed: number;
  /** 0 = the base model. */
  readonly round: number;
  /** Labelled documents after this round. */
  readonly labels: number;
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
}

/** A strategy's curve averaged over the seeds that reached each round. */
export interface MeanPoint {
  readonly round: number;
  readonly labels: number;
  readonly f1: number;
  /** Sample standard deviation of F1 over seeds (0 with one seed). */
  readonly f1Std: number;
  readonly precision: number;
  readonly recall: number;
  /** Seeds averaged. */
  readonly n: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Mean curve per strategy (strategies in order of first appearance, rounds ascending). A round is
 * averaged over the seeds that have it, so a run stopped early still has a curve.
 */
export function meanCurves(points: readonly CurvePoint[]): Map<string, MeanPoint[]> {
  const by = new Map<string, Map<number, CurvePoint[]>>();
  for (const p of points) {
    const rounds = by.get(p.strategy) ?? new Map<number, CurvePoint[]>();
    rounds.set(p.round, [...(rounds.get(p.round) ?? []), p]);
    by.set(p.strategy, rounds);
  }
  const out = new Map<string, MeanPoint[]>();
  for (const [strategy, rounds] of by) {
    out.set(
      strategy,
      [...rounds.entries()]
        .sort(([a], [b]) => a - b)
        .map(([round, ps]) => ({
          round,
          labels: mean(ps.map((p) => p.labels)),
          f1: mean(ps.map((p) => p.f1)),
          f1Std: std(ps.map((p) => p.f1)),
          precision: mean(ps.map((p) => p.precision)),
          recall: mean(ps.map((p) => p.recall)),
          n: ps.length,
        })),
    );
  }
  return out;
}

/**
 * Labelled documents at which the curve first reaches `target` F1, linearly interpolated between
 * the two rounds around the first crossing; 0 when the first point already reaches it; null when no
 * point does. Points must be in round order (labels non-decreasing).
 */
export function labelsToReach(curve: readonly { labels: number; f1: number }[], target: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].f1 < target) continue;
    if (i === 0) return curve[0].labels;
    const a = curve[i - 1];
    const b = curve[i];
    return a.labels + ((target - a.f1) / (b.f1 - a.f1)) * (b.labels - a.labels);
  }
  return null;
}

/** How a strategy fares against random, the target: ≤ half the labels and +3 F1 points somewhere. */
export interface TargetCheck {
  /** labels to reach random's final F1 / random's final labels (null: never reached). */
  readonly labelsRatio: number | null;
  /** Largest F1 gain over random at the same round (equal budget), in F1 points (can be negative). */
  readonly maxGainPoints: number;
  readonly roundOfMaxGain: number;
  /** labelsRatio ≤ 0.5 and maxGainPoints ≥ 3. */
  readonly met: boolean;
}

export interface CurveSummary {
  /** Nominal labelled documents after each round (round 0 = 0). */
  readonly labels: number[];
  /** Mean F1 per round per strategy (fractions, 4 decimals). */
  readonly f1: Record<string, number[]>;
  /** Sample std of F1 over seeds per round per strategy. */
  readonly f1_std: Record<string, number[]>;
  /** Interpolated labels at which each strategy first reaches random's final-round mean F1 (null = never). */
  readonly labels_to_match_random: Record<string, number | null>;
  /** Random's final round: labels and mean F1 (the reference of labels_to_match_random). */
  readonly random_final: { labels: number; f1: number } | null;
  readonly target: Record<string, TargetCheck>;
}

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const r1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * The summary of a run from its points. `randomKey` names the reference strategy; `labels` are the
 * nominal label counts per round (0, B, 2B, ...). Strategies without the random reference get null
 * in labels_to_match_random and no target check.
 */
export function summariseCurves(points: readonly CurvePoint[], randomKey: string, labels: readonly number[]): CurveSummary {
  const curves = meanCurves(points);
  const f1: Record<string, number[]> = {};
  const f1Std: Record<string, number[]> = {};
  for (const [s, c] of curves) {
    f1[s] = c.map((p) => r4(p.f1));
    f1Std[s] = c.map((p) => r4(p.f1Std));
  }
  const random = curves.get(randomKey);
  const last = random?.[random.length - 1];
  const toMatch: Record<string, number | null> = {};
  const target: Record<string, TargetCheck> = {};
  for (const [s, c] of curves) {
    if (!last) {
      toMatch[s] = null;
      continue;
    }
    const n = labelsToReach(c, last.f1);
    toMatch[s] = n === null ? null : r1(n);
    if (s === randomKey) continue;
    let best = -Infinity;
    let bestRound = 0;
    for (const p of c) {
      const q = random!.find((x) => x.round === p.round);
      if (!q || p.round === 0) continue;
      const gain = (p.f1 - q.f1) * 100;
      if (gain > best) {
        best = gain;
        bestRound = p.round;
      }
    }
    const ratio = n === null || last.labels === 0 ? null : n / last.labels;
    const maxGain = best === -Infinity ? 0 : best;
    target[s] = { labelsRatio: ratio === null ? null : r4(ratio), maxGainPoints: Math.round(maxGain * 100) / 100, roundOfMaxGain: bestRound, met: ratio !== null && ratio <= 0.5 && maxGain >= 3 };
  }
  return {
    labels: [...labels],
    f1,
    f1_std: f1Std,
    labels_to_match_random: toMatch,
    random_final: last ? { labels: r1(last.labels), f1: r4(last.f1) } : null,
    target,
  };
}

export const CSV_HEADER = 'strategy,seed,round,labels,f1,precision,recall';

/** curves.csv: one row per point, in the given order, scores with 6 decimals. */
export function curvesCsv(points: readonly CurvePoint[]): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = points.map((p) => [esc(p.strategy), p.seed, p.round, p.labels, p.f1.toFixed(6), p.precision.toFixed(6), p.recall.toFixed(6)].join(','));
  return [CSV_HEADER, ...rows].join('\n') + '\n';
}
