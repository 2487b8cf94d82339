// Data in and out: parsing and serialising annotated corpora, pure (no I/O). Three formats:
//
//   jsonl        our corpus format (@zhner/core corpus.ts): {"id","text","entities":[{start,end,type,text}]}
//   conll        BIO, one code point per line `char<TAB>tag`, a blank line between sentences,
//                an optional `# id = <id>` line before a sentence (CoNLL-U style comment)
//   spans-jsonl  the span format spaCy / Prodigy users import: {"text","spans":[{start,end,label}]}
//
// Every offset in every file is a CODE POINT offset (Python `str` indices, end exclusive: what the
// trainer and Prodigy use); inside the platform spans carry UTF-16 offsets, converted here. A line
// (or CoNLL sentence) that breaks a rule is rejected with its 1-based line number and a coded
// reason; the rules are the platform's own (validateText, spanProblem, bioToSpans), not copies.
import { validateText } from '@zhner/contracts';
import { ValidationError, bioToSpans, codePointToUtf16Offsets, sortSpans, spanProblem, spansToBio, utf16ToCodePointOffsets, type Utf16Span } from '@zhner/core';

export const DATA_FORMATS = ['jsonl', 'conll', 'spans-jsonl'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** One annotated sentence as the platform holds it: UTF-16 offsets (`text.slice(start, end)`), sorted. */
export interface GoldRecord {
  /** The document id (`id` in jsonl, `# id =` in conll, `meta.id` in spans-jsonl); null when the file has none. */
  id: string | null;
  text: string;
  entities: Utf16Span[];
}

export interface ParsedRecord extends GoldRecord {
  /** 1-based line of the record (of its first token line for conll). */
  line: number;
}

export interface Rejection {
  line: number;
  /** Stable code: the rule broken (SURFACE_MISMATCH, BIO_INVALID, UNKNOWN_TYPE, NOT_JSON, …). */
  code: string;
  reason: string;
}

export interface ParseResult {
  records: ParsedRecord[];
  rejected: Rejection[];
}

/** The one summary every import and export prints (the CLI's last stdout line). */
export interface DataSummary {
  documents: number;
  entities: number;
  per_type: Record<string, number>;
  rejected: Rejection[];
}

export interface ParseOptions {
  /** The label set: a type outside it is rejected (UNKNOWN_TYPE). */
  labels: readonly string[];
  /** Line number of the content's first line (a CLI chunk of a larger file). Default 1. */
  firstLine?: number;
  /** Longest accepted text, UTF-16 code units (the studio's text limit); default none. */
  maxTextLength?: number;
}

/** A record problem, thrown inside a parser and turned into a Rejection of its line. */
class Reject extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses `content` in `format`. Never throws for bad input: each bad record becomes a Rejection. */
export function parseData(format: DataFormat, content: string, opts: ParseOptions): ParseResult {
  const result = format === 'conll' ? parseConll(content, opts) : parseJsonLines(content, format, opts);
  return dropRepeatedRecords(result);
}

function splitLines(content: string): string[] {
  // tolerate CRLF files and a UTF-8 BOM (spreadsheet exports); a trailing newline adds no line
  return content.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/** The platform's text policy and span rule for one record; throws Reject. */
function checkRecord(text: string, entities: Utf16Span[], opts: ParseOptions): Utf16Span[] {
  try {
    validateText(text, 'text', opts.maxTextLength);
  } catch (err) {
    if (err instanceof ValidationError) throw new Reject(err.code, err.message);
    throw err;
  }
  const p = spanProblem(text, entities, { labels: opts.labels });
  if (p) throw new Reject(p.code, p.message);
  return sortSpans(entities);
}

// ---- JSON Lines (jsonl, spans-jsonl) ---------------------------------------------------------------

function parseJsonLines(content: string, format: 'jsonl' | 'spans-jsonl', opts: ParseOptions): ParseResult {
  const first = opts.firstLine ?? 1;
  const records: ParsedRecord[] = [];
  const rejected: Rejection[] = [];
  splitLines(content).forEach((raw, i) => {
    const line = first + i;
    if (raw.trim() === '') return; // blank lines separate nothing in JSON Lines: skipped, not rejected
    try {
      records.push({ line, ...jsonRecord(raw, format, opts) });
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      rejected.push({ line, code: err.code, reason: err.message });
    }
  });
  return { records, rejected };
}

function jsonRecord(raw: string, format: 'jsonl' | 'spans-jsonl', opts: ParseOptions): GoldRecord {
  let d: unknown;
  try {
    d = JSON.parse(raw);
  } catch (err) {
    throw new Reject('NOT_JSON', `not JSON: ${(err as Error).message}`);
  }
  if (!isObject(d)) throw new Reject('NOT_AN_OBJECT', 'a line must be a JSON object');
  if (typeof d.text !== 'string') throw new Reject('TEXT_MISSING', '"text" must be a string');
  const text = d.text;
  const listKey = format === 'jsonl' ? 'entities' : 'spans';
  const typeKey = format === 'jsonl' ? 'type' : 'label';
  const list = d[listKey] ?? [];
  if (!Array.isArray(list)) throw new Reject('SPANS_NOT_A_LIST', `"${listKey}" must be a list`);
  const id = format === 'jsonl' ? d.id : isObject(d.meta) ? d.meta.id : undefined;
  if (id !== undefined && id !== null && typeof id !== 'string') throw new Reject('ID_NOT_A_STRING', `the id must be a string, got ${JSON.stringify(id)}`);
  // code-point offsets → UTF-16: check the bounds in code points first (the table has no entry past the end)
  const cpLength = Array.from(text).length;
  const table = codePointToUtf16Offsets(text);
  const entities = list.map((e: unknown, k: number): Utf16Span => {
    const where = `${listKey}[${k}]`;
    if (!isObject(e) || !Number.isInteger(e.start) || !Number.isInteger(e.end)) throw new Reject('SPAN_NOT_INTEGER', `${where}: needs integer "start" and "end" (code points)`);
    const start = e.start as number;
    const end = e.end as number;
    if (typeof e[typeKey] !== 'string') throw new Reject('TYPE_EMPTY', `${where}: needs a string "${typeKey}"`);
    if (start < 0 || end > cpLength || start >= end) throw new Reject(start >= end ? 'SPAN_EMPTY' : 'SPAN_OUT_OF_RANGE', `${where}: [${start},${end}) is not a span of the ${cpLength} code points of the text`);
    const u = { start: table[start], end: table[end] };
    // the surface text is optional; when given it must equal the slice (spanProblem checks it)
    const surface = typeof e.text === 'string' ? e.text : text.slice(u.start, u.end);
    return { ...u, type: e[typeKey] as string, text: surface };
  });
  return { id: typeof id === 'string' && id.length > 0 ? id : null, text, entities: checkRecord(text, entities, opts) };
}

// ---- CoNLL BIO ----------------------------------------------------------------------------------

// A token column holds one code point, written as is, except characters a line-based format would
// lose or misread: whitespace (space, tab, ideographic space, …) and the backslash are written as
// a `\uXXXX` escape (all of them are in the BMP). Astral characters (𠮷) are one line, literally.
const ESCAPED = /^[\s\\]$/u;
const ESCAPE = /^\\u([0-9A-Fa-f]{4})$/;
const ID_LINE = /^#\s*id\s*=\s*(.*)$/;

export function conllToken(ch: string): string {
  return ESCAPED.test(ch) ? `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : ch;
}

function conllChar(token: string): string | undefined {
  const m = ESCAPE.exec(token);
  if (m) return String.fromCodePoint(parseInt(m[1], 16));
  return Array.from(token).length === 1 ? token : undefined;
}

function parseConll(content: string, opts: ParseOptions): ParseResult {
  const first = opts.firstLine ?? 1;
  const records: ParsedRecord[] = [];
  const rejected: Rejection[] = [];
  let sentence: Array<{ line: number; raw: string }> = [];
  let id: string | null = null;
  let idLine: number | undefined;
  const flush = () => {
    if (sentence.length > 0) {
      const line = idLine ?? sentence[0].line;
      try {
        records.push({ line, ...conllSentence(sentence, id, opts) });
      } catch (err) {
        if (!(err instanceof Reject)) throw err;
        rejected.push({ line: err.line ?? line, code: err.code, reason: err.message });
      }
    }
    sentence = [];
    id = null;
    idLine = undefined;
  };
  splitLines(content).forEach((raw, i) => {
    const line = first + i;
    if (raw.trim() === '') return flush();
    const m = ID_LINE.exec(raw);
    if (m && sentence.length === 0) {
      id = m[1].trim() || null;
      idLine = line;
      return;
    }
    if (raw.startsWith('#') && sentence.length === 0) return; // other comments (`# text = …`) carry nothing we need
    sentence.push({ line, raw });
  });
  flush();
  return { records, rejected };
}

