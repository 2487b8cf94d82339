import { ValidationError } from '@zhner/core';
import { bioToSpans, checkSpans, isCorrectionRejected, type CorrectionRejected, type SpanInput } from './spans';

const LABELS = ['PER', 'LOC', 'ORG'];
const TEXT = '李鹏在北京会见了日本客人';
const span = (start: number, end: number, type: string, text = TEXT.slice(start, end)): SpanInput => ({ start, end, type, text });

function rejection(fn: () => unknown): CorrectionRejected {
  try {
    fn();
  } catch (err) {
    // still a ValidationError: the platform's 400 with field and details, dead-lettered on a topic
    if (isCorrectionRejected(err) && err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a CorrectionRejected');
}

describe('checkSpans', () => {
  it('accepts well-formed spans in any order', () => {
    expect(() => checkSpans(TEXT, [span(3, 5, 'LOC'), span(0, 2, 'PER')], LABELS)).not.toThrow();
    expect(() => checkSpans(TEXT, [], LABELS)).not.toThrow();
  });

  it.each([
    ['a span past the end', [span(0, 2, 'PER'), { start: 10, end: 13, type: 'LOC', text: '客人' }], 'SPAN_OUT_OF_RANGE', 'entities[1]'],
    ['a negative start', [{ start: -1, end: 2, type: 'PER', text: '李鹏' }], 'SPAN_OUT_OF_RANGE', 'entities[0]'],
    ['start = end', [span(0, 2, 'PER'), { start: 4, end: 4, type: 'LOC', text: '' }], 'SPAN_EMPTY', 'entities[1]'],
    ['start > end', [{ start: 5, end: 3, type: 'LOC', text: '' }], 'SPAN_EMPTY', 'entities[0]'],
    ['fractional offsets', [{ start: 0.5, end: 2, type: 'PER', text: '李鹏' }], 'SPAN_NOT_INTEGER', 'entities[0]'],
    ['surface text differing from the slice', [span(0, 2, 'PER'), span(3, 5, 'LOC'), { start: 8, end: 10, type: 'LOC', text: '中国' }], 'SURFACE_MISMATCH', 'entities[2]'],
    ['a type outside the label set', [span(0, 2, 'PER'), span(3, 5, 'GPE')], 'UNKNOWN_TYPE', 'entities[1]'],
    ['overlapping spans', [span(3, 5, 'LOC'), span(0, 2, 'PER'), span(4, 6, 'ORG')], 'SPAN_OVERLAP', 'entities[2]'],
    ['a span nested in another', [span(0, 5, 'ORG'), span(3, 5, 'LOC')], 'SPAN_OVERLAP', 'entities[1]'],
  ])('rejects %s, naming the span', (_what, spans, code, field) => {
    const err = rejection(() => checkSpans(TEXT, spans as SpanInput[], LABELS));
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });

  it('names both spans of an overlap', () => {
    const err = rejection(() => checkSpans(TEXT, [span(3, 5, 'LOC'), span(4, 6, 'ORG')], LABELS));
    expect(err.message).toMatch(/entities\[1\].*overlaps entities\[0\]/);
  });

  it('refuses a boundary inside a surrogate pair', () => {
    const text = '去𠮷野家吃饭';
    expect(() => checkSpans(text, [{ start: 1, end: 5, type: 'ORG', text: '𠮷野家' }], LABELS)).not.toThrow();
    expect(rejection(() => checkSpans(text, [{ start: 2, end: 5, type: 'ORG', text: text.slice(2, 5) }], LABELS)).code).toBe('SPLITS_CHARACTER');
  });
});

describe('bioToSpans', () => {
  const tags = (s: string) => s.split(' ');

  it('turns one tag per character into spans', () => {
    expect(bioToSpans(TEXT, tags('B-PER I-PER O B-LOC I-LOC O O O B-LOC I-LOC O O'), LABELS)).toEqual([span(0, 2, 'PER'), span(3, 5, 'LOC'), span(8, 10, 'LOC')]);
  });

  it('counts characters as code points and keeps UTF-16 offsets', () => {
    const text = '去𠮷野家';
    expect(bioToSpans(text, ['O', 'B-ORG', 'I-ORG', 'I-ORG'], LABELS)).toEqual([{ start: 1, end: 5, type: 'ORG', text: '𠮷野家' }]);
  });

  it('closes a span at a B- of another entity right after it', () => {
    expect(bioToSpans('北京上海', tags('B-LOC I-LOC B-LOC I-LOC'), LABELS)).toEqual([
      { start: 0, end: 2, type: 'LOC', text: '北京' },
      { start: 2, end: 4, type: 'LOC', text: '上海' },
    ]);
  });

  it('maps per-token tags through the tokens', () => {
    expect(bioToSpans('李鹏在北京', ['B-PER', 'O', 'B-LOC'], LABELS, ['李鹏', '在', '北京'])).toEqual([span(0, 2, 'PER'), span(3, 5, 'LOC')]);
  });

  it.each([
    ['I- at the start', 'I-PER I-PER O O O O O O O O O O', 'BIO_INVALID', 'tags[0]', /no B-PER/],
    ['I- after O', 'B-PER I-PER O I-LOC I-LOC O O O O O O O', 'BIO_INVALID', 'tags[3]', /after "O"/],
    ['I- of another type', 'B-PER I-PER O B-LOC I-ORG O O O O O O O', 'BIO_INVALID', 'tags[4]', /type mismatch/],
    ['a malformed tag', 'B-PER I-PER O X-LOC O O O O O O O O', 'BIO_INVALID', 'tags[3]', /not O, B-<type> or I-<type>/],
    ['a type outside the label set', 'B-PER I-PER O B-GPE I-GPE O O O O O O O', 'UNKNOWN_TYPE', 'tags[3]', /label set/],
    ['too few tags', 'B-PER I-PER O', 'TAGS_LENGTH', 'tags', /3 tags for 12 characters/],
  ])('rejects %s, naming the position', (_what, t, code, field, message) => {
    const err = rejection(() => bioToSpans(TEXT, tags(t), LABELS));
    expect([err.code, err.field]).toEqual([code, field]);
    expect(err.message).toMatch(message);
  });

  it('rejects tokens that do not make up the text', () => {
    const err = rejection(() => bioToSpans('李鹏在北京', ['B-PER', 'O'], LABELS, ['李鹏', '在上海']));
    expect([err.code, err.field]).toEqual(['TOKENS_MISMATCH', 'tokens']);
  });
});
