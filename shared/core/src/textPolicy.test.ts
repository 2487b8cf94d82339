import { TEXT_POLICY_CODES, decodeUtf8Strict, isTextViolation, textPolicyViolation } from './textPolicy';

describe('textPolicyViolation', () => {
  it.each([
    ['plain Chinese', '新华社北京电，国务院总理李鹏今天会见了日本客人。'],
    ['tabs, newlines and carriage returns', 'a\tb\nc\r\nd'],
    ['emoji and astral characters (valid surrogate pairs)', '今天😀去𠮷野家👍🏽'],
    ['DEL and C1 controls (outside C0)', 'a\u007fb\u0085c'],
  ])('accepts %s', (_name, text) => {
    expect(textPolicyViolation(text)).toBeNull();
  });

  it.each([
    ['NUL', 'ab\u0000c', TEXT_POLICY_CODES.controlCharacter, 2],
    ['BEL', '\u0007', TEXT_POLICY_CODES.controlCharacter, 0],
    ['vertical tab', 'x\u000by', TEXT_POLICY_CODES.controlCharacter, 1],
    ['unit separator', 'x\u001f', TEXT_POLICY_CODES.controlCharacter, 1],
    ['lone high surrogate', 'a\ud800b', TEXT_POLICY_CODES.loneSurrogate, 1],
    ['lone low surrogate', '\udc00', TEXT_POLICY_CODES.loneSurrogate, 0],
    ['reversed pair', '\ude00\ud83d', TEXT_POLICY_CODES.loneSurrogate, 0],
  ])('rejects %s with its code and position', (_name, text, code, at) => {
    expect(textPolicyViolation(text)).toEqual(expect.objectContaining({ code, at }));
  });
});

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8, including 4-byte sequences and an empty input', () => {
    expect(decodeUtf8Strict(Buffer.from('北京😀', 'utf8'))).toBe('北京😀');
    expect(decodeUtf8Strict(Buffer.alloc(0))).toBe('');
    // a view into a larger buffer decodes only its own bytes
    const big = Buffer.from('xx北京yy', 'utf8');
    expect(decodeUtf8Strict(big.subarray(2, 8))).toBe('北京');
  });

  it('classifies a UTF-8-encoded surrogate (CESU-8) as INVALID_UNICODE, like "\\ud800" in JSON', () => {
    const v = decodeUtf8Strict(Buffer.from([0x41, 0xed, 0xa0, 0x80, 0x42]));
    expect(isTextViolation(v) && v.code).toBe(TEXT_POLICY_CODES.loneSurrogate);
    expect(isTextViolation(v) && v.at).toBe(1);
  });

  it.each([
    ['a stray continuation byte', [0x41, 0x80]],
    ['0xFF', [0xff]],
    ['a truncated sequence', [0xe5, 0x8c]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('rejects %s as INVALID_UTF8', (_name, bytes) => {
    const v = decodeUtf8Strict(Buffer.from(bytes));
    expect(isTextViolation(v)).toBe(true);
    expect(isTextViolation(v) && v.code).toBe(TEXT_POLICY_CODES.invalidUtf8);
  });

  it('does not judge control characters (ids and metadata may hold them)', () => {
    expect(decodeUtf8Strict(Buffer.from('a\u0000b', 'utf8'))).toBe('a\u0000b');
  });
});
