import { readFileSync } from 'node:fs';
import { DEFAULT_SLICES_FILE, parseSliceFile, sliceReport, widenedGaps, type SliceFile, type SlicedSpan } from './slices';

const file: SliceFile = {
  minSupport: 1,
  groups: [
    {
      name: 'gender',
      slices: [
        { name: 'women', type: 'PER', match: 'last-char', words: ['芳', '丽'] },
        { name: 'men', type: 'PER', match: 'last-char', words: ['伟', '强'] },
      ],
    },
    {
      name: 'place',
      slices: [
        { name: 'home', type: 'LOC', match: 'prefix', words: ['北京', '中国'] },
        { name: 'abroad', type: 'LOC', match: 'exact', words: ['美国'] },
      ],
    },
  ],
};

// code-point spans by surface text (first occurrence)
const span = (text: string, s: string, type: string): SlicedSpan => {
  const cps = [...text];
  const at = cps.findIndex((_, i) => cps.slice(i, i + [...s].length).join('') === s);
  if (at < 0) throw new Error(`${s} not in ${text}`);
  return { cpStart: at, cpEnd: at + [...s].length, type };
};

const texts = ['王芳和李伟在北京见面。', '张丽去了美国，赵强留在北京市。', '𠮷芳说美国队赢了。'];
const gold = [
  [span(texts[0], '王芳', 'PER'), span(texts[0], '李伟', 'PER'), span(texts[0], '北京', 'LOC')],
  [span(texts[1], '张丽', 'PER'), span(texts[1], '美国', 'LOC'), span(texts[1], '赵强', 'PER'), span(texts[1], '北京市', 'LOC')],
  [span(texts[2], '𠮷芳', 'PER')],
];

describe('bias slices', () => {
  it('scores each slice strictly (hand-counted) and the gap per group', () => {
    // predictions: every man right; women: 王芳 right, 张丽 missed, 𠮷芳 cut to 芳 (wrong span, not a slice member: 1 character);
    // places: 北京 right, 北京市 cut to 北京 (wrong, counts as a predicted home), 美国 right
    const pred = [
      [span(texts[0], '王芳', 'PER'), span(texts[0], '李伟', 'PER'), span(texts[0], '北京', 'LOC')],
      [span(texts[1], '美国', 'LOC'), span(texts[1], '赵强', 'PER'), span(texts[1], '北京', 'LOC')],
      [{ cpStart: 1, cpEnd: 2, type: 'PER' }],
    ];
    const r = sliceReport(file, texts, gold, pred);
    expect(r.gender.slices.women).toEqual({ support: 3, predicted: 1, correct: 1, precision: 1, recall: 1 / 3, f1: 0.5 });
    expect(r.gender.slices.men).toEqual({ support: 2, predicted: 2, correct: 2, precision: 1, recall: 1, f1: 1 });
    expect(r.gender.f1Gap).toBeCloseTo(0.5, 10);
    expect(r.gender.recallGap).toBeCloseTo(2 / 3, 10);
    expect(r.place.slices.home).toMatchObject({ support: 2, predicted: 2, correct: 1 });
    expect(r.place.slices.abroad).toMatchObject({ support: 1, predicted: 1, correct: 1, f1: 1 });
  });

  it('gives no gap when a slice has less support than minSupport', () => {
    const r = sliceReport({ ...file, minSupport: 3 }, texts, gold, gold);
    expect(r.gender.slices.men.support).toBe(2);
    expect(r.gender.f1Gap).toBeNull();
  });

  it('flags a deliberately skewed candidate: it drops the women, the gap widens past the tolerance', () => {
    const base = sliceReport(file, texts, gold, gold); // perfect: no gap
    const skewed = gold.map((g, i) => g.filter((e) => !(e.type === 'PER' && ['芳', '丽'].includes([...texts[i]][e.cpEnd - 1]))));
    const cand = sliceReport(file, texts, gold, skewed);
    expect(cand.gender.slices.women.recall).toBe(0);
    const flags = widenedGaps(base, cand, 0.05);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ group: 'gender', baseGap: 0, candidateGap: 1 });
    expect(flags[0].reason).toMatch(/widened from 0\.0 to 100\.0 points .* lowest slice women/);
    // the same candidate against itself: nothing widened
    expect(widenedGaps(cand, cand, 0.05)).toEqual([]);
  });

  it('reads the default slice file and refuses malformed ones with the field', () => {
    const def = parseSliceFile(JSON.parse(readFileSync(DEFAULT_SLICES_FILE, 'utf8')));
    expect(def.groups.map((g) => g.name)).toEqual(['PER given name: women / men', 'LOC at home / abroad', 'LOC region: east coast / west']);
    const [women, men] = def.groups[0].slices;
    expect(women.words.filter((w) => men.words.includes(w))).toEqual([]);
    expect(() => parseSliceFile({ groups: [] })).toThrow(/groups must be a non-empty array/);
    expect(() => parseSliceFile({ groups: [{ name: 'g', slices: [{ name: 'a', type: 'PER', match: 'last-char', words: ['芳'] }] }] })).toThrow(/at least two slices/);
    expect(() => parseSliceFile({ groups: [{ name: 'g', slices: [{ name: 'a', type: 'PER', match: 'last-char', words: ['芳芳'] }, { name: 'b', type: 'PER', match: 'exact', words: ['x'] }] }] })).toThrow(/groups\[0\]\.slices\[0\]: last-char words must be single characters/);
  });
});
