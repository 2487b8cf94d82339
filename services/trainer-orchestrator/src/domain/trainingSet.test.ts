import { textHash } from '@zhner/core';
import type { CorpusExample } from '@zhner/core';
import { buildTrainingSet, maxNewFor, replayCountFor } from './trainingSet';

const ex = (id: string, text: string): CorpusExample => ({ id, text, entities: [] });
const pool = (n: number, prefix = 'replay') => Array.from({ length: n }, (_, i) => ex(`${prefix}-${i}`, `${prefix}句子第${i}号，北京`));
const corrections = (n: number) => Array.from({ length: n }, (_, i) => ex(`c-${i}`, `更正第${i}条：李鹏在上海`));

describe('replayCountFor', () => {
  it.each([
    [0, 0],
    [1, 6], // ceil(0.85/0.15) = ceil(5.67)
    [3, 17], // exactly 3/20 = 0.15: no rounding slack added
    [20, 114],
    [200, 1134],
  ])('needs k(%i) = %i replay sentences at cap 0.15', (n, k) => {
    expect(replayCountFor(n, 0.15)).toBe(k);
  });

  it('is the smallest k that keeps the share at or under the cap, for many n and caps', () => {
    for (const cap of [0.05, 0.1, 0.15, 0.2, 1 / 3, 0.5, 0.9]) {
      for (let n = 0; n <= 300; n++) {
        const k = replayCountFor(n, cap);
        if (n > 0) {
          expect(n / (n + k)).toBeLessThanOrEqual(cap + 1e-12);
          if (k > 0) expect(n / (n + k - 1)).toBeGreaterThan(cap - 1e-12);
        } else expect(k).toBe(0);
      }
    }
  });

  it('needs no replay at cap 1 and refuses caps outside (0, 1]', () => {
    expect(replayCountFor(50, 1)).toBe(0);
    expect(() => replayCountFor(5, 0)).toThrow(RangeError);
    expect(() => replayCountFor(5, 1.5)).toThrow(RangeError);
    expect(() => replayCountFor(-1, 0.15)).toThrow(RangeError);
  });

  it('maxNewFor is the inverse: the most new examples a pool can carry', () => {
    for (let pool = 0; pool < 200; pool++) {
      const n = maxNewFor(pool, 0.15);
      expect(replayCountFor(n, 0.15)).toBeLessThanOrEqual(pool);
      expect(replayCountFor(n + 1, 0.15)).toBeGreaterThan(pool);
    }
  });
});

