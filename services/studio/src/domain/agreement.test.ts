import { agreementCsv, agreementMatrix, chanceCorrected, pairAgreement, type AnnotatedItem } from './agreement';

const PER = (start: number, end: number) => ({ start, end, type: 'PER' });
const LOC = (start: number, end: number) => ({ start, end, type: 'LOC' });
const ORG = (start: number, end: number) => ({ start, end, type: 'ORG' });

describe('pair agreement (hand-computed examples)', () => {
  // text of 10 characters; A: PER 0–2, LOC 5–7; B: PER 0–2, LOC 5–8 (one character longer)
  const item = { itemId: 'x', textLength: 10, a: [PER(0, 2), LOC(5, 7)], b: [PER(0, 2), LOC(5, 8)] };

  it('exact F1 counts only identical spans; partial F1 credits the overlapping LOC', () => {
    const p = pairAgreement('ann1', 'ann2', [item]);
    expect([p.items, p.spansA, p.spansB]).toEqual([1, 2, 2]);
    expect(p.exactF1).toBeCloseTo(0.5, 10); // 2·1 / (2 + 2)
    expect(p.partialF1).toBeCloseTo(1, 10); // 2·2 / (2 + 2)
  });

  it("Cohen's κ and Krippendorff's α on character labels", () => {
    const p = pairAgreement('ann1', 'ann2', [item]);
    // Po = 9/10; Pe = .2·.2 (PER) + .2·.3 (LOC) + .6·.5 (O) = .40; κ = .5 / .6
    expect(p.kappa).toBeCloseTo(0.5 / 0.6, 10);
    // 20 values: PER 4, LOC 5, O 11; Σ_{c≠k} n_c n_k = 400 − 162 = 238; α = 1 − 19·2/238
    expect(p.alpha).toBeCloseTo(1 - 38 / 238, 10);
  });

  it('per type: PER agrees fully, LOC only partially', () => {
    const { perType } = pairAgreement('ann1', 'ann2', [item]);
    expect(Object.keys(perType)).toEqual(['LOC', 'PER']);
    expect(perType.PER).toEqual({ items: 1, spansA: 1, spansB: 1, exactF1: 1, partialF1: 1, kappa: 1, alpha: 1 });
    expect(perType.LOC.exactF1).toBe(0);
    expect(perType.LOC.partialF1).toBe(1);
    // LOC vs not: Po = .9, Pe = .2·.3 + .8·.7 = .62; α: LOC 5, O 15 → 400 − 250 = 150
    expect(perType.LOC.kappa).toBeCloseTo(0.28 / 0.38, 10);
    expect(perType.LOC.alpha).toBeCloseTo(1 - 38 / 150, 10);
  });

  it('matches overlapping spans one to one (one long span agrees with one short span, not two)', () => {
    const p = pairAgreement('a', 'b', [{ itemId: 'y', textLength: 8, a: [ORG(0, 6)], b: [ORG(0, 2), ORG(3, 6)] }]);
    expect(p.exactF1).toBe(0);
    expect(p.partialF1).toBeCloseTo(2 / 3, 10); // 2·1 / (1 + 2)
  });

  it('spans of different types never agree, even on the same characters', () => {
    const p = pairAgreement('a', 'b', [{ itemId: 'z', textLength: 4, a: [PER(0, 2)], b: [LOC(0, 2)] }]);
    expect([p.exactF1, p.partialF1]).toEqual([0, 0]);
  });

  it('an empty-set pair: full span agreement, chance-corrected measures undefined', () => {
    const p = pairAgreement('a', 'b', [{ itemId: 'e', textLength: 5, a: [], b: [] }]);
    expect(p).toEqual({ a: 'a', b: 'b', items: 1, spansA: 0, spansB: 0, exactF1: 1, partialF1: 1, kappa: null, alpha: null, perType: {} });
  });

  it('systematic disagreement: κ 0, α below 0', () => {
    // A marks nothing, B marks all 4 characters PER: Po = 0, Pe = 0; α = 1 − 7·8/32
    expect(chanceCorrected(['O', 'O', 'O', 'O'], ['PER', 'PER', 'PER', 'PER'])).toEqual({ kappa: 0, alpha: -0.75 });
  });

  it('refuses label sequences of different lengths', () => {
    expect(() => chanceCorrected(['O'], ['O', 'O'])).toThrow(RangeError);
  });
});

describe('agreement matrix and CSV', () => {
  const ann = (itemId: string, annotator: string, spans: AnnotatedItem['spans']): AnnotatedItem => ({ itemId, annotator, textLength: 6, spans });
  const annotations = [
    ann('x', 'carol', [PER(0, 2)]),
    ann('x', 'alice', [PER(0, 2)]),
    ann('x', 'bob', [PER(0, 3)]),
    ann('y', 'alice', [LOC(2, 4)]),
    ann('y', 'bob', [LOC(2, 4)]),
  ];

  it('one entry per pair with shared items, in name order, counting the shared items', () => {
    const m = agreementMatrix(annotations);
    expect(m.map((p) => [p.a, p.b, p.items])).toEqual([
      ['alice', 'bob', 2],
      ['alice', 'carol', 1],
      ['bob', 'carol', 1],
    ]);
    expect(m[0].exactF1).toBeCloseTo(0.5, 10); // LOC exact, PER not: 2·1 / (2 + 2)
    expect(m[0].partialF1).toBe(1);
    expect(m[1].exactF1).toBe(1);
  });

  it('writes one CSV row per pair and type, quoting where needed, empty cells for undefined', () => {
    const csv = agreementCsv([
      ...agreementMatrix(annotations).slice(1, 2),
      pairAgreement('d, "the second"', 'e', [{ itemId: 'e', textLength: 3, a: [], b: [] }]),
    ]);
    expect(csv.split('\n')).toEqual([
      'annotator_a,annotator_b,type,items,spans_a,spans_b,exact_f1,partial_f1,cohen_kappa_chars,krippendorff_alpha_chars',
      'alice,carol,*,1,1,1,1,1,1,1',
      'alice,carol,PER,1,1,1,1,1,1,1',
      '"d, ""the second""",e,*,1,0,0,1,1,,',
      '',
    ]);
  });
});
