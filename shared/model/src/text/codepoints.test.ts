import { codePointLength, normaliseCodePoint, toCodePoints } from './codepoints';
import { splitForModel } from './split';

const TRICKY = [
  '',
  '李明在北京',
  '😀李明👍🏽在𠀀𠀁北京', // emoji, skin-tone modifier, CJK Ext-B (astral)
  'ＮＢＡ球星Ｋｏｂｅ　１９９８年',
  'iPhone15在Apple Store发售，售价5999元',
  '\ud800孤立的高代理',
  '孤立的低代理\udc00',
  'a\ud83d',
  '\udc00\ud800',
  '🇨🇳中国',
];

describe('toCodePoints', () => {
  it.each(TRICKY)('offsets cover %j exactly and agree with Array.from', (text) => {
    const { cps, offsets } = toCodePoints(text);
    expect(offsets[0]).toBe(0);
    expect(offsets[cps.length]).toBe(text.length);
    const pieces = Array.from({ length: cps.length }, (_, i) => text.slice(offsets[i], offsets[i + 1]));
    expect(pieces.join('')).toBe(text);
    // Array.from iterates by code point and yields lone surrogates as single items too
    expect(pieces).toEqual(Array.from(text));
    pieces.forEach((p, i) => expect(p.codePointAt(0)).toBe(cps[i]));
    expect(codePointLength(text)).toBe(cps.length);
  });

  it('treats astral characters as one token and lone surrogates as one token', () => {
    expect(toCodePoints('𠀀a').cps.length).toBe(2);
    expect(Array.from(toCodePoints('\ud800x').cps)).toEqual([0xd800, 0x78]);
  });
});

describe('normaliseCodePoint', () => {
  it('maps full-width ASCII, ideographic space and capitals, one to one', () => {
    const src = 'ＮＢＡ　１９９８年ABCｚ😀';
    const out = Array.from(toCodePoints(src).cps, (c) => String.fromCodePoint(normaliseCodePoint(c))).join('');
    expect(out).toBe('nba 1998年abcz😀');
    expect(normaliseCodePoint(0xff01)).toBe(0x21);
    expect(normaliseCodePoint(0xff5e)).toBe(0x7e);
    expect(normaliseCodePoint(0xff5f)).toBe(0xff5f);
    expect(normaliseCodePoint(0xff21)).toBe(0x61); // Ａ -> A -> a
  });
});

describe('splitForModel', () => {
  it('cuts at sentence punctuation, then commas, then hard (the trainer algorithm)', () => {
    const text = '甲乙丙。丁戊己庚，辛壬癸子丑';
    expect(splitForModel(text, 6).map((s) => s.text)).toEqual(['甲乙丙。', '丁戊己庚，', '辛壬癸子丑']);
    expect(splitForModel('一二三四五六七', 3).map((s) => [s.cpStart, s.cpEnd])).toEqual([[0, 3], [3, 6], [6, 7]]);
    expect(splitForModel('', 3)).toEqual([{ text: '', start: 0, end: 0, cpStart: 0, cpEnd: 0 }]);
  });

  it.each(TRICKY)('segments of %j tile the text with consistent offsets', (text) => {
    for (const max of [1, 2, 3, 7]) {
      const segs = splitForModel(text, max);
      expect(segs.map((s) => s.text).join('')).toBe(text);
      let cp = 0;
      for (const s of segs) {
        expect(s.cpStart).toBe(cp);
        expect(s.cpEnd - s.cpStart).toBeLessThanOrEqual(max);
        expect(text.slice(s.start, s.end)).toBe(s.text);
        expect(codePointLength(s.text)).toBe(s.cpEnd - s.cpStart);
        cp = s.cpEnd;
      }
      expect(cp).toBe(codePointLength(text));
    }
  });

  it('never splits a surrogate pair', () => {
    const segs = splitForModel('😀😀😀', 2);
    expect(segs.map((s) => s.text)).toEqual(['😀😀', '😀']);
  });

  it('rejects a bad maxLength', () => {
    expect(() => splitForModel('x', 0)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
