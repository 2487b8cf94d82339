import { publishedMetrics } from './publishedMetrics';

describe('publishedMetrics', () => {
  it("reads the trainer manifest's shape (per_type, extra_dev by file)", () => {
    const m = publishedMetrics({
      dev: { precision: 0.9, recall: 0.8, f1: 0.85, per_type: { PER: { precision: 1, recall: 0.5, f1: 0.667, support: 4 } } },
      extra_dev: { '${paths.data_root}/weibo/dev.jsonl': { precision: 0.5, recall: 0.5, f1: 0.5, per_type: {} } },
    });
    expect(m).toEqual({
      dev: { precision: 0.9, recall: 0.8, f1: 0.85, docs: null, perType: { PER: { precision: 1, recall: 0.5, f1: 0.667, support: 4 } } },
      holdout: null,
      extraDev: { 'weibo/dev': { precision: 0.5, recall: 0.5, f1: 0.5, docs: null, perType: {} } },
      base: null,
    });
  });

  it("reads the gate's shape (perType, docs, base) and drops what is not a score", () => {
    const dev = { precision: 0.7, recall: 0.6, f1: 0.65, docs: 200, tp: 1, fp: 2, fn: 3, perType: { LOC: { precision: 0.7, recall: 0.6, f1: 0.65, support: 10 }, BAD: { f1: 'x' } } };
    const m = publishedMetrics({ dev, holdout: { f1: 'n/a' }, base: { version: 'v0', dev, holdout: null }, gate: { passed: true } });
    expect(m.dev).toEqual({ precision: 0.7, recall: 0.6, f1: 0.65, docs: 200, perType: { LOC: { precision: 0.7, recall: 0.6, f1: 0.65, support: 10 } } });
    expect(m.holdout).toBeNull();
    expect(m.base).toEqual({ version: 'v0', dev: m.dev, holdout: null });
  });

  it('gives an empty shape for an empty blob', () => {
    expect(publishedMetrics({})).toEqual({ dev: null, holdout: null, extraDev: {}, base: null });
    expect(publishedMetrics(null)).toEqual({ dev: null, holdout: null, extraDev: {}, base: null });
  });
});
