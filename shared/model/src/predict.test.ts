import { mergeDocument, planDocument, type SegmentResult } from './predict';

/** A segment result tagging every occurrence of `words` (code-point offsets in the segment). */
function dictSegment(segment: string, words: Record<string, string>, embedding: number[]): SegmentResult {
  const cps = Array.from(segment);
  const entities: Array<SegmentResult['entities'][number]> = [];
  for (let i = 0; i < cps.length; i++) {
    for (const [w, type] of Object.entries(words)) {
      const n = Array.from(w).length;
      if (cps.slice(i, i + n).join('') === w) entities.push({ cpStart: i, cpEnd: i + n, type, score: 0.9, minMarginal: 0.8 });
    }
  }
  return { length: cps.length, entities, tokenConfidence: cps.map(() => 0.9), tokenEntropy: cps.map((_, t) => t / 10), bestPathLogProb: -cps.length, embedding };
}

describe('planDocument + mergeDocument (the runtime owns documents)', () => {
  const words = { 北京: 'LOC', '𠮷野家': 'ORG', 李鹏: 'PER', 新华社: 'ORG' };

  it('moves UTF-16 and code-point offsets of every segment, astral characters included', () => {
    const text = '今天😀去𠮷野家。北京😀😀下雪！李鹏在上海；国务院\n新华社电';
    const plan = planDocument(text, 8);
    expect(plan.segments.length).toBeGreaterThan(2);
    expect(plan.segments.map((s) => s.text).join('')).toBe(text); // never truncated
    const merged = mergeDocument(plan, plan.segments.map((s) => dictSegment(s.text, words, [1, 0])), { modelVersion: 'v' });
    const whole = mergeDocument(planDocument(text, 1000), [dictSegment(text, words, [1, 0])], { modelVersion: 'v' });
    expect(merged.entities).toEqual(whole.entities);
    expect(merged.entities.map((e) => e.text)).toEqual(['𠮷野家', '北京', '李鹏', '新华社']);
    for (const e of merged.entities) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(Array.from(text).slice(e.cpStart, e.cpEnd).join('')).toBe(e.text);
    }
    expect(merged.tokens).toBe(Array.from(text).length);
    expect(merged.tokenEntropy).toHaveLength(merged.tokens);
    expect(merged.segments).toBe(plan.segments.length);
    expect(merged.bestPathLogProb).toBe(-Array.from(text).length);
  });

  it('recomputes the entropy summary and weights the embedding by tokens', () => {
    const plan = planDocument('abcd。', 2);
    expect(plan.segments.map((s) => s.text)).toEqual(['ab', 'cd', '。']);
    const seg = (n: number, h: number[], emb: number[], minMarginal?: number): SegmentResult => ({
      length: n, tokenEntropy: h, tokenConfidence: h.map(() => 1), bestPathLogProb: -n, embedding: emb,
      entities: minMarginal === undefined ? [] : [{ cpStart: 0, cpEnd: 1, type: 'PER', score: 0.9, minMarginal }],
    });
    const m = mergeDocument(plan, [seg(2, [1, 0], [1, 0], 0.7), seg(2, [0, 2], [0, 1]), seg(1, [0], [0, 1], 0.4)], { modelVersion: 'v' });
    expect(m.meanEntropy).toBeCloseTo(3 / 5);
    expect(m.maxEntropy).toBe(2);
    expect(m.bestPathLogProb).toBe(-5);
    expect(m.entityMinMarginal).toBe(0.4);
    expect(Array.from(m.embedding)).toEqual([expect.closeTo(0.4), expect.closeTo(0.6)]);
    expect(m.entities.map((e) => [e.start, e.end, e.text])).toEqual([[0, 1, 'a'], [4, 5, '。']]);
  });

  it('gives an empty text no segments and an empty prediction', () => {
    const plan = planDocument('', 10);
    expect(plan.segments).toEqual([]);
    const m = mergeDocument(plan, [], { modelVersion: 'v', embeddingDim: 3 });
    expect(m).toMatchObject({ entities: [], tokens: 0, meanEntropy: 0, maxEntropy: 0, bestPathLogProb: 0, entityMinMarginal: null, segments: 0 });
    expect(Array.from(m.embedding)).toEqual([0, 0, 0]);
  });

  it('refuses results that do not match the plan (never emit wrong offsets)', () => {
    const plan = planDocument('北京。李鹏', 3);
    const results = plan.segments.map((s) => dictSegment(s.text, words, [0]));
    expect(() => mergeDocument(plan, results.slice(1), { modelVersion: 'v' })).toThrow(RangeError);
    expect(() => mergeDocument(plan, [results[1], results[0]].concat(results.slice(2)), { modelVersion: 'v' })).toThrow(/code points/);
    expect(() => planDocument('x', 0)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
