// The span rule, in one place (no imports: the web bundle runs it too). A span list is valid for
// a text when every span has integer UTF-16 offsets inside the text, start < end, no boundary
// inside a surrogate pair, a surface text equal to the slice, a non-empty type (in the label set,
// when one is given), and no two spans overlap (unless allowed). Every rule has a code; `field`
// names the offending span (`entities[2]`) or tag (`tags[5]`). HTTP, the bus validators, the
// orchestrator, corpus conversion, the eval CLI and the web editor call these functions.

export const SPAN_RULES = ['SPAN_NOT_INTEGER', 'SPAN_OUT_OF_RANGE', 'SPAN_EMPTY', 'SPLITS_CHARACTER', 'SURFACE_MISMATCH', 'TYPE_EMPTY', 'UNKNOWN_TYPE', 'SPAN_OVERLAP'] as const;
export const BIO_RULES = ['BIO_INVALID', 'TAGS_LENGTH', 'TOKENS_MISMATCH'] as const;
export type SpanRule = (typeof SPAN_RULES)[number] | (typeof BIO_RULES)[number];

export interface SpanProblem {
  code: SpanRule;
  field: string;
  message: string;
}

export interface Span {
  start: number;
  end: number;
  type: string;
  text: string;
}

export interface SpanRuleOptions {
  /** Allowed types; omit to accept any non-empty type. */
  labels?: readonly string[];
  /** Name of the list in messages and fields. Default "entities". */
  field?: string;
  /** Nested spans allowed (never for gold data). Default false. */
  allowOverlap?: boolean;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when UTF-16 offset `i` falls between the two halves of a surrogate pair (inside one character). */
export function splitsCharacter(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

/** The UTF-16 offset of the character boundary before `i` (a surrogate pair is one character). */
export function prevCharBoundary(text: string, i: number): number {
  if (i <= 0) return 0;
  return isLow(text.charCodeAt(i - 1)) && i >= 2 ? i - 2 : i - 1;
}

/** The UTF-16 offset of the character boundary after `i`. */
export function nextCharBoundary(text: string, i: number): number {
  if (i >= text.length) return text.length;
  return isHigh(text.charCodeAt(i)) && i + 1 < text.length ? i + 2 : i + 1;
}

export const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

/**
 * The first rule `spans` break for `text`, or undefined when they are valid. Per span, in input
 * order: integer offsets, inside the text, start < end, whole characters, surface text, type;
 * then, in text order, overlaps (the later span of an overlapping pair is named).
 */
export function spanProblem(text: string, spans: readonly Span[], opts: SpanRuleOptions = {}): SpanProblem | undefined {
  const field = opts.field ?? 'entities';
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    const where = `${field}[${i}]`;
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) return { code: 'SPAN_NOT_INTEGER', field: where, message: `${where}: offsets ${s.start}, ${s.end} must be integers` };
    if (s.start < 0 || s.end > text.length || s.start > text.length) return { code: 'SPAN_OUT_OF_RANGE', field: where, message: `${where}: span [${s.start},${s.end}) lies outside the text (length ${text.length})` };
    if (s.start >= s.end) return { code: 'SPAN_EMPTY', field: where, message: `${where}: start ${s.start} must be < end ${s.end}` };
    if (splitsCharacter(text, s.start) || splitsCharacter(text, s.end)) return { code: 'SPLITS_CHARACTER', field: where, message: `${where}: span [${s.start},${s.end}) cuts a character in half (UTF-16 surrogate pair)` };
    const slice = text.slice(s.start, s.end);
    if (slice !== s.text) return { code: 'SURFACE_MISMATCH', field: where, message: `${where}: text ${JSON.stringify(s.text)} differs from the slice ${JSON.stringify(slice)} at [${s.start},${s.end})` };
    if (typeof s.type !== 'string' || s.type.length === 0) return { code: 'TYPE_EMPTY', field: where, message: `${where}: type must not be empty` };
    if (opts.labels && !opts.labels.includes(s.type)) return { code: 'UNKNOWN_TYPE', field: where, message: `${where}: type ${JSON.stringify(s.type)} is not in the label set (${opts.labels.join(', ')})` };
  }
  if (opts.allowOverlap) return undefined;
  const order = spans.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.s.end - b.s.end || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    if (cur.s.start < prev.s.end) {
      const where = `${field}[${cur.i}]`;
      return { code: 'SPAN_OVERLAP', field: where, message: `${where}: span [${cur.s.start},${cur.s.end}) ${JSON.stringify(cur.s.text)} overlaps ${field}[${prev.i}] [${prev.s.start},${prev.s.end}) ${JSON.stringify(prev.s.text)}` };
    }
  }
  return undefined;
}

