// Number formatting for the studio's charts: pure functions, unit-tested beside.

/**
 * Axis labels of histogram bins (their lower edges) with just enough decimals that neighbouring
 * bins never share a label: sampler scores often span 0.000–0.020, where two decimals repeat.
 */
export function binLabels(bins: ReadonlyArray<{ from: number; to: number }>): string[] {
  if (bins.length === 0) return [];
  const width = Math.min(...bins.map((b) => b.to - b.from).filter((w) => w > 0));
  const decimals = Number.isFinite(width) ? Math.min(8, Math.max(0, Math.ceil(-Math.log10(width) - 1e-6))) : 2;
  for (let d = decimals; d <= 10; d++) {
    const labels = bins.map((b) => b.from.toFixed(d));
    if (new Set(labels).size === labels.length) return labels;
  }
  return bins.map((b) => b.from.toExponential(3));
}

/** Fields of a review candidate that explain its rank (a subset of the queue's Candidate). */
export interface RankFacts {
  strategy: string;
  score: number;
  priority: number;
  novelty: number | null;
  cluster: number | null;
}

const f3 = (v: number) => (Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(3) : v.toExponential(2));

/**
 * Why an item ranks where it does, in one line: the priority is the strategy's uncertainty score,
 * scaled by novelty for hybrid selection, or a seeded random draw for the random baseline.
 */
export function priorityReason(c: RankFacts): string {
  const cluster = c.cluster !== null ? `; cluster ${c.cluster} (the window takes a few per cluster, for diversity)` : '';
  if (c.strategy === 'random') return `random order (the random baseline ignores the ${f3(c.score)} score)${cluster}`;
  if (Math.abs(c.priority - c.score) <= 1e-9 * Math.max(1, Math.abs(c.score)) || c.score === 0) return `priority = ${c.strategy} uncertainty ${f3(c.score)}${cluster}`;
  const factor = c.priority / c.score;
  const novelty = c.novelty !== null ? ` (novelty ${f3(c.novelty)}: unlike what is already labelled)` : '';
  return `${c.strategy} uncertainty ${f3(c.score)} × novelty factor ${f3(factor)}${novelty} = ${f3(c.priority)}${cluster}`;
}
