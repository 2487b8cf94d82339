// Entity well-formedness (zhner.wellformed.v1), identical to zhner_trainer/constraints.py and applied
// in decodeSegment — the one place every caller decodes (tagger, eval CLI, studio via the tagger,
// sampler scores): an entity never starts or ends on a blank and never consists only of blanks,
// punctuation, symbols/emoji and digits.
//  1. constrained decoding: on a blank token the labels that start or end an entity (B-, E-, S-;
//     only B- under BIO) get BLOCKED added to their emission, for Viterbi and forward-backward, so the
//     best path and the marginals respect the rule;
//  2. a post-rule for what transitions cannot express (BIO endings, repaired paths, all-non-content
//     spans): blanks are trimmed from both ends and a span left without a content token is dropped.
import type { Scheme } from '../manifest';
import { BLANK, charClass, isNonContent } from '../text/charclass';
import { normaliseCodePoint } from '../text/codepoints';
import type { ParsedLabel, TagSpan } from './tags';

export const WELLFORMED_RULE = 'zhner.wellformed.v1';
export const BLOCKED = -10000;

/** Classes of the (raw) code points of a segment, after the featuriser's normalisation. */
export function classesOf(cps: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(cps.length);
  for (let i = 0; i < cps.length; i++) out[i] = charClass(normaliseCodePoint(cps[i]));
  return out;
}

/** Label ids a blank token may not take. */
export function blockedLabels(labels: readonly ParsedLabel[], scheme: Scheme): number[] {
  const starts = scheme === 'BIOES' ? ['B', 'E', 'S'] : ['B'];
  const out: number[] = [];
  labels.forEach((l, j) => {
    if (l.prefix !== 'O' && starts.includes(l.prefix)) out.push(j);
  });
  return out;
}

/**
 * Emissions [n * L] with BLOCKED added to the blocked labels of blank tokens: a copy when anything
 * changes (the input is a view into the ONNX output), the input itself otherwise.
 */
export function constrainEmissions(em: Float32Array, n: number, numLabels: number, classes: Uint8Array, blocked: readonly number[]): Float32Array {
  let out: Float32Array | null = null;
  for (let t = 0; t < n; t++) {
    if (classes[t] !== BLANK) continue;
    out ??= Float32Array.from(em.subarray(0, n * numLabels));
    for (const j of blocked) out[t * numLabels + j] += BLOCKED;
  }
  return out ?? em;
}

/** The post-rule: trim blanks at both ends, drop spans without a content token. */
export function wellformedSpans(spans: readonly TagSpan[], classes: Uint8Array): TagSpan[] {
  const out: TagSpan[] = [];
  for (const sp of spans) {
    let { start, end } = sp;
    while (start < end && classes[start] === BLANK) start++;
    while (end > start && classes[end - 1] === BLANK) end--;
    let content = false;
    for (let t = start; t < end && !content; t++) content = !isNonContent(classes[t]);
    if (content) out.push(start === sp.start && end === sp.end ? sp : { start, end, type: sp.type });
  }
  return out;
}
