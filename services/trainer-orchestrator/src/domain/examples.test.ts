import { textHash } from '@zhner/core';
import { chooseActive, splitOf, type CorrectionVersion } from './examples';

describe('splitOf', () => {
  it('is stable and holds out about the configured share', () => {
    const hashes = Array.from({ length: 4000 }, (_, i) => textHash(`句子${i}`));
    const held = hashes.filter((h) => splitOf(h, 0.1) === 'holdout').length;
    expect(held / hashes.length).toBeGreaterThan(0.085);
    expect(held / hashes.length).toBeLessThan(0.115);
    expect(hashes.map((h) => splitOf(h, 0.1))).toEqual(hashes.map((h) => splitOf(h, 0.1)));
  });

  it('keeps every text in training at share 0, none at share 1, and grows monotonically', () => {
    const hashes = Array.from({ length: 300 }, (_, i) => textHash(`t${i}`));
    expect(hashes.every((h) => splitOf(h, 0) === 'train')).toBe(true);
    expect(hashes.every((h) => splitOf(h, 1) === 'holdout')).toBe(true);
    // a text held out at 10% stays held out at 20%: raising the share never moves hold-out into training
    expect(hashes.filter((h) => splitOf(h, 0.1) === 'holdout').every((h) => splitOf(h, 0.2) === 'holdout')).toBe(true);
    expect(() => splitOf(hashes[0], 1.5)).toThrow(RangeError);
  });
});

describe('chooseActive', () => {
  const v = (correctionId: string, annotator: string, revision: number, correctedAt: number, origin = 'STUDIO'): CorrectionVersion => ({ correctionId, annotator, revision, correctedAt, origin });

  it('a newer revision of the same annotator supersedes the older one', () => {
    expect(chooseActive([v('a0', 'ann', 0, 100), v('a1', 'ann', 1, 200)])?.correctionId).toBe('a1');
    // revision decides even if clocks disagree
    expect(chooseActive([v('a1', 'ann', 1, 100), v('a0', 'ann', 0, 200)])?.correctionId).toBe('a1');
  });

  it('between annotators the most recent correction wins', () => {
    expect(chooseActive([v('x', 'ann1', 3, 100), v('y', 'ann2', 0, 150)])?.correctionId).toBe('y');
  });

  it('an adjudication wins over any annotator, even a later one; the latest adjudication wins', () => {
    const list = [v('a', 'ann1', 5, 900), v('adj1', 'admin', 0, 100, 'ADJUDICATION'), v('adj2', 'admin', 0, 300, 'ADJUDICATION')];
    expect(chooseActive(list)?.correctionId).toBe('adj2');
  });

  it('breaks exact ties deterministically and returns undefined for nothing', () => {
    const a = chooseActive([v('b', 'x', 0, 5), v('a', 'y', 0, 5)]);
    const b = chooseActive([v('a', 'y', 0, 5), v('b', 'x', 0, 5)]);
    expect(a?.correctionId).toBe(b?.correctionId);
    expect(chooseActive([])).toBeUndefined();
  });
});
