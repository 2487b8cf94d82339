import { gzipSync } from 'node:zlib';
import { toCodePoints } from '../text/codepoints';
import { CharBigramLexiconFeaturizer } from './featurizer';
import { Lexicon } from './lexicon';

const C = 7;
const lexFile = (lines: string[], maxLen = 4) => gzipSync(Buffer.from(`#zhner-lexicon v1\tmax_word_len=${maxLen}\n${lines.join('\n')}\n`));

describe('Lexicon', () => {
  const lex = Lexicon.fromGzip(lexFile(['北京\t1:8', '北京大学\t2:5', 'nb\t3:2,0:1']), C);

  it('marks B/M/E slots per category with the max level (trainer test case)', () => {
    const lv = lex.levels(['北', '京', '大', '学']);
    expect(lv.length).toBe(4 * 3 * C);
    const at = (i: number, slot: number, c: number) => lv[i * 3 * C + slot * C + c];
    expect(at(0, 0, 1)).toBe(8);
    expect(at(1, 2, 1)).toBe(8);
    expect([at(0, 0, 2), at(1, 1, 2), at(2, 1, 2), at(3, 2, 2)]).toEqual([5, 5, 5, 5]);
    expect(lv.reduce((a, b) => a + b, 0)).toBe(8 + 8 + 5 * 4);
  });

  it('continues through prefixes and stops at non-prefixes', () => {
    // "北京大" is only a prefix; "北京大学" must still be found from i=0
    expect(lex.levels(['北', '京', '大', '学', 'x'])[0 * 3 * C + 0 * C + 2]).toBe(5);
    expect(lex.levels(['x', 'y']).every((v) => v === 0)).toBe(true);
  });

  it('rejects a file that is not a zhner lexicon', () => {
    expect(() => Lexicon.fromGzip(gzipSync(Buffer.from('hello\n')), C)).toThrow(/lexicon/);
    expect(() => Lexicon.fromGzip(lexFile(['北京\t9:1']), C)).toThrow(/line 2/);
  });

  it('featurises normalised code points (full-width, case) and bigrams with </s>', () => {
    const f = new CharBigramLexiconFeaturizer(
      new Map([['<pad>', 0], ['<unk>', 1], ['n', 2], ['b', 3]]),
      new Map([['<pad>', 0], ['<unk>', 1], ['nb', 2], ['b</s>', 3]]),
      '</s>',
      1,
      lex,
      8,
    );
    const out = f.featurise(toCodePoints('ＮＢ').cps);
    expect(Array.from(out.inputIds)).toEqual([2, 3]);
    expect(Array.from(out.bigramIds ?? [])).toEqual([2, 3]);
    expect(out.lexiconLevels?.[0 * 3 * C + 0 * C + 3]).toBe(2);
    expect(out.lexiconLevels?.[1 * 3 * C + 2 * C + 0]).toBe(1);
    const odd = f.featurise(toCodePoints('\ud800😀').cps);
    expect(Array.from(odd.inputIds)).toEqual([1, 1]);
  });
});
