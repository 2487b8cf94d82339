// Character classes (zhner.char_class.v1), identical to zhner_trainer/text.py: the class of one
// NORMALISED code point (normaliseCodePoint first). Ids 1..7; 0 is padding. Used as the class_ids
// input of zhner.char_bigram_lexicon.v2 models and, for every model, by the entity
// well-formedness rule (decode/constraints.ts). Explicit ranges, not \p{..}, so that the runtime
// and the trainer agree whatever Unicode version either ships.

export const CHAR_CLASS_NAMES = ['<pad>', 'han', 'latin', 'digit', 'punct', 'symbol', 'blank', 'other'] as const;
export const HAN = 1;
export const LATIN = 2;
export const DIGIT = 3;
export const PUNCT = 4;
export const SYMBOL = 5;
export const BLANK = 6;
export const OTHER = 7;

/** (first, last, class), inclusive; earlier ranges win; anything else is OTHER. */
const RANGES: ReadonlyArray<readonly [number, number, number]> = [
  [0x9, 0xd, BLANK], [0x20, 0x20, BLANK], [0x85, 0x85, BLANK], [0xa0, 0xa0, BLANK],
  [0x1680, 0x1680, BLANK], [0x2000, 0x200b, BLANK], [0x2028, 0x2029, BLANK], [0x202f, 0x202f, BLANK],
  [0x205f, 0x205f, BLANK], [0x3000, 0x3000, BLANK], [0xfeff, 0xfeff, BLANK], [0x30, 0x39, DIGIT],
  [0x61, 0x7a, LATIN], [0x41, 0x5a, LATIN], [0xc0, 0xd6, LATIN], [0xd8, 0xf6, LATIN],
  [0xf8, 0x24f, LATIN], [0x1e00, 0x1eff, LATIN], [0x3400, 0x4dbf, HAN], [0x4e00, 0x9fff, HAN],
  [0xf900, 0xfaff, HAN], [0x20000, 0x3134f, HAN], [0x3007, 0x3007, HAN], [0x21, 0x2f, PUNCT],
  [0x3a, 0x40, PUNCT], [0x5b, 0x60, PUNCT], [0x7b, 0x7e, PUNCT], [0xa1, 0xa1, PUNCT],
  [0xab, 0xab, PUNCT], [0xb7, 0xb7, PUNCT], [0xbb, 0xbb, PUNCT], [0xbf, 0xbf, PUNCT],
  [0x2010, 0x2027, PUNCT], [0x2030, 0x205e, PUNCT], [0x3001, 0x3006, PUNCT], [0x3008, 0x3020, PUNCT],
  [0x3030, 0x3030, PUNCT], [0x30fb, 0x30fb, PUNCT], [0xfe10, 0xfe1f, PUNCT], [0xfe30, 0xfe6f, PUNCT],
  [0xff01, 0xff0f, PUNCT], [0xff1a, 0xff20, PUNCT], [0xff3b, 0xff40, PUNCT], [0xff5b, 0xff65, PUNCT],
  [0xa2, 0xaa, SYMBOL], [0xac, 0xb6, SYMBOL], [0xb8, 0xba, SYMBOL], [0xbc, 0xbe, SYMBOL],
  [0xd7, 0xd7, SYMBOL], [0xf7, 0xf7, SYMBOL], [0x200c, 0x200f, SYMBOL], [0x20a0, 0x20cf, SYMBOL],
  [0x2100, 0x2bff, SYMBOL], [0x3200, 0x33ff, SYMBOL], [0xd800, 0xdfff, SYMBOL], [0xe000, 0xf8ff, SYMBOL],
  [0xfe00, 0xfe0f, SYMBOL], [0xfff9, 0xfffd, SYMBOL], [0x1f000, 0x1faff, SYMBOL], [0xe0000, 0xe007f, SYMBOL],
  [0xe0100, 0xe01ef, SYMBOL],
];

/** Classes of the BMP, one byte per code point (astral code points are looked up in RANGES). */
const BMP = ((): Uint8Array => {
  const t = new Uint8Array(0x10000).fill(OTHER);
  for (let k = RANGES.length - 1; k >= 0; k--) {
    const [lo, hi, c] = RANGES[k];
    for (let cp = lo; cp <= Math.min(hi, 0xffff); cp++) t[cp] = c;
  }
  return t;
})();
const ASTRAL = RANGES.filter(([, hi]) => hi > 0xffff);

/** Class id (1..7) of one normalised code point. */
export function charClass(cp: number): number {
  if (cp < 0x10000) return BMP[cp];
  for (const [lo, hi, c] of ASTRAL) if (cp >= lo && cp <= hi) return c;
  return OTHER;
}

/** True for the classes that cannot make an entity on their own (digit, punct, symbol, blank). */
export function isNonContent(cls: number): boolean {
  return cls === DIGIT || cls === PUNCT || cls === SYMBOL || cls === BLANK;
}