/** Spans in text order (the stored and published form). */
export function sortSpans<T extends { start: number; end: number }>(spans: readonly T[]): T[] {
  return [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
}

const TAG = /^(?:O|([BI])-(.+))$/;

/**
 * BIO tags to spans. Without `tokens`, one tag per character (code point) of `text`; with
 * `tokens`, one tag per token and the tokens must concatenate to `text`. A problem: a tag that is
 * not O / B-<type> / I-<type>, a type outside `labels`, an I- that continues no span of its type,
 * a tag count that differs from the unit count.
 */
export function bioToSpans(text: string, tags: readonly string[], labels?: readonly string[], tokens?: readonly string[]): { spans: Span[] } | { problem: SpanProblem } {
  let units: string[];
  if (tokens) {
    const joined = tokens.join('');
    if (joined !== text) return { problem: { code: 'TOKENS_MISMATCH', field: 'tokens', message: `tokens concatenate to ${JSON.stringify(joined)}, not the text ${JSON.stringify(text)}` } };
    const empty = tokens.findIndex((t) => t.length === 0);
    if (empty >= 0) return { problem: { code: 'TOKENS_MISMATCH', field: `tokens[${empty}]`, message: `tokens[${empty}] is empty` } };
    units = [...tokens];
  } else {
    units = Array.from(text);
  }
  if (tags.length !== units.length) {
    const what = tokens ? 'token' : 'character';
    return { problem: { code: 'TAGS_LENGTH', field: 'tags', message: `${tags.length} tags for ${units.length} ${what}s: give exactly one tag per ${what}` } };
  }
  const spans: Span[] = [];
  let open: { start: number; type: string } | undefined;
  let offset = 0;
  const close = (end: number) => {
    if (open) spans.push({ start: open.start, end, type: open.type, text: text.slice(open.start, end) });
    open = undefined;
  };
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    const where = `tags[${i}]`;
    const m = TAG.exec(tag);
    if (!m) return { problem: { code: 'BIO_INVALID', field: where, message: `${where}: ${JSON.stringify(tag)} is not O, B-<type> or I-<type>` } };
    const [, prefix, type] = m;
    if (prefix && labels && !labels.includes(type)) return { problem: { code: 'UNKNOWN_TYPE', field: where, message: `${where}: type ${JSON.stringify(type)} is not in the label set (${labels.join(', ')})` } };
    if (prefix === 'I') {
      if (!open) {
        const before = i === 0 ? 'at the start' : `after ${JSON.stringify(tags[i - 1])}`;
        return { problem: { code: 'BIO_INVALID', field: where, message: `${where}: I-${type} ${before} has no B-${type} to continue` } };
      }
      if (open.type !== type) return { problem: { code: 'BIO_INVALID', field: where, message: `${where}: I-${type} continues a ${open.type} span (type mismatch; expected I-${open.type} or B-${type})` } };
    } else {
      close(offset);
      if (prefix === 'B') open = { start: offset, type };
    }
    offset += units[i].length;
  }
  close(offset);
  return { spans };
}

/** Spans to one BIO tag per character (code point) of `text`; spans must be valid and not overlap. */
export function spansToBio(text: string, spans: readonly Span[]): string[] {
  const starts = new Map<number, Span>();
  for (const s of spans) starts.set(s.start, s);
  const tags: string[] = [];
  let offset = 0;
  let inside: Span | undefined;
  for (const ch of text) {
    if (inside && offset >= inside.end) inside = undefined;
    const s = starts.get(offset);
    if (s) {
      inside = s;
      tags.push(`B-${s.type}`);
    } else tags.push(inside ? `I-${inside.type}` : 'O');
    offset += ch.length;
  }
  return tags;
}
