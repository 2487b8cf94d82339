import { ValidationError } from './errors';
import { corpusToGoldEntities, formatCorpusLine, goldToCorpusEntities, parseCorpusLine } from './corpus';
import { scoreSpans } from './scoring';

describe('UTF-16 ↔ code-point spans', () => {
  const text = '😀李鹏在𠮷野家见到王军'; // two astral characters before/inside the entities
  const gold = [
    { start: 2, end: 4, type: 'PER', text: '李鹏' },
    { start: 5, end: 9, type: 'ORG', text: '𠮷野家' },
    { start: 11, end: 13, type: 'PER', text: '王军' },
  ];

  it('converts correction offsets to corpus code points and back', () => {
    const cp = goldToCorpusEntities(text, gold);
    expect(cp).toEqual([
      { start: 1, end: 3, type: 'PER', text: '李鹏' },
      { start: 4, end: 7, type: 'ORG', text: '𠮷野家' },
      { start: 9, end: 11, type: 'PER', text: '王军' },
    ]);
    const cps = Array.from(text);
    for (const e of cp) expect(cps.slice(e.start, e.end).join('')).toBe(e.text);
    expect(corpusToGoldEntities(text, cp)).toEqual(gold);
  });

  it('refuses a span that splits a surrogate pair', () => {
    expect(() => goldToCorpusEntities(text, [{ start: 1, end: 4, type: 'PER', text: '\ude00李鹏' }])).toThrow(ValidationError);
    expect(() => goldToCorpusEntities(text, [{ start: 5, end: 6, type: 'ORG', text: '\ud842' }])).toThrow(/surrogate/);
  });

  it('round-trips a corpus line', () => {
    const ex = { id: 'x-1', text, entities: goldToCorpusEntities(text, gold) };
    expect(parseCorpusLine(formatCorpusLine(ex), 'f:1')).toEqual(ex);
    expect(() => parseCorpusLine('{"text": 5}', 'f:2')).toThrow(/f:2/);
    expect(() => parseCorpusLine('{"text": "ab", "entities": [{"start": 1, "end": 9, "type": "PER"}]}', 'f:3')).toThrow(/outside/);
  });
});

describe('scoreSpans (strict: start, end and type)', () => {
  it('counts tp/fp/fn and per-type scores', () => {
    const gold = [[{ start: 0, end: 2, type: 'PER' }, { start: 3, end: 5, type: 'LOC' }], [{ start: 0, end: 3, type: 'ORG' }]];
    const pred = [[{ start: 0, end: 2, type: 'PER' }, { start: 3, end: 5, type: 'ORG' }], [{ start: 0, end: 3, type: 'ORG' }, { start: 0, end: 3, type: 'ORG' }]];
    const s = scoreSpans(gold, pred);
    expect(s).toMatchObject({ tp: 2, fp: 1, fn: 1, docs: 2 });
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.recall).toBeCloseTo(2 / 3);
    expect(s.f1).toBeCloseTo(2 / 3);
    expect(s.perType.LOC).toEqual({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 0, correct: 0 });
    expect(s.perType.ORG.precision).toBeCloseTo(0.5);
  });

  it('is 0 (not NaN) with nothing predicted or nothing gold, and refuses mismatched lists', () => {
    expect(scoreSpans([[]], [[]]).f1).toBe(0);
    expect(scoreSpans([[{ start: 0, end: 1, type: 'PER' }]], [[]])).toMatchObject({ precision: 0, recall: 0, f1: 0, fn: 1 });
    expect(() => scoreSpans([[]], [])).toThrow(RangeError);
  });
});
