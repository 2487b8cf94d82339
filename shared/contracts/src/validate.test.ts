import { ValidationError } from '@zhner/core';
import { validateCorrection, validateRawText, validateSpans } from './validate';
import type { Correction } from './types';

describe('validateRawText', () => {
  const ok = { id: 'a', text: '北京', source: 's', publishedAt: null, metadata: {} };
  it('accepts a normal document', () => expect(() => validateRawText(ok)).not.toThrow());
  it('rejects empty text with code EMPTY_TEXT', () => {
    expect(() => validateRawText({ ...ok, text: '' })).toThrow(expect.objectContaining({ code: 'EMPTY_TEXT' }));
  });
  it('rejects a lone surrogate', () => {
    expect(() => validateRawText({ ...ok, text: 'a\ud800b' })).toThrow(expect.objectContaining({ code: 'INVALID_UNICODE' }));
  });
  it('rejects an empty id', () => expect(() => validateRawText({ ...ok, id: '' })).toThrow(/id must not be empty/));
  it('applies the text policy to texts and ids: NUL and other C0 controls, but not \\t \\n \\r', () => {
    expect(() => validateRawText({ ...ok, text: '李\u0000鹏' })).toThrow(expect.objectContaining({ code: 'CONTROL_CHARACTER', field: 'text' }));
    expect(() => validateRawText({ ...ok, id: 'a\u0000' })).toThrow(expect.objectContaining({ code: 'CONTROL_CHARACTER', field: 'id' }));
    expect(() => validateRawText({ ...ok, source: '\u001b' })).toThrow(expect.objectContaining({ code: 'CONTROL_CHARACTER', field: 'source' }));
    expect(() => validateRawText({ ...ok, text: '第一行\r\n\t第二行' })).not.toThrow();
  });
});

describe('validateSpans', () => {
  const text = '李鹏在北京会见😀客人';
  it('accepts sorted, in-range, matching spans (UTF-16 offsets)', () => {
    expect(() => validateSpans(text, [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }])).not.toThrow();
  });
  it.each([
    [{ start: 8, end: 20, type: 'LOC', text: 'x' }, /outside the text/],
    [{ start: 2, end: 2, type: 'LOC', text: '' }, /must be < end/],
    [{ start: 3, end: 5, type: 'LOC', text: '南京' }, /differs from the slice/],
    [{ start: 3, end: 5, type: '', text: '北京' }, /type must not be empty/],
  ])('rejects %o', (span, msg) => {
    expect(() => validateSpans(text, [span])).toThrow(msg);
  });
  it('rejects overlaps, naming the span', () => {
    expect(() => validateSpans(text, [{ start: 0, end: 4, type: 'PER', text: '李鹏在北' }, { start: 3, end: 5, type: 'LOC', text: '北京' }])).toThrow(/entities\[1\].*overlaps/);
  });
});

describe('validateCorrection', () => {
  const c: Correction = { correctionId: 'c', candidateId: 'k', docId: 'd', text: '李鹏在北京', annotator: 'ann', revision: 1, entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }], modelVersion: 'm', origin: 'STUDIO', createdAt: 0 };
  it('accepts types in the label set', () => expect(() => validateCorrection(c, ['PER', 'LOC'])).not.toThrow());
  it('rejects a type outside the label set', () => {
    expect(() => validateCorrection({ ...c, entities: [{ ...c.entities[0], type: 'TIME' }] }, ['PER', 'LOC'])).toThrow(ValidationError);
  });
  it('rejects a negative revision', () => expect(() => validateCorrection({ ...c, revision: -1 })).toThrow(/revision/));
  it('rejects a type its own labelSet did not offer', () => {
    expect(() => validateCorrection({ ...c, labelSet: ['PER', 'LOC'] })).not.toThrow();
    expect(() => validateCorrection({ ...c, labelSet: ['LOC'] })).toThrow(expect.objectContaining({ code: 'TYPE_NOT_OFFERED', field: 'labelSet' }));
  });
});
