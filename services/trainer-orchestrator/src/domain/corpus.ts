// The corpora format shared with the Python trainer: JSON Lines of
// `{"id","text","entities":[{"start","end","type","text"}]}` with CODE-POINT offsets (Python `str`
// indices, `end` exclusive). Corrections on the topic carry UTF-16 offsets: they are converted here.
import type { GoldEntity } from '@zhner/contracts';
import { ValidationError, codePointToUtf16Offsets, utf16ToCodePointOffsets } from '@zhner/core';

/** One entity of a corpus line; offsets are code points. */
export interface CorpusEntity {
  start: number;
  end: number;
  type: string;
  text: string;
}

/** One corpus line (a sentence with its gold entities, code-point offsets). */
export interface CorpusExample {
  id: string;
  text: string;
  entities: CorpusEntity[];
}

/**
 * UTF-16 spans (as on the wire) → code-point spans (as in the corpora). Throws ValidationError when
 * a span does not fall on code-point boundaries (it would split a surrogate pair).
 */
export function goldToCorpusEntities(text: string, entities: readonly GoldEntity[]): CorpusEntity[] {
  const table = utf16ToCodePointOffsets(text);
  const out = entities.map((e, i) => {
    if (e.start < 0 || e.end > text.length || e.start >= e.end) throw new ValidationError(`entities[${i}]: span [${e.start},${e.end}) is not inside the text`, { field: `entities[${i}]` });
    const startsInsidePair = e.start > 0 && table[e.start] === table[e.start - 1];
    const endsInsidePair = e.end < text.length && table[e.end] === table[e.end - 1];
    if (startsInsidePair || endsInsidePair) throw new ValidationError(`entities[${i}]: span [${e.start},${e.end}) splits a surrogate pair`, { field: `entities[${i}]` });
    return { start: table[e.start], end: table[e.end], type: e.type, text: e.text };
  });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Code-point spans → UTF-16 spans (for comparisons with runtime output that uses UTF-16). */
export function corpusToGoldEntities(text: string, entities: readonly CorpusEntity[]): GoldEntity[] {
  const table = codePointToUtf16Offsets(text);
  return entities.map((e) => ({ start: table[e.start], end: table[e.end], type: e.type, text: e.text }));
}

/** Parses one JSONL line of a corpus file; throws ValidationError naming what is wrong. */
export function parseCorpusLine(line: string, where: string): CorpusExample {
  let d: unknown;
  try {
    d = JSON.parse(line);
  } catch (err) {
    throw new ValidationError(`${where}: not JSON`, { field: where, cause: err });
  }
  const o = d as { id?: unknown; text?: unknown; entities?: unknown };
  if (typeof o.text !== 'string') throw new ValidationError(`${where}: "text" must be a string`, { field: where });
  const cps = Array.from(o.text);
  const entities: CorpusEntity[] = [];
  for (const [i, e] of ((o.entities as unknown[]) ?? []).entries()) {
    const x = e as { start?: unknown; end?: unknown; type?: unknown; text?: unknown };
    if (!Number.isInteger(x.start) || !Number.isInteger(x.end) || typeof x.type !== 'string') {
      throw new ValidationError(`${where}: entities[${i}] needs integer start/end and a type`, { field: where });
    }
    const start = x.start as number;
    const end = x.end as number;
    if (start < 0 || end > cps.length || start >= end) throw new ValidationError(`${where}: entities[${i}] [${start},${end}) outside the text`, { field: where });
    entities.push({ start, end, type: x.type, text: typeof x.text === 'string' ? x.text : cps.slice(start, end).join('') });
  }
  return { id: typeof o.id === 'string' ? o.id : where, text: o.text, entities };
}

/** One corpus line as JSON (no trailing newline). */
export function formatCorpusLine(ex: CorpusExample): string {
  return JSON.stringify({ id: ex.id, text: ex.text, entities: ex.entities.map((e) => ({ start: e.start, end: e.end, type: e.type, text: e.text })) });
}

/** Precision, recall and F1 (fractions in 0..1) with the counts behind them. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** Documents scored. */
  docs: number;
  tp: number;
  fp: number;
  fn: number;
  perType: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}

export interface SpanLike {
  start: number;
  end: number;
  type: string;
}

function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * Strict entity scores: a prediction counts only when start, end and type all equal a gold span
 * of the same document (the trainer's and conlleval's definition). `gold[i]` and `pred[i]` are the
 * spans of document i in the same offset unit.
 */
export function scoreSpans(gold: readonly (readonly SpanLike[])[], pred: readonly (readonly SpanLike[])[]): Scores {
  if (gold.length !== pred.length) throw new RangeError(`scoreSpans: ${gold.length} gold documents but ${pred.length} predicted`);
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (type: string, k: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    c[k]++;
    counts.set(type, c);
  };
  for (let i = 0; i < gold.length; i++) {
    const g = new Set(gold[i].map((s) => `${s.start}:${s.end}:${s.type}`));
    const seen = new Set<string>();
    for (const s of pred[i]) {
      const key = `${s.start}:${s.end}:${s.type}`;
      if (seen.has(key)) continue;
      seen.add(key);
      bump(s.type, g.has(key) ? 'tp' : 'fp');
    }
    for (const s of gold[i]) if (!seen.has(`${s.start}:${s.end}:${s.type}`)) bump(s.type, 'fn');
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perType: Scores['perType'] = {};
  for (const [type, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
    perType[type] = { ...prf(c.tp, c.fp, c.fn), support: c.tp + c.fn };
  }
  return { ...prf(tp, fp, fn), docs: gold.length, tp, fp, fn, perType };
}
