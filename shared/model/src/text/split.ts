import { InvalidInputError } from '../errors';
import { toCodePoints, type CodePoints } from './codepoints';

/** Where long texts are cut first (then at clause commas, then hard). Same sets as the trainer. */
const SENTENCE_BREAKS = new Set([0x3002 /* 。 */, 0xff01 /* ！ */, 0xff1f /* ？ */, 0xff1b /* ； */, 0x0a, 0x21, 0x3f, 0x3b]);
const CLAUSE_BREAKS = new Set([0xff0c /* ， */, 0x2c]);

/** A piece of a text that the model sees in one sequence. */
export interface ModelSegment {
  /** The segment's text (`text.slice(start, end)` of the document). */
  readonly text: string;
  /** UTF-16 offsets in the document. */
  readonly start: number;
  readonly end: number;
  /** Code-point offsets in the document. */
  readonly cpStart: number;
  readonly cpEnd: number;
}

/** Code-point (start, end) pairs; the algorithm of zhner_trainer.text.split_for_model. */
export function splitCodePoints(cps: Uint32Array, maxLength: number): Array<[number, number]> {
  const n = cps.length;
  const out: Array<[number, number]> = [];
  let start = 0;
  while (n - start > maxLength) {
    const limit = start + maxLength;
    let end = -1;
    for (let p = limit - 1; p >= start; p--) {
      if (SENTENCE_BREAKS.has(cps[p])) {
        end = p + 1;
        break;
      }
    }
    if (end < 0) {
      for (let p = limit - 1; p >= start; p--) {
        if (CLAUSE_BREAKS.has(cps[p])) {
          end = p + 1;
          break;
        }
      }
    }
    if (end < 0) end = limit;
    out.push([start, end]);
    start = end;
  }
  out.push([start, n]);
  return out;
}

/**
 * Cut a text into segments of at most `maxLength` code points: after the last sentence break
 * (。！？；\n!?;) inside the window, else after the last clause comma (，,), else at the window's
 * end. Segments cover the text in order; an empty text gives one empty segment.
 * Throws InvalidInputError when maxLength < 1.
 */
export function splitForModel(text: string, maxLength: number, codePoints?: CodePoints): ModelSegment[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new InvalidInputError(`maxLength must be a positive integer, got ${maxLength}`, { field: 'maxLength' });
  }
  const { cps, offsets } = codePoints ?? toCodePoints(text);
  return splitCodePoints(cps, maxLength).map(([s, e]) => ({
    text: text.slice(offsets[s], offsets[e]),
    start: offsets[s],
    end: offsets[e],
    cpStart: s,
    cpEnd: e,
  }));
}