function conllSentence(rows: ReadonlyArray<{ line: number; raw: string }>, id: string | null, opts: ParseOptions): GoldRecord {
  const chars: string[] = [];
  const tags: string[] = [];
  for (const { line, raw } of rows) {
    // `char<TAB>tag`; files that separate with spaces are read too (an escaped space never contains one)
    const tab = raw.lastIndexOf('\t');
    const m = tab >= 0 ? [raw.slice(0, tab), raw.slice(tab + 1)] : /^(\S+)\s+(\S+)$/.exec(raw)?.slice(1);
    if (!m) throw new Reject('CONLL_LINE', `expected "<char><TAB><tag>", got ${JSON.stringify(raw)}`, line);
    const ch = conllChar(m[0]);
    if (ch === undefined) throw new Reject('CONLL_LINE', `the token column must be one character (or a \\uXXXX escape), got ${JSON.stringify(m[0])}`, line);
    chars.push(ch);
    tags.push(m[1].trim());
  }
  const text = chars.join('');
  const r = bioToSpans(text, tags, opts.labels);
  if ('problem' in r) {
    const k = /^tags\[(\d+)\]$/.exec(r.problem.field);
    throw new Reject(r.problem.code, r.problem.message, k ? rows[Number(k[1])].line : rows[0].line);
  }
  return { id, text, entities: checkRecord(text, r.spans, opts) };
}

