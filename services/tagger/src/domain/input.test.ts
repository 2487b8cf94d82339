import { ValidationError } from '@zhner/core';
import { checkText, textsOfRequest } from './input';
import { resolveModelUri } from './modelLocation';
import { LatencyWindow } from './latencyWindow';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).code;
  }
  throw new Error('did not throw');
};

describe('text checks', () => {
  const limits = { maxLength: 10, maxTexts: 2 };
  it.each([
    [{}, 'TEXTS_REQUIRED'],
    [{ text: 'a', texts: ['b'] }, 'TEXTS_REQUIRED'],
    [{ text: 5 }, 'NOT_A_STRING'],
    [{ text: '' }, 'EMPTY_TEXT'],
    [{ text: '北'.repeat(11) }, 'TEXT_TOO_LONG'],
    [{ text: 'a\ud800b' }, 'INVALID_UNICODE'],
    [{ text: 'a\udc00' }, 'INVALID_UNICODE'],
    [{ text: '李\u0000鹏' }, 'CONTROL_CHARACTER'],
    [{ text: '\u001b[31m' }, 'CONTROL_CHARACTER'],
    [{ texts: 'a' }, 'NOT_A_STRING'],
    [{ texts: [] }, 'EMPTY_TEXT'],
    [{ texts: ['a', 'b', 'c'] }, 'TOO_MANY_TEXTS'],
    [{ texts: ['a', null] }, 'NOT_A_STRING'],
  ])('%j → %s', (body, code) => {
    expect(codeOf(() => textsOfRequest(body as { text?: unknown; texts?: unknown }, limits))).toBe(code);
  });

  it('accepts one text or a list, and a valid surrogate pair', () => {
    expect(textsOfRequest({ text: '今天😀' }, limits)).toEqual({ texts: ['今天😀'], single: true });
    expect(textsOfRequest({ texts: ['a', 'b'] }, limits)).toEqual({ texts: ['a', 'b'], single: false });
    expect(checkText('x'.repeat(10), 10)).toHaveLength(10);
    expect(checkText('第一行\r\n第二行\t', 10)).toBe('第一行\r\n第二行\t'); // \t \n \r are text
  });

  it('names the offending item', () => {
    expect(() => textsOfRequest({ texts: ['ok', ''] }, limits)).toThrow(/texts\[1\] must not be empty/);
  });
});

describe('resolveModelUri', () => {
  it('takes paths relative to the base, absolute paths and file URLs, and refuses other schemes', () => {
    expect(resolveModelUri('models/x', '/repo')).toBe('/repo/models/x');
    expect(resolveModelUri('/abs/m', '/repo')).toBe('/abs/m');
    expect(resolveModelUri('file:///abs/m%20n', '/repo')).toBe('/abs/m n');
    expect(codeOf(() => resolveModelUri('s3://bucket/m', '/repo'))).toBe('UNSUPPORTED_MODEL_URI');
  });
});

describe('LatencyWindow', () => {
  it('reports nearest-rank percentiles over the last samples', () => {
    const w = new LatencyWindow(100);
    expect(w.percentile(0.99)).toBeNull();
    for (let i = 1; i <= 200; i++) w.add(i);
    expect(w.percentile(0.5)).toBe(150);
    expect(w.percentile(0.99)).toBe(199);
  });
});
