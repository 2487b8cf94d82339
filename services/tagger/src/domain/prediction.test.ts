import { codePointLength, mergePieces, type DocPrediction } from './prediction';
import { FakeEngine, fakeSplit } from '../testing/fakeEngine';

describe('mergePieces', () => {
  const engine = new FakeEngine({ maxLength: 8 });

  it('moves UTF-16 and code-point offsets of every piece, astral characters included', () => {
    const text = '今天😀去𠮷野家。北京😀😀下雪！李鹏在上海；国务院\n新华社电';
    const pieces = fakeSplit(text, 8);
    expect(pieces.length).toBeGreaterThan(2);
    const merged = mergePieces(text, pieces, pieces.map((p) => engine.predictOne(text.slice(p.start, p.end))));
    const whole = new FakeEngine({ maxLength: 1000 }).predictOne(text);
    expect(merged.entities).toEqual(whole.entities);
    for (const e of merged.entities) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(Array.from(text).slice(e.cpStart, e.cpEnd).join('')).toBe(e.text);
    }
    expect(merged.tokenCount).toBe(codePointLength(text));
    expect(merged.tokenEntropy).toHaveLength(merged.tokenCount);
    expect(merged.bestPathLogProb).toBeCloseTo(whole.bestPathLogProb);
  });

  it('recomputes the entropy summary and weights the embedding by tokens', () => {
    const a: DocPrediction = { entities: [], tokenCount: 1, tokenEntropy: [1], tokenConfidence: [0.5], meanEntropy: 1, maxEntropy: 1, bestPathLogProb: -1, entityMinMarginal: 0.7, embedding: [1, 0] };
    const b: DocPrediction = { entities: [], tokenCount: 3, tokenEntropy: [0, 0, 2], tokenConfidence: [1, 1, 0.2], meanEntropy: 2 / 3, maxEntropy: 2, bestPathLogProb: -2, entityMinMarginal: null, embedding: [0, 1] };
    const m = mergePieces('abcd', [{ start: 0, end: 1 }, { start: 1, end: 4 }], [a, b]);
    expect(m.meanEntropy).toBeCloseTo(3 / 4);
    expect(m.maxEntropy).toBe(2);
    expect(m.bestPathLogProb).toBe(-3);
    expect(m.entityMinMarginal).toBe(0.7);
    expect(m.embedding).toEqual([0.25, 0.75]);
  });

  it('returns a single piece starting at 0 unchanged', () => {
    const p = engine.predictOne('北京');
    expect(mergePieces('北京', [{ start: 0, end: 2 }], [p])).toBe(p);
  });

  it('refuses offsets that do not match the text', () => {
    const p = engine.predictOne('北京');
    expect(() => mergePieces('xx北京', [{ start: 1, end: 3 }], [p])).toThrow(RangeError);
  });
});
