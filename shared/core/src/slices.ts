// Bias slices: strict recall / precision / F1 of one entity type on subsets of entities defined by
// lexicons the operator controls (e.g. PER whose given name ends in a character commonly given to
// women vs to men; LOC at home vs abroad), and the gap between the slices of a group. A candidate
// whose gap widens by more than a tolerance against its base is flagged. Pure: the caller brings
// the texts, the gold and the predictions (code-point offsets, as in the corpora). Used by the eval
// CLI (--slices) and the orchestrator's gate.
import * as path from 'node:path';

/** The platform's default slices (shared/core/slices/default.json), documented in the model card. */
export const DEFAULT_SLICES_FILE = path.join(__dirname, '..', 'slices', 'default.json');

/**
 * One slice: entities of `type` whose text matches the lexicon (`match`):
 * - `last-char`: the last character is listed (given names: the surname comes first);
 * - `prefix`: the text starts with a listed word (美国纽约 is abroad; 广东省 at home);
 * - `exact`: the text is a listed word.
 */
export interface SliceDefinition {
  name: string;
  type: string;
  match: 'last-char' | 'prefix' | 'exact';
  words: readonly string[];
}

/** Slices compared with each other (e.g. women / men); an entity in two slices of a group counts in neither. */
export interface SliceGroup {
  name: string;
  slices: readonly SliceDefinition[];
}

export interface SliceFile {
  /** Slices with fewer gold entities than this get no gap (too few to compare). */
  minSupport: number;
  groups: readonly SliceGroup[];
}

