import { labelStringsToSpans, parseLabels, tagsToSpans } from './tags';

const spans = (tags: string[], scheme: 'BIO' | 'BIOES' = 'BIOES') => labelStringsToSpans(tags, scheme).map((s) => [s.start, s.end, s.type]);

describe('tagsToSpans', () => {
  it('reads well-formed BIO and BIOES', () => {
    expect(spans(['B-PER', 'I-PER', 'O', 'B-LOC'], 'BIO')).toEqual([[0, 2, 'PER'], [3, 4, 'LOC']]);
    expect(spans(['S-PER', 'O', 'B-LOC', 'I-LOC', 'E-LOC', 'B-ORG', 'E-ORG'])).toEqual([[0, 1, 'PER'], [2, 5, 'LOC'], [5, 7, 'ORG']]);
  });

  it('repairs invalid sequences like conlleval (same cases as the Python tests)', () => {
    expect(spans(['I-PER', 'I-PER', 'O'], 'BIO')).toEqual([[0, 2, 'PER']]);
    expect(spans(['B-PER', 'I-LOC', 'O'], 'BIO')).toEqual([[0, 1, 'PER'], [1, 2, 'LOC']]);
    expect(spans(['B-PER', 'I-PER'])).toEqual([[0, 2, 'PER']]);
    expect(spans(['E-LOC', 'O', 'B-ORG', 'E-ORG', 'S-PER'])).toEqual([[0, 1, 'LOC'], [2, 4, 'ORG'], [4, 5, 'PER']]);
    expect(spans(['B-ORG', 'E-LOC'])).toEqual([[0, 1, 'ORG'], [1, 2, 'LOC']]);
    expect(spans(['I-ORG', 'E-ORG', 'E-ORG'])).toEqual([[0, 2, 'ORG'], [2, 3, 'ORG']]);
    expect(spans(['B-PER', 'B-PER', 'S-PER', 'I-PER'])).toEqual([[0, 1, 'PER'], [1, 2, 'PER'], [2, 3, 'PER'], [3, 4, 'PER']]);
  });

  it('handles types it has never heard of (nothing is hard-coded)', () => {
    const labels = parseLabels(['O', 'B-产品', 'I-产品']);
    expect(tagsToSpans([1, 2, 0, 2], labels, 'BIO')).toEqual([{ start: 0, end: 2, type: '产品' }, { start: 3, end: 4, type: '产品' }]);
  });

  it('rejects labels that are not BIO/BIOES', () => {
    expect(() => parseLabels(['O', 'X-PER'])).toThrow(/X-PER/);
  });
});
