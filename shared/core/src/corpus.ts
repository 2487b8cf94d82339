// The corpus format shared with the Python trainer, in one place: JSON Lines of
// `{"id","text","entities":[{"start","end","type","text"}]}` with CODE-POINT offsets (Python `str`
// indices, `end` exclusive). Spans on the topics and in the HTTP APIs carry UTF-16 offsets: they
// are converted here. Used by the orchestrator (training sets, gate), the AL simulation, and the
// data import/export.
import { ValidationError } from './errors';
import { spanProblem } from './spans';
import { codePointToUtf16Offsets, utf16ToCodePointOffsets } from './text';

/** A span with UTF-16 offsets (`text.slice(start, end)`), as on the wire. */
export interface Utf16Span {
  start: number;
  end: number;
  type: string;
  text: string;
}

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
  /**
   * Entity types this sentence was never annotated for (`unannotated_types` in the file): a
   * replayed corpus sentence and a type added after its corpus was made, or a correction made
   * before the type existed. Training marginalises over them on its O characters; scoring ignores
   * predictions of them (annotatedOnly).
   */
  unannotatedTypes?: string[];
}

/**
 * UTF-16 spans (as on the wire) → code-point spans (as in the corpora). Throws ValidationError coded
 * with the span rule broken (e.g. SPLITS_CHARACTER for a span inside a surrogate pair).
 */
export function goldToCorpusEntities(text: string, entities: readonly Utf16Span[]): CorpusEntity[] {
  const p = spanProblem(text, entities, { allowOverlap: true });
  if (p) throw new ValidationError(p.message, { field: p.field, code: p.code });
  const table = utf16ToCodePointOffsets(text);
  return entities.map((e) => ({ start: table[e.start], end: table[e.end], type: e.type, text: e.text })).sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Code-point spans → UTF-16 spans (for comparisons with runtime output that uses UTF-16). */
export function corpusToGoldEntities(text: string, entities: readonly CorpusEntity[]): Utf16Span[] {
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
  const o = d as { id?: unknown; text?: unknown; entities?: unknown; unannotated_types?: unknown };
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
    const surface = cps.slice(start, end).join('');
    if (typeof x.text === 'string' && x.text !== surface) throw new ValidationError(`${where}: entity text ${JSON.stringify(x.text)} does not match text[${start}:${end}] ${JSON.stringify(surface)}`, { field: where, code: 'SURFACE_MISMATCH' });
    entities.push({ start, end, type: x.type, text: surface });
  }
  const un = o.unannotated_types;
  if (un !== undefined && (!Array.isArray(un) || !un.every((t) => typeof t === 'string'))) throw new ValidationError(`${where}: "unannotated_types" must be a list of type names`, { field: where });
  return { id: typeof o.id === 'string' ? o.id : where, text: o.text, entities, ...(un && un.length > 0 ? { unannotatedTypes: [...(un as string[])] } : {}) };
}

/** One corpus line as JSON (no trailing newline). */
export function formatCorpusLine(ex: CorpusExample): string {
  return JSON.stringify({
    id: ex.id, text: ex.text, entities: ex.entities.map((e) => ({ start: e.start, end: e.end, type: e.type, text: e.text })),
    ...(ex.unannotatedTypes && ex.unannotatedTypes.length > 0 ? { unannotated_types: ex.unannotatedTypes } : {}),
  });
}

