import { histogram, isConflict, mergeByVote, pointsFor, spanF1 } from './quality';
import { summarizeMetrics } from './models';

const s = (start: number, end: number, type: string) => ({ start, end, type });

describe('quality arithmetic', () => {
  it('scores exact-match span F1', () => {
    expect(spanF1([s(0, 2, 'PER'), s(3, 5, 'LOC')], [s(0, 2, 'PER'), s(3, 5, 'LOC')])).toBe(1);
    expect(spanF1([s(0, 2, 'PER')], [s(0, 2, 'PER'), s(3, 5, 'LOC')])).toBeCloseTo(2 / 3);
    expect(spanF1([s(0, 2, 'ORG')], [s(0, 2, 'PER')])).toBe(0);
    expect(spanF1([], [])).toBe(1);
  });

  it('sees a conflict only when entity sets differ', () => {
    expect(isConflict([[s(0, 2, 'PER'), s(3, 5, 'LOC')], [s(3, 5, 'LOC'), s(0, 2, 'PER')]])).toBe(false);
    expect(isConflict([[s(0, 2, 'PER')], [s(0, 2, 'ORG')]])).toBe(true);
  });

  it('merges by vote without overlaps', () => {
    const merged = mergeByVote([[s(0, 2, 'PER'), s(3, 5, 'LOC')], [s(0, 2, 'PER'), s(3, 6, 'ORG')], [s(3, 5, 'LOC')]], 2);
    expect(merged).toEqual([s(0, 2, 'PER'), s(3, 5, 'LOC')]);
  });

  it('tallies points and never goes below zero', () => {
    expect(pointsFor({ corrections: 10, agreedWithAdjudication: 2, spotChecksOk: 3, spotChecksWrong: 1 })).toBe(10 + 4 + 3 - 2);
    expect(pointsFor({ corrections: 0, agreedWithAdjudication: 0, spotChecksOk: 0, spotChecksWrong: 3 })).toBe(0);
  });

  it('bins values, the maximum in the last bin', () => {
    const bins = histogram([0, 0.1, 0.5, 1], 2, 0, 1);
    expect(bins.map((b) => b.n)).toEqual([2, 2]);
    expect(histogram([], 5)).toEqual([]);
  });
});

describe('model figures from the registry contract', () => {
  it('summarizes dev and hold-out F1, overall and per type', () => {
    const prf = (f1: number) => ({ precision: f1, recall: f1, f1, support: 3 });
    const m = { dev: { precision: 0.9, recall: 0.92, f1: 0.91, docs: 10, perType: { PER: prf(0.95), LOC: prf(0.9) } }, holdout: { precision: 0.8, recall: 0.8, f1: 0.8, docs: 5, perType: {} }, extraDev: {}, base: null };
    expect(summarizeMetrics(m)).toEqual({ devF1: 0.91, holdoutF1: 0.8, devPerType: { PER: 0.95, LOC: 0.9 }, holdoutPerType: {} });
    expect(summarizeMetrics({ dev: null, holdout: null, extraDev: {}, base: null }).devF1).toBeNull();
  });
});
