import { ConfigError, type CorpusExample } from '@zhner/core';
import { loadSlices, RuntimeEvaluator, type RuntimeModel } from './modelEvaluator';

const docs: CorpusExample[] = [
  { id: 'a', text: '王芳和李伟在北京。', entities: [{ start: 0, end: 2, type: 'PER', text: '王芳' }, { start: 3, end: 5, type: 'PER', text: '李伟' }, { start: 6, end: 8, type: 'LOC', text: '北京' }] },
  { id: 'b', text: '𠮷芳去了美国。', entities: [{ start: 0, end: 2, type: 'PER', text: '𠮷芳' }, { start: 4, end: 6, type: 'LOC', text: '美国' }] },
];

// predicts the men and the places, misses every woman (UTF-16 offsets, as the runtime answers)
const model: RuntimeModel = {
  predict: async (texts) =>
    texts.map((t) => (t.startsWith('王芳') ? [{ start: 3, end: 5, type: 'PER' }, { start: 6, end: 8, type: 'LOC' }] : [{ start: 5, end: 7, type: 'LOC' }])),
};

describe('RuntimeEvaluator with bias slices', () => {
  it('scores the slices of the configured file in code points (astral characters included)', async () => {
    const slices = { minSupport: 1, groups: [{ name: 'gender', slices: [{ name: 'women', type: 'PER', match: 'last-char' as const, words: ['芳'] }, { name: 'men', type: 'PER', match: 'last-char' as const, words: ['伟'] }] }] };
    const scores = await new RuntimeEvaluator(async () => model, { slices }).evaluate('dir', docs, 'dev');
    expect(scores.f1).toBeCloseTo((2 * 3) / (3 + 5), 10);
    expect(scores.slices?.gender.slices.women).toMatchObject({ support: 2, predicted: 0, correct: 0, recall: 0 });
    expect(scores.slices?.gender.slices.men).toMatchObject({ support: 1, predicted: 1, correct: 1, f1: 1 });
    expect(scores.slices?.gender.f1Gap).toBe(1);
    expect((await new RuntimeEvaluator(async () => model).evaluate('dir', docs, 'dev')).slices).toBeUndefined();
  });

  it('reads GATE_SLICES: off, the default file, or a file; a bad one is a configuration error', () => {
    expect(loadSlices('off')).toBeUndefined();
    expect(loadSlices('default')?.groups.length).toBeGreaterThanOrEqual(2);
    expect(() => loadSlices('/nonexistent/slices.json')).toThrow(ConfigError);
  });
});