// ---- repeated records ---------------------------------------------------------------------------

/** A record whose (id, text) already came earlier in the same content is rejected: which one would be gold? */
function dropRepeatedRecords(r: ParseResult): ParseResult {
  const seen = new Map<string, number>();
  const records: ParsedRecord[] = [];
  const rejected = [...r.rejected];
  for (const rec of r.records) {
    const key = `${rec.id ?? ''}\u0000${rec.text}`;
    const before = seen.get(key);
    if (before !== undefined) rejected.push({ line: rec.line, code: 'DUPLICATE_RECORD', reason: `the same id and text are already on line ${before}` });
    else {
      seen.set(key, rec.line);
      records.push(rec);
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  return { records, rejected };
}

// ---- serialising --------------------------------------------------------------------------------

function toCodePoints(rec: GoldRecord): Array<{ start: number; end: number; type: string; text: string }> {
  const table = utf16ToCodePointOffsets(rec.text);
  return sortSpans(rec.entities).map((e) => ({ start: table[e.start], end: table[e.end], type: e.type, text: e.text }));
}

/**
 * `records` in `format`, one line (conll: one sentence) per record, newline-terminated. The
 * entities must be valid, non-overlapping gold (as stored corrections are).
 */
export function serialiseData(format: DataFormat, records: readonly GoldRecord[]): string {
  if (format === 'conll') {
    return records
      .map((rec) => {
        const tags = spansToBio(rec.text, rec.entities);
        const lines = Array.from(rec.text).map((ch, i) => `${conllToken(ch)}\t${tags[i]}`);
        return `${rec.id !== null ? `# id = ${rec.id}\n` : ''}${lines.join('\n')}\n`;
      })
      .join('\n');
  }
  return records
    .map((rec) => {
      const cp = toCodePoints(rec);
      if (format === 'jsonl') return `${JSON.stringify({ id: rec.id, text: rec.text, entities: cp })}\n`;
      return `${JSON.stringify({ text: rec.text, spans: cp.map(({ start, end, type }) => ({ start, end, label: type })), ...(rec.id !== null ? { meta: { id: rec.id } } : {}) })}\n`;
    })
    .join('');
}

export function summarise(records: readonly GoldRecord[], rejected: readonly Rejection[]): DataSummary {
  const perType: Record<string, number> = {};
  let entities = 0;
  for (const r of records) {
    for (const e of r.entities) perType[e.type] = (perType[e.type] ?? 0) + 1;
    entities += r.entities.length;
  }
  return { documents: records.length, entities, per_type: perType, rejected: [...rejected] };
}

// ---- chunking (the CLI's large files) --------------------------------------------------------------

export interface Chunk {
  content: string;
  /** 1-based line of the chunk's first line in the whole file. */
  firstLine: number;
}

/**
 * Splits a file into chunks of at most `maxBytes` (UTF-8) each, at record boundaries: any line for
 * JSON Lines, a blank line for conll (a sentence is never split). A single record larger than
 * `maxBytes` becomes a chunk of its own (the server then refuses it with 413, naming the limit).
 */
const utf8 = new TextEncoder();

export function chunkData(format: DataFormat, content: string, maxBytes: number): Chunk[] {
  const lines = splitLines(content);
  const chunks: Chunk[] = [];
  let cur: string[] = [];
  let curBytes = 0;
  let curFirst = 1;
  let unit: string[] = [];
  let unitFirst = 1;
  const push = () => {
    if (cur.length) chunks.push({ content: cur.join('\n'), firstLine: curFirst });
    cur = [];
    curBytes = 0;
  };
  const addUnit = () => {
    if (unit.length === 0) return;
    const bytes = unit.reduce((n, l) => n + utf8.encode(l).length + 1, 0);
    if (cur.length && curBytes + bytes > maxBytes) push();
    if (cur.length === 0) curFirst = unitFirst;
    cur.push(...unit);
    curBytes += bytes;
    unit = [];
  };
  lines.forEach((l, i) => {
    if (unit.length === 0) unitFirst = i + 1;
    unit.push(l);
    if (format !== 'conll' || l.trim() === '') addUnit();
  });
  addUnit();
  push();
  return chunks;
}
