// Code-point view of a JS string. A token is one Unicode code point: a surrogate pair is one token,
// a lone surrogate is one token too (its own code unit), so no input can crash the tokenizer.

export interface CodePoints {
  /** Code point values, one per token. */
  readonly cps: Uint32Array;
  /** UTF-16 offset where token i starts; `offsets[cps.length] === text.length`. */
  readonly offsets: Uint32Array;
}

export function toCodePoints(text: string): CodePoints {
  const n16 = text.length;
  const cps = new Uint32Array(n16);
  const offsets = new Uint32Array(n16 + 1);
  let k = 0;
  for (let i = 0; i < n16; ) {
    const cu = text.charCodeAt(i);
    offsets[k] = i;
    if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < n16) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cps[k++] = ((cu - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i += 2;
        continue;
      }
    }
    cps[k++] = cu;
    i += 1;
  }
  offsets[k] = n16;
  return { cps: cps.subarray(0, k), offsets: offsets.subarray(0, k + 1) };
}

/** Number of code points (tokens) of a string. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const cu = text.charCodeAt(i);
    if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-16 offset of every code-point index 0..n (inclusive), for converting corpus offsets. */
export function codePointToUtf16Offsets(text: string): Uint32Array {
  return toCodePoints(text).offsets;
}

/**
 * The featuriser's normalisation (zhner.fullwidth_ascii_lower.v1), one code point to one:
 * U+FF01..U+FF5E -> minus 0xFEE0, U+3000 -> U+0020, then A-Z -> a-z.
 */
export function normaliseCodePoint(cp: number): number {
  let c = cp;
  if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
  else if (c === 0x3000) c = 0x20;
  if (c >= 0x41 && c <= 0x5a) c += 0x20;
  return c;
}

/** Normalised code points as JS strings (one per token), the keys of the vocabularies. */
export function normalisedTokens(cps: Uint32Array): string[] {
  const out = new Array<string>(cps.length);
  for (let i = 0; i < cps.length; i++) out[i] = String.fromCodePoint(normaliseCodePoint(cps[i]));
  return out;
}
