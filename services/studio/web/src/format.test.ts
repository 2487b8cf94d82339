import { binLabels, priorityReason } from './format';

const bins = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => ({ from: lo + ((hi - lo) * i) / n, to: lo + ((hi - lo) * (i + 1)) / n }));

describe('binLabels', () => {
  it('keeps two decimals for scores over 0..1 in 20 bins', () => {
    expect(binLabels(bins(0, 1, 20)).slice(0, 3)).toEqual(['0.00', '0.05', '0.10']);
  });

  it('adds decimals until neighbouring labels differ (scores over 0..0.02)', () => {
    const labels = binLabels(bins(0, 0.02, 20));
    expect(new Set(labels).size).toBe(20);
    expect(labels.slice(0, 3)).toEqual(['0.000', '0.001', '0.002']);
  });

  it('handles an empty histogram and odd widths', () => {
    expect(binLabels([])).toEqual([]);
    const labels = binLabels(bins(0.1234, 0.1237, 7));
    expect(new Set(labels).size).toBe(7);
  });
});

describe('priorityReason', () => {
  it('explains a plain uncertainty ranking', () => {
    expect(priorityReason({ strategy: 'entropy', score: 0.4123, priority: 0.4123, novelty: null, cluster: null })).toBe('priority = entropy uncertainty 0.412');
  });

  it('shows the novelty factor of hybrid selection and the cluster', () => {
    expect(priorityReason({ strategy: 'hybrid', score: 0.5, priority: 0.4, novelty: 0.6, cluster: 3 })).toBe(
      'hybrid uncertainty 0.500 × novelty factor 0.800 (novelty 0.600: unlike what is already labelled) = 0.400; cluster 3 (the window takes a few per cluster, for diversity)',
    );
  });

  it('says that the random baseline ignores the score', () => {
    expect(priorityReason({ strategy: 'random', score: 0.2, priority: 0.77, novelty: null, cluster: null })).toBe('random order (the random baseline ignores the 0.200 score)');
  });

  it('keeps tiny scores readable', () => {
    expect(priorityReason({ strategy: 'mnlp', score: 0.00012, priority: 0.00012, novelty: null, cluster: null })).toBe('priority = mnlp uncertainty 1.20e-4');
  });
});
