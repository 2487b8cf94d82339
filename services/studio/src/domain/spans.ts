// Rules a correction must satisfy before it is stored (the original system's `validate_correction`):
// every span inside the text, start < end, surface text equal to the text slice, type in the label
// set, no two spans overlapping; and, for the BIO-tag input form, a well-formed tag sequence. Each
// rule has its own error code (the HTTP 400 `code` and the `reason` label of the rejection metric);
// `field` names the offending span (`entities[2]`) or tag (`tags[5]`).
import { ValidationError } from '@zhner/core';

/** A gold span as an annotator submits it; offsets are UTF-16 code units (`text.slice(start, end)`). */
export interface SpanInput {
  start: number;
  end: number;
  type: string;
  text: string;
}

export const REJECT_REASONS = [
  'SPAN_NOT_INTEGER',
  'SPAN_OUT_OF_RANGE',
  'SPAN_EMPTY',
  'SURFACE_MISMATCH',
  'UNKNOWN_TYPE',
  'SPAN_OVERLAP',
  'SPLITS_CHARACTER',
  'BIO_INVALID',
  'TAGS_LENGTH',
  'TOKENS_MISMATCH',
  'INPUT_FORM',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A correction that breaks one of the rules. `code` is the rule, `field` the offending span or tag. */
export class CorrectionRejected extends ValidationError {
  readonly reason: RejectReason;
  constructor(reason: RejectReason, field: string, message: string) {
    super(message, { code: reason, field, context: { reason } });
    this.reason = reason;
  }
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when UTF-16 offset `i` falls between the two halves of a surrogate pair (inside one character). */
function splitsCharacter(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHighSurrogate(text.charCodeAt(i - 1)) && isLowSurrogate(text.charCodeAt(i));
}

/**
 * Checks `spans` against `text` and `labels`. Per span, in input order: integer offsets, inside the
 * text, start < end, no boundary inside a surrogate pair, surface text equal to the slice, type in
 * the label set; then, in text order, no overlap (the later span of an overlapping pair is named).
 * @throws CorrectionRejected naming the first offending span.
 */
export function checkSpans(text: string, spans: readonly SpanInput[], labels: readonly string[], field = 'entities'): void {
  spans.forEach((s, i) => {
    const where = `${field}[${i}]`;
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) {
      throw new CorrectionRejected('SPAN_NOT_INTEGER', where, `${where}: offsets ${s.start}, ${s.end} must be integers`);
    }
    if (s.start < 0 || s.end > text.length || s.start > text.length) {
      throw new CorrectionRejected('SPAN_OUT_OF_RANGE', where, `${where}: span [${s.start},${s.end}) lies outside the text (length ${text.length})`);
    }
    if (s.start >= s.end) throw new CorrectionRejected('SPAN_EMPTY', where, `${where}: start ${s.start} must be < end ${s.end}`);
    if (splitsCharacter(text, s.start) || splitsCharacter(text, s.end)) {
      throw new CorrectionRejected('SPLITS_CHARACTER', where, `${where}: span [${s.start},${s.end}) cuts a character in half (UTF-16 surrogate pair)`);
    }
    const slice = text.slice(s.start, s.end);
    if (slice !== s.text) {
      throw new CorrectionRejected('SURFACE_MISMATCH', where, `${where}: text ${JSON.stringify(s.text)} differs from the slice ${JSON.stringify(slice)} at [${s.start},${s.end})`);
    }
    if (!labels.includes(s.type)) {
      throw new CorrectionRejected('UNKNOWN_TYPE', where, `${where}: type ${JSON.stringify(s.type)} is not in the label set (${labels.join(', ')})`);
    }
  });
  const order = spans.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.s.end - b.s.end || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    if (cur.s.start < prev.s.end) {
      const where = `${field}[${cur.i}]`;
      throw new CorrectionRejected(
        'SPAN_OVERLAP',
        where,
        `${where}: span [${cur.s.start},${cur.s.end}) ${JSON.stringify(cur.s.text)} overlaps ${field}[${prev.i}] [${prev.s.start},${prev.s.end}) ${JSON.stringify(prev.s.text)}`,
      );
    }
  }
}

/** Spans in text order (the stored and published form). */
export function sortSpans<T extends { start: number; end: number }>(spans: readonly T[]): T[] {
  return [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
}

const TAG = /^(?:O|([BI])-(.+))$/;

/**
 * Converts BIO tags to spans. Without `tokens`, there is one tag per character (Unicode code
 * point) of `text`; with `tokens`, one tag per token and the tokens must concatenate to `text`.
 * Rejects: a tag that is not `O`, `B-<type>` or `I-<type>`; a type outside the label set; an
 * `I-` tag that does not continue a span of the same type (after `O`, at the start, or after a
 * different type); a tag count that differs from the character/token count.
 * @throws CorrectionRejected naming the offending tag (`tags[i]`).
 */
export function bioToSpans(text: string, tags: readonly string[], labels: readonly string[], tokens?: readonly string[]): SpanInput[] {
  let units: string[];
  if (tokens) {
    const joined = tokens.join('');
    if (joined !== text) throw new CorrectionRejected('TOKENS_MISMATCH', 'tokens', `tokens concatenate to ${JSON.stringify(joined)}, not the text ${JSON.stringify(text)}`);
    const empty = tokens.findIndex((t) => t.length === 0);
    if (empty >= 0) throw new CorrectionRejected('TOKENS_MISMATCH', `tokens[${empty}]`, `tokens[${empty}] is empty`);
    units = [...tokens];
  } else {
    units = Array.from(text);
  }
  if (tags.length !== units.length) {
    const what = tokens ? 'tokens' : 'characters';
    throw new CorrectionRejected('TAGS_LENGTH', 'tags', `${tags.length} tags for ${units.length} ${what}: give exactly one tag per ${tokens ? 'token' : 'character'}`);
  }
  const spans: SpanInput[] = [];
  let open: { start: number; type: string } | undefined;
  let offset = 0;
  const close = (end: number) => {
    if (open) spans.push({ start: open.start, end, type: open.type, text: text.slice(open.start, end) });
    open = undefined;
  };
  tags.forEach((tag, i) => {
    const where = `tags[${i}]`;
    const m = TAG.exec(tag);
    if (!m) throw new CorrectionRejected('BIO_INVALID', where, `${where}: ${JSON.stringify(tag)} is not O, B-<type> or I-<type>`);
    const [, prefix, type] = m;
    if (prefix && !labels.includes(type)) {
      throw new CorrectionRejected('UNKNOWN_TYPE', where, `${where}: type ${JSON.stringify(type)} is not in the label set (${labels.join(', ')})`);
    }
    if (prefix === 'I') {
      if (!open) {
        const before = i === 0 ? 'at the start' : `after ${JSON.stringify(tags[i - 1])}`;
        throw new CorrectionRejected('BIO_INVALID', where, `${where}: I-${type} ${before} has no B-${type} to continue`);
      }
      if (open.type !== type) {
        throw new CorrectionRejected('BIO_INVALID', where, `${where}: I-${type} continues a ${open.type} span (type mismatch; expected I-${open.type} or B-${type})`);
      }
    } else {
      close(offset);
      if (prefix === 'B') open = { start: offset, type };
    }
    offset += units[i].length;
  });
  close(offset);
  return spans;
}