describe('buildTrainingSet', () => {
  it('keeps new data at most 15% with exactly ceil(n·0.85/0.15) replay sentences', () => {
    const set = buildTrainingSet({ newExamples: corrections(40), replayPool: pool(1000), seed: 1 });
    expect(set.stats).toMatchObject({ nNew: 40, nReplay: replayCountFor(40), cap: 0.15, nNewDeferred: 0, replayEligible: 1000 });
    expect(set.stats.nReplay).toBe(227);
    expect(set.examples).toHaveLength(267);
    expect(set.stats.share).toBeLessThanOrEqual(0.15);
    expect(set.stats.share).toBeCloseTo(40 / 267, 12);
    const ids = set.examples.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length); // sampled without replacement
    expect(ids.filter((i) => i.startsWith('c-'))).toHaveLength(40);
  });

  it('hits the cap exactly when n·(1−cap)/cap is an integer', () => {
    const set = buildTrainingSet({ newExamples: corrections(3), replayPool: pool(100), seed: 'x' });
    expect(set.stats.nReplay).toBe(17);
    expect(set.stats.share).toBe(0.15);
  });

  it('is deterministic for a seed and draws differently for another seed', () => {
    const input = { newExamples: corrections(30), replayPool: pool(2000) };
    const a = buildTrainingSet({ ...input, seed: 7 });
    const b = buildTrainingSet({ ...input, seed: 7 });
    const c = buildTrainingSet({ ...input, seed: 8 });
    expect(b.examples).toEqual(a.examples);
    expect(c.replayExamples.map((e) => e.id)).not.toEqual(a.replayExamples.map((e) => e.id));
    expect(c.stats.nReplay).toBe(a.stats.nReplay);
  });

  it('never replays a sentence whose text is a correction (after dedup normalisation) or excluded', () => {
    const news = [ex('c-1', '李鹏在北京会见客人'), ex('c-2', 'ＮＢＡ球星访华')];
    const replay = [ex('r-dup', '李鹏在北京会见客人'), ex('r-norm', 'nba球星访华'), ex('r-held', '保留的句子'), ...pool(200)];
    const set = buildTrainingSet({ newExamples: news, replayPool: replay, seed: 3, excludeTextHashes: [textHash('保留的句子')] });
    const ids = set.examples.map((e) => e.id);
    expect(ids).not.toContain('r-dup');
    expect(ids).not.toContain('r-norm');
    expect(ids).not.toContain('r-held');
    expect(set.stats.replayExcluded).toBe(3);
    expect(set.stats.replayEligible).toBe(200);
  });

  it('deduplicates new examples by text hash, first occurrence first, and pool duplicates too', () => {
    const news = [ex('c-a', '同一句话'), ex('c-b', '同一句话 '), ex('c-c', '另一句话')];
    const replay = [ex('r-1', '重复的回放'), ex('r-2', '重复的回放'), ...pool(50)];
    const set = buildTrainingSet({ newExamples: news, replayPool: replay, seed: 1 });
    expect(set.newExamples.map((e) => e.id)).toEqual(['c-a', 'c-c']);
    expect(set.stats.nNewDuplicates).toBe(1);
    expect(set.stats.replayEligible).toBe(51);
  });

  it('trims new data rather than break the cap when the pool is tiny', () => {
    const set = buildTrainingSet({ newExamples: corrections(10), replayPool: pool(12), seed: 1 });
    // 12 replay sentences carry at most floor(12·0.15/0.85) = 2 new examples (k(2) = 12)
    expect(set.stats).toMatchObject({ nNew: 2, nReplay: 12, nNewDeferred: 8 });
    expect(set.newExamples.map((e) => e.id)).toEqual(['c-0', 'c-1']);
    expect(set.deferred.map((e) => e.id)).toEqual(['c-2', 'c-3', 'c-4', 'c-5', 'c-6', 'c-7', 'c-8', 'c-9']);
    expect(set.stats.share).toBeLessThanOrEqual(0.15);
  });

  it('returns an empty set when the pool cannot carry a single example, and for no corrections', () => {
    const tiny = buildTrainingSet({ newExamples: corrections(3), replayPool: pool(5), seed: 1 });
    expect(tiny.examples).toEqual([]);
    expect(tiny.stats).toMatchObject({ nNew: 0, nReplay: 0, share: 0, nNewDeferred: 3 });
    const none = buildTrainingSet({ newExamples: [], replayPool: pool(100), seed: 1 });
    expect(none.examples).toEqual([]);
    expect(none.stats.share).toBe(0);
  });

  it('takes the whole eligible pool when exactly enough', () => {
    const set = buildTrainingSet({ newExamples: corrections(1), replayPool: pool(6), seed: 9 });
    expect(set.stats).toMatchObject({ nNew: 1, nReplay: 6 });
    expect(new Set(set.replayExamples.map((e) => e.id))).toEqual(new Set(pool(6).map((e) => e.id)));
  });

  it('honours another cap', () => {
    const set = buildTrainingSet({ newExamples: corrections(10), replayPool: pool(100), seed: 1, cap: 0.5 });
    expect(set.stats).toMatchObject({ nNew: 10, nReplay: 10, share: 0.5 });
  });

  it('does not modify its inputs', () => {
    const news = corrections(5);
    const replay = pool(100);
    const before = JSON.stringify([news, replay]);
    buildTrainingSet({ newExamples: news, replayPool: replay, seed: 1 });
    expect(JSON.stringify([news, replay])).toBe(before);
  });
});
