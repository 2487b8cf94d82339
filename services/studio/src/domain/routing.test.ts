import { annotationsNeeded, reviewRequired, stableShare } from './routing';

describe('routing of annotation work', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `cand-${i}`);

  it('sends the configured share of items to two annotators, the same items every time', () => {
    const p = { perItem: 1, agreementShare: 0.1 };
    const two = ids.filter((id) => annotationsNeeded(id, p) === 2);
    expect(two.length / ids.length).toBeGreaterThan(0.08);
    expect(two.length / ids.length).toBeLessThan(0.12);
    expect(ids.filter((id) => annotationsNeeded(id, p) === 2)).toEqual(two); // stable
    expect(ids.every((id) => annotationsNeeded(id, { perItem: 1, agreementShare: 0 }) === 1)).toBe(true);
    expect(ids.every((id) => annotationsNeeded(id, { perItem: 3, agreementShare: 1 }) === 3)).toBe(true); // never fewer than configured
  });

  it("reviews every one of a new annotator's first N corrections, then a sampled share", () => {
    const p = { reviewFirst: 20, reviewShare: 0.1 };
    for (let n = 1; n <= 20; n++) expect(reviewRequired(n, `c-${n}`, p)).toBe(true);
    const later = ids.map((id, i) => reviewRequired(21 + i, id, p)).filter(Boolean).length / ids.length;
    expect(later).toBeGreaterThan(0.08);
    expect(later).toBeLessThan(0.12);
    expect(reviewRequired(21, 'c-21', { reviewFirst: 0, reviewShare: 0 })).toBe(false);
    expect(stableShare('x', 'a')).not.toBe(stableShare('x', 'b')); // the two rules draw independently
  });
});
