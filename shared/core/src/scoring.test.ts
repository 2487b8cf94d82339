import { annotatedOnly, documentF1, scoreSpans } from './scoring';

const s = (start: number, end: number, type: string) => ({ start, end, type });

describe('strict scoring', () => {
  it('counts exact span + type matches only, micro and per type', () => {
    const gold = [[s(0, 2, 'PER'), s(3, 5, 'LOC')], [s(0, 3, 'ORG')]];
    const pred = [[s(0, 2, 'PER'), s(3, 5, 'ORG')], [s(0, 3, 'ORG'), s(4, 6, 'LOC')]];
    const r = scoreSpans(gold, pred);
    expect({ tp: r.tp, fp: r.fp, fn: r.fn, docs: r.docs }).toEqual({ tp: 2, fp: 2, fn: 1, docs: 2 });
    expect(r.precision).toBeCloseTo(0.5);
    expect(r.recall).toBeCloseTo(2 / 3);
    expect(r.f1).toBeCloseTo(4 / 7);
    expect(r.perType.LOC).toEqual({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 1, correct: 0 });
    expect(r.perType.ORG).toMatchObject({ support: 1, predicted: 2, correct: 1, precision: 0.5, recall: 1 });
  });

  it('counts a span listed twice once, and scores empty input as zero', () => {
    expect(scoreSpans([[s(0, 1, 'PER')]], [[s(0, 1, 'PER'), s(0, 1, 'PER')]])).toMatchObject({ tp: 1, fp: 0, fn: 0, f1: 1 });
    expect(scoreSpans([], [])).toMatchObject({ f1: 0, docs: 0, perType: {} });
    expect(() => scoreSpans([[]], [])).toThrow(RangeError);
  });

  it('gives document F1, 1 for two empty sets', () => {
    expect(documentF1([], [])).toBe(1);
    expect(documentF1([s(0, 1, 'PER')], [])).toBe(0);
    expect(documentF1([s(0, 1, 'PER')], [s(0, 1, 'PER'), s(2, 3, 'LOC')])).toBeCloseTo(2 / 3);
  });
});

describe('annotatedOnly: a set is scored on the types it annotates', () => {
  it('drops predictions of a type the set never marks, and of a type a document is unannotated for', () => {
    const gold = [[{ start: 0, end: 2, type: 'PER' }], [{ start: 0, end: 2, type: 'TIME' }], []];
    const pred = [
      [{ start: 0, end: 2, type: 'PER' }, { start: 3, end: 5, type: 'TIME' }, { start: 6, end: 8, type: 'MONEY' }],
      [{ start: 0, end: 2, type: 'TIME' }],
      [{ start: 1, end: 3, type: 'TIME' }, { start: 4, end: 5, type: 'PER' }],
    ];
    // MONEY has no gold anywhere: dropped; TIME is dropped in document 0 (made before TIME existed) only
    expect(annotatedOnly(gold, pred, [['TIME']])).toEqual([[{ start: 0, end: 2, type: 'PER' }], [{ start: 0, end: 2, type: 'TIME' }], pred[2]]);
    const s = scoreSpans(gold, annotatedOnly(gold, pred, [['TIME']]));
    expect(s).toMatchObject({ tp: 2, fp: 2, fn: 0 });
    expect(Object.keys(s.perType)).toEqual(['PER', 'TIME']);
  });
});
