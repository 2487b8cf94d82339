import { bioToSpans, overlaps, spanProblem, spansToBio, splitsCharacter } from './spans';

describe('the span rule', () => {
  const text = '李鹏在北京会见了😀日本客人';
  it('accepts valid spans and names the first broken rule with its code and field', () => {
    expect(spanProblem(text, [{ start: 0, end: 2, type: 'PER', text: '李鹏' }], { labels: ['PER'] })).toBeUndefined();
    expect(spanProblem(text, [{ start: 0, end: 2, type: 'PER', text: '李' }])).toMatchObject({ code: 'SURFACE_MISMATCH', field: 'entities[0]' });
    expect(spanProblem(text, [{ start: 8, end: 9, type: 'X', text: '\ud83d' }])).toMatchObject({ code: 'SPLITS_CHARACTER' });
    expect(spanProblem(text, [{ start: 0, end: 2, type: 'GPE', text: '李鹏' }], { labels: ['PER'], field: 'predicted' })).toMatchObject({ code: 'UNKNOWN_TYPE', field: 'predicted[0]' });
    expect(spanProblem(text, [{ start: 3, end: 5, type: 'LOC', text: '北京' }, { start: 2, end: 4, type: 'LOC', text: '在北' }])).toMatchObject({ code: 'SPAN_OVERLAP', field: 'entities[0]' });
    expect(spanProblem(text, [{ start: 3, end: 5, type: 'LOC', text: '北京' }, { start: 2, end: 4, type: 'LOC', text: '在北' }], { allowOverlap: true })).toBeUndefined();
    expect(spanProblem(text, [{ start: 1.5, end: 2, type: 'PER', text: '鹏' }])).toMatchObject({ code: 'SPAN_NOT_INTEGER' });
    expect(spanProblem(text, [{ start: 0, end: 99, type: 'PER', text: '' }])).toMatchObject({ code: 'SPAN_OUT_OF_RANGE' });
    expect(spanProblem(text, [{ start: 2, end: 2, type: 'PER', text: '' }])).toMatchObject({ code: 'SPAN_EMPTY' });
    expect(spanProblem(text, [{ start: 0, end: 2, type: '', text: '李鹏' }])).toMatchObject({ code: 'TYPE_EMPTY' });
  });

  it('knows surrogate pairs and overlap', () => {
    expect(splitsCharacter(text, 9)).toBe(true);
    expect(splitsCharacter(text, 8)).toBe(false);
    expect(overlaps({ start: 0, end: 2 }, { start: 1, end: 3 })).toBe(true);
    expect(overlaps({ start: 0, end: 2 }, { start: 2, end: 3 })).toBe(false);
  });

  it('converts BIO tags to spans and back, astral characters included', () => {
    const spans = [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }, { start: 10, end: 12, type: 'LOC', text: '日本' }];
    const tags = spansToBio(text, spans);
    expect(tags).toHaveLength(Array.from(text).length);
    expect(tags.slice(0, 6)).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC', 'O']);
    expect(bioToSpans(text, tags, ['PER', 'LOC'])).toEqual({ spans });
    expect(bioToSpans(text, ['I-PER', ...tags.slice(1)])).toMatchObject({ problem: { code: 'BIO_INVALID', field: 'tags[0]' } });
    expect(bioToSpans(text, tags.slice(1))).toMatchObject({ problem: { code: 'TAGS_LENGTH' } });
    expect(bioToSpans('ab', ['B-X', 'I-Y'])).toMatchObject({ problem: { code: 'BIO_INVALID', field: 'tags[1]' } });
  });
});