export interface SliceScore {
  support: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface GroupReport {
  slices: Record<string, SliceScore>;
  /** Largest minus smallest F1 among slices with enough support; null when fewer than two qualify. */
  f1Gap: number | null;
  recallGap: number | null;
}

export type SliceReport = Record<string, GroupReport>;

export interface SlicedSpan {
  cpStart: number;
  cpEnd: number;
  type: string;
}

/** Check a slice file's shape (an operator writes it), naming the first problem. */
export function parseSliceFile(raw: unknown, where = 'slice file'): SliceFile {
  const fail = (why: string): never => {
    throw new TypeError(`${where}: ${why}`);
  };
  if (!raw || typeof raw !== 'object') fail('must be a JSON object');
  const o = raw as Record<string, unknown>;
  const minSupport = o.minSupport ?? 20;
  if (!Number.isInteger(minSupport) || (minSupport as number) < 1) fail('minSupport must be an integer >= 1');
  if (!Array.isArray(o.groups) || o.groups.length === 0) fail('groups must be a non-empty array');
  const groups = (o.groups as unknown[]).map((g, gi) => {
    const gr = g as Record<string, unknown>;
    if (!gr || typeof gr.name !== 'string' || !gr.name) fail(`groups[${gi}].name must be a non-empty string`);
    if (!Array.isArray(gr.slices) || gr.slices.length < 2) fail(`groups[${gi}].slices must list at least two slices`);
    const slices = (gr.slices as unknown[]).map((s, si) => {
      const sl = s as Record<string, unknown>;
      const at = `groups[${gi}].slices[${si}]`;
      if (!sl || typeof sl.name !== 'string' || !sl.name) fail(`${at}.name must be a non-empty string`);
      if (typeof sl.type !== 'string' || !sl.type) fail(`${at}.type must be an entity type`);
      if (sl.match !== 'last-char' && sl.match !== 'prefix' && sl.match !== 'exact') fail(`${at}.match must be last-char, prefix or exact`);
      if (!Array.isArray(sl.words) || sl.words.length === 0 || !sl.words.every((w) => typeof w === 'string' && w.length > 0)) fail(`${at}.words must be non-empty strings`);
      if (sl.match === 'last-char' && !(sl.words as string[]).every((w) => [...w].length === 1)) fail(`${at}: last-char words must be single characters`);
      return { name: sl.name as string, type: sl.type as string, match: sl.match as SliceDefinition['match'], words: sl.words as string[] };
    });
    return { name: gr.name as string, slices };
  });
  return { minSupport: minSupport as number, groups };
}

function matcher(s: SliceDefinition): (text: string) => boolean {
  const words = new Set(s.words);
  if (s.match === 'exact') return (t) => words.has(t);
  if (s.match === 'last-char') {
    return (t) => {
      const cps = [...t];
      return cps.length >= 2 && words.has(cps[cps.length - 1]);
    };
  }
  const list = [...words];
  return (t) => list.some((w) => t.startsWith(w));
}

const prf = (correct: number, predicted: number, support: number): Omit<SliceScore, 'support' | 'predicted' | 'correct'> => {
  const precision = predicted ? correct / predicted : 0;
  const recall = support ? correct / support : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
};

const gap = (xs: number[]): number | null => (xs.length < 2 ? null : Math.max(...xs) - Math.min(...xs));

/** Strict scores per slice and the gaps per group (exact span + type, as the platform scores). */
export function sliceReport(file: SliceFile, texts: readonly string[], gold: ReadonlyArray<readonly SlicedSpan[]>, pred: ReadonlyArray<readonly SlicedSpan[]>): SliceReport {
  if (texts.length !== gold.length || gold.length !== pred.length) throw new RangeError(`texts ${texts.length}, gold ${gold.length}, predictions ${pred.length}: one each per document`);
  const report: SliceReport = {};
  for (const group of file.groups) {
    const tests = group.slices.map((s) => ({ s, test: matcher(s) }));
    // the one slice of the group an entity belongs to, or undefined (none, or ambiguous)
    const sliceOf = (text: string, type: string): string | undefined => {
      const hits = tests.filter((x) => x.s.type === type && x.test(text));
      return hits.length === 1 ? hits[0].s.name : undefined;
    };
    const counts = new Map(group.slices.map((s) => [s.name, { support: 0, predicted: 0, correct: 0 }]));
    texts.forEach((text, i) => {
      const cps = [...text];
      const surface = (e: SlicedSpan) => cps.slice(e.cpStart, e.cpEnd).join('');
      const goldKeys = new Set(gold[i].map((e) => `${e.cpStart}:${e.cpEnd}:${e.type}`));
      for (const e of gold[i]) {
        const s = sliceOf(surface(e), e.type);
        if (s) counts.get(s)!.support++;
      }
      for (const e of new Map(pred[i].map((p) => [`${p.cpStart}:${p.cpEnd}:${p.type}`, p])).values()) {
        const s = sliceOf(surface(e), e.type);
        if (!s) continue;
        const c = counts.get(s)!;
        c.predicted++;
        if (goldKeys.has(`${e.cpStart}:${e.cpEnd}:${e.type}`)) c.correct++;
      }
    });
    const slices: Record<string, SliceScore> = {};
    for (const [name, c] of counts) slices[name] = { ...c, ...prf(c.correct, c.predicted, c.support) };
    const enough = Object.values(slices).filter((s) => s.support >= file.minSupport);
    report[group.name] = { slices, f1Gap: gap(enough.map((s) => s.f1)), recallGap: gap(enough.map((s) => s.recall)) };
  }
  return report;
}

export interface BiasFlag {
  group: string;
  baseGap: number;
  candidateGap: number;
  reason: string;
}

/**
 * Groups whose F1 gap widened by more than `tolerance` (F1 points as fractions, e.g. 0.03) from
 * base to candidate. A group without a gap on either side (too little support) is not judged.
 */
export function widenedGaps(base: SliceReport, candidate: SliceReport, tolerance: number): BiasFlag[] {
  const flags: BiasFlag[] = [];
  for (const [group, c] of Object.entries(candidate)) {
    const b = base[group];
    if (!b || b.f1Gap === null || c.f1Gap === null) continue;
    if (c.f1Gap - b.f1Gap > tolerance) {
      const worst = Object.entries(c.slices).sort(([, x], [, y]) => x.f1 - y.f1)[0];
      flags.push({
        group,
        baseGap: b.f1Gap,
        candidateGap: c.f1Gap,
        reason: `${group}: the F1 gap between slices widened from ${(100 * b.f1Gap).toFixed(1)} to ${(100 * c.f1Gap).toFixed(1)} points (tolerance ${(100 * tolerance).toFixed(1)}); lowest slice ${worst[0]} at F1 ${(100 * worst[1].f1).toFixed(1)}`,
      });
    }
  }
  return flags;
}
