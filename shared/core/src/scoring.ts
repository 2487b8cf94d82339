// Strict entity scoring, the one implementation: a prediction counts only when start, end and
// type all equal a gold span of the same document (the trainer's and conlleval's definition).
// Used by the orchestrator's gate, the eval CLI, the AL simulation and the studio's agreement.

export interface ScoredSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

export interface TypeScores {
  precision: number;
  recall: number;
  f1: number;
  /** Gold entities of this type. */
  support: number;
  /** Predicted entities of this type. */
  predicted: number;
  /** Predicted entities of this type that match a gold one exactly. */
  correct: number;
}

/** Precision, recall and F1 (fractions in 0..1) with the counts behind them. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** Documents scored. */
  docs: number;
  tp: number;
  fp: number;
  fn: number;
  perType: Record<string, TypeScores>;
}

export function prf(tp: number, predicted: number, gold: number): { precision: number; recall: number; f1: number } {
  const precision = predicted ? tp / predicted : 0;
  const recall = gold ? tp / gold : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}

const key = (s: ScoredSpan) => `${s.start}:${s.end}:${s.type}`;

/**
 * Strict micro scores over documents, and per type. `gold[i]` and `pred[i]` are the spans of
 * document i, in the same offset unit; a span listed twice counts once.
 * @throws RangeError when the two lists differ in length (a programming error).
 */
export function scoreSpans(gold: ReadonlyArray<readonly ScoredSpan[]>, pred: ReadonlyArray<readonly ScoredSpan[]>): Scores {
  if (gold.length !== pred.length) throw new RangeError(`scoreSpans: ${gold.length} gold documents but ${pred.length} predicted`);
  const counts = new Map<string, { gold: number; pred: number; correct: number }>();
  const bump = (type: string, k: 'gold' | 'pred' | 'correct') => {
    const c = counts.get(type) ?? { gold: 0, pred: 0, correct: 0 };
    c[k]++;
    counts.set(type, c);
  };
  for (let i = 0; i < gold.length; i++) {
    const g = new Map(gold[i].map((s) => [key(s), s.type]));
    const p = new Map(pred[i].map((s) => [key(s), s.type]));
    for (const type of g.values()) bump(type, 'gold');
    for (const [k, type] of p) {
      bump(type, 'pred');
      if (g.has(k)) bump(type, 'correct');
    }
  }
  let tp = 0;
  let np = 0;
  let ng = 0;
  const perType: Scores['perType'] = {};
  for (const [type, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    tp += c.correct;
    np += c.pred;
    ng += c.gold;
    perType[type] = { ...prf(c.correct, c.pred, c.gold), support: c.gold, predicted: c.pred, correct: c.correct };
  }
  return { ...prf(tp, np, ng), docs: gold.length, tp, fp: np - tp, fn: ng - tp, perType };
}

/**
 * A set is scored on the types it annotates: predicted spans of a type with no gold mention in the
 * whole set (a news dev set and a type added later, e.g. TIME), or of a type a document is marked
 * unannotated for (a correction made before the type existed), are dropped before scoring — they
 * say nothing either way. Same rule as the trainer's early stopping (zhner_trainer/evaluate.py).
 */
export function annotatedOnly<S extends ScoredSpan>(gold: ReadonlyArray<readonly ScoredSpan[]>, pred: ReadonlyArray<readonly S[]>, unannotated: ReadonlyArray<readonly string[] | undefined> = []): S[][] {
  const annotated = new Set(gold.flatMap((g) => g.map((s) => s.type)));
  return pred.map((p, i) => p.filter((s) => annotated.has(s.type) && !(unannotated[i] ?? []).includes(s.type)));
}

/** F1 of one document's spans against gold; 1 when both are empty (perfect agreement on "nothing"). */
export function documentF1(spans: readonly ScoredSpan[], gold: readonly ScoredSpan[]): number {
  if (spans.length === 0 && gold.length === 0) return 1;
  return scoreSpans([gold], [spans]).f1;
}
