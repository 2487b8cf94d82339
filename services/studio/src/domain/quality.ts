// Quality arithmetic for the Annotators and Adjudicate pages: span agreement, conflicts between
// corrections of one text, and the points tally.
import { documentF1 } from '@zhner/core';

export interface TypedSpan {
  start: number;
  end: number;
  type: string;
}

const key = (s: TypedSpan) => `${s.start}:${s.end}:${s.type}`;

/** Canonical form of an entity set (order-independent), for equality and grouping. */
export function entitySetKey(spans: readonly TypedSpan[]): string {
  return spans.map(key).sort().join('|');
}

export function sameEntities(a: readonly TypedSpan[], b: readonly TypedSpan[]): boolean {
  return entitySetKey(a) === entitySetKey(b);
}

/** Exact-match span F1 of `spans` against `gold` (1 when both are empty): the platform's strict scoring. */
export const spanF1 = (spans: readonly TypedSpan[], gold: readonly TypedSpan[]): number => documentF1(spans, gold);

/** Corrections of one text disagree when their latest entity sets differ. */
export function isConflict(sets: ReadonlyArray<readonly TypedSpan[]>): boolean {
  return new Set(sets.map(entitySetKey)).size > 1;
}

/**
 * A merge proposal for the adjudicator: spans on which at least `minVotes` corrections agree, in
 * text order, dropping any that would overlap an already kept span (more votes win, then earlier).
 */
export function mergeByVote<T extends TypedSpan>(sets: ReadonlyArray<readonly T[]>, minVotes = 1): T[] {
  const votes = new Map<string, { span: T; n: number }>();
  for (const set of sets) for (const s of set) {
    const v = votes.get(key(s));
    if (v) v.n++;
    else votes.set(key(s), { span: s, n: 1 });
  }
  const ranked = [...votes.values()].filter((v) => v.n >= minVotes).sort((a, b) => b.n - a.n || a.span.start - b.span.start);
  const kept: T[] = [];
  for (const { span } of ranked) if (!kept.some((k) => span.start < k.end && k.start < span.end)) kept.push(span);
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}

export interface ContributionCounts {
  /** Corrections submitted in the studio (latest revision per item). */
  corrections: number;
  /** Of those checked against an adjudication, how many matched it exactly. */
  agreedWithAdjudication: number;
  spotChecksOk: number;
  spotChecksWrong: number;
}

/** Points per contribution (the original system proposed rewarding corrections). */
export const POINTS = { correction: 1, agreedWithAdjudication: 2, spotCheckOk: 1, spotCheckWrong: -2 } as const;

/** The points tally: +1 per correction, +2 per exact agreement with adjudication, +1/−2 per spot check passed/failed; never below 0. */
export function pointsFor(c: ContributionCounts): number {
  const p = c.corrections * POINTS.correction + c.agreedWithAdjudication * POINTS.agreedWithAdjudication + c.spotChecksOk * POINTS.spotCheckOk + c.spotChecksWrong * POINTS.spotCheckWrong;
  return Math.max(0, p);
}

export interface Bin {
  from: number;
  to: number;
  n: number;
}

/** Equal-width histogram of `values` over [min, max] (defaults: their range); the last bin is closed. */
export function histogram(values: readonly number[], bins = 20, min?: number, max?: number): Bin[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const lo = min ?? Math.min(...finite);
  let hi = max ?? Math.max(...finite);
  if (hi <= lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, n: 0 }));
  for (const v of finite) {
    if (v < lo || v > hi) continue;
    out[Math.min(bins - 1, Math.floor((v - lo) / width))].n++;
  }
  return out;
}
