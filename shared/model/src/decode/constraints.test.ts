// The entity well-formedness rule (zhner.wellformed.v1) on emissions built to break it: whatever
// the model's scores say, no entity starts or ends on a blank, and none consists only of blanks,
// punctuation, symbols/emoji or digits.
import { crfFromJson } from '../crf/crf';
import { decodeSegment } from '../predict';
import { toCodePoints } from '../text/codepoints';
import { BLANK, DIGIT, HAN, LATIN, OTHER, PUNCT, SYMBOL, charClass } from '../text/charclass';
import { normaliseCodePoint } from '../text/codepoints';
import { blockedLabels, classesOf, wellformedSpans } from './constraints';
import { parseLabels } from './tags';

const LABELS = ['O', 'B-PER', 'I-PER', 'E-PER', 'S-PER', 'B-LOC', 'I-LOC', 'E-LOC', 'S-LOC'];
const parsed = parseLabels(LABELS);
const L = LABELS.length;
const crf = crfFromJson({ transitions: LABELS.map(() => LABELS.map(() => 0)), start: LABELS.map(() => 0), end: LABELS.map(() => 0) }, L);

/** Emissions that push every token towards `want[t]` (a label string) by a wide margin. */
function emissions(want: readonly string[]): Float32Array {
  const em = new Float32Array(want.length * L);
  want.forEach((w, t) => {
    em[t * L + LABELS.indexOf(w)] = 20;
  });
  return em;
}

function decode(text: string, want: readonly string[]) {
  const { cps } = toCodePoints(text);
  expect(cps.length).toBe(want.length);
  const classes = classesOf(cps);
  const p = decodeSegment(emissions(want), cps.length, crf, parsed, 'BIOES', new Float32Array(0), false, { classes, blocked: blockedLabels(parsed, 'BIOES') });
  return p.entities.map((e) => Array.from(text).slice(e.cpStart, e.cpEnd).join('') + '/' + e.type);
}

describe('character classes', () => {
  it('classify the probe characters as the trainer does', () => {
    const cls = (s: string) => Array.from(s).map((c) => charClass(normaliseCodePoint(c.codePointAt(0)!)));
    expect(cls('华𠀀〇')).toEqual([HAN, HAN, HAN]);
    expect(cls('aZＡé')).toEqual([LATIN, LATIN, LATIN, LATIN]);
    expect(cls('0９')).toEqual([DIGIT, DIGIT]);
    expect(cls('，。！,・“')).toEqual([PUNCT, PUNCT, PUNCT, PUNCT, PUNCT, PUNCT]);
    expect(cls('😀👍🏽🇨🇳\u200d\ufffd©')).toEqual([SYMBOL, SYMBOL, SYMBOL, SYMBOL, SYMBOL, SYMBOL, SYMBOL, SYMBOL]);
    expect(cls(' \u3000\t\u00a0\u200b')).toEqual([BLANK, BLANK, BLANK, BLANK, BLANK]);
    expect(cls('ひカ한Ж')).toEqual([OTHER, OTHER, OTHER, OTHER]);
  });
});

describe('well-formed entities (probe list)', () => {
  it('never tags blanks alone', () => {
    expect(decode('   ', ['S-PER', 'S-PER', 'S-PER'])).toEqual([]);
    expect(decode('   ', ['B-PER', 'I-PER', 'E-PER'])).toEqual([]);
    expect(decode('\u3000\u3000', ['B-LOC', 'E-LOC'])).toEqual([]);
  });

  it('never tags emoji, punctuation, symbols or digits alone', () => {
    expect(decode('😀😀😀', ['B-PER', 'I-PER', 'E-PER'])).toEqual([]);
    expect(decode('😀', ['S-PER'])).toEqual([]);
    expect(decode('，。！', ['B-LOC', 'I-LOC', 'E-LOC'])).toEqual([]);
    expect(decode('2009', ['B-PER', 'I-PER', 'I-PER', 'E-PER'])).toEqual([]);
    expect(decode('©®', ['B-PER', 'E-PER'])).toEqual([]);
  });

  it('never starts or ends an entity on a blank', () => {
    expect(decode('李鹏   在北京', ['B-PER', 'I-PER', 'E-PER', 'O', 'O', 'O', 'B-LOC', 'E-LOC'])).toEqual(['李鹏/PER', '北京/LOC']);
    expect(decode(' 李鹏 ', ['B-PER', 'I-PER', 'I-PER', 'E-PER'])).toEqual(['李鹏/PER']);
    expect(decode('　北京', ['S-LOC', 'B-LOC', 'E-LOC'])).toEqual(['北京/LOC']);
  });

  it('keeps blanks, punctuation and digits inside an entity, and emoji next to content', () => {
    expect(decode('Bill Gates', ['B-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'E-PER'])).toEqual(['Bill Gates/PER']);
    expect(decode('科比・布莱恩特', ['B-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', 'E-PER'])).toEqual(['科比・布莱恩特/PER']);
    expect(decode('3M公司', ['B-PER', 'I-PER', 'I-PER', 'E-PER'])).toEqual(['3M公司/PER']);
  });

  it('the post-rule trims and drops what a BIO path could leave', () => {
    const cls = classesOf(toCodePoints('李鹏  ，').cps);
    expect(wellformedSpans([{ start: 0, end: 4, type: 'PER' }, { start: 2, end: 5, type: 'LOC' }], cls)).toEqual([{ start: 0, end: 2, type: 'PER' }]);
    expect(blockedLabels(parseLabels(['O', 'B-PER', 'I-PER']), 'BIO')).toEqual([1]);
  });
});
