// Corpus reading (JSON Lines with code-point offsets) and strict entity scoring (exact span + type).
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import * as readline from 'node:readline';
import { annotatedOnly, scoreSpans } from '@zhner/core';
import { InvalidInputError } from '../errors';
import { toCodePoints } from '../text/codepoints';

export interface GoldEntity {
  /** UTF-16 offsets (converted from the file's code-point offsets). */
  readonly start: number;
  readonly end: number;
  readonly cpStart: number;
  readonly cpEnd: number;
  readonly type: string;
}

export interface CorpusDocument {
  readonly id: string;
  readonly text: string;
  readonly entities: readonly GoldEntity[];
  /** 1-based line number in the file. */
  readonly line: number;
}

function corpusError(file: string, line: number | undefined, why: string): InvalidInputError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new InvalidInputError(`${where}: ${why}`, { field: 'data', index: line, code: 'CORPUS_INVALID' });
}

/**
 * Read a JSON Lines corpus: `{"id", "text", "entities": [{"start", "end", "type", "text"?}]}` with
 * code-point offsets. Throws InvalidInputError (code CORPUS_INVALID) naming the file and line for
 * a missing file, bad JSON, or an entity outside its text / not matching its `text`.
 */
export async function readCorpus(file: string, limit = 0): Promise<CorpusDocument[]> {
  try {
    await access(file);
  } catch {
    throw corpusError(file, undefined, 'file not found');
  }
  const docs: CorpusDocument[] = [];
  const rl = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    let obj: { id?: unknown; text?: unknown; entities?: unknown };
    try {
      obj = JSON.parse(line) as typeof obj;
    } catch (err) {
      rl.close();
      throw corpusError(file, lineNo, `not JSON (${(err as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || typeof obj.text !== 'string') {
      rl.close();
      throw corpusError(file, lineNo, '"text" must be a string');
    }
    const text = obj.text;
    const { offsets } = toCodePoints(text);
    const n = offsets.length - 1;
    const ents: GoldEntity[] = [];
    const raw = obj.entities ?? [];
    if (!Array.isArray(raw)) {
      rl.close();
      throw corpusError(file, lineNo, '"entities" must be a list');
    }
    for (const e of raw as Array<Record<string, unknown>>) {
      const s = e?.start;
      const en = e?.end;
      if (!Number.isInteger(s) || !Number.isInteger(en) || typeof e.type !== 'string' || (s as number) < 0 || (s as number) >= (en as number) || (en as number) > n) {
        rl.close();
        throw corpusError(file, lineNo, `bad entity ${JSON.stringify(e)} (code-point offsets into a text of ${n})`);
      }
      const start = offsets[s as number];
      const end = offsets[en as number];
      if (typeof e.text === 'string' && text.slice(start, end) !== e.text) {
        rl.close();
        throw corpusError(file, lineNo, `entity text ${JSON.stringify(e.text)} does not match text[${String(s)}:${String(en)}]`);
      }
      ents.push({ start, end, cpStart: s as number, cpEnd: en as number, type: e.type });
    }
    docs.push({ id: typeof obj.id === 'string' ? obj.id : `line-${lineNo}`, text, entities: ents, line: lineNo });
    if (limit > 0 && docs.length >= limit) {
      rl.close();
      break;
    }
  }
  return docs;
}

export interface TypeScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Gold entities of this type. */
  readonly support: number;
  readonly predicted: number;
  readonly correct: number;
}

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly per_type: Readonly<Record<string, TypeScores>>;
}

interface Span {
  readonly cpStart: number;
  readonly cpEnd: number;
  readonly type: string;
}

/**
 * Strict micro P/R/F1 and per type over code-point spans: @zhner/core's scoreSpans (the one
 * implementation) after its annotatedOnly rule (a file is scored on the types it annotates).
 */
export function scoreDocuments(gold: ReadonlyArray<readonly Span[]>, pred: ReadonlyArray<readonly Span[]>): Scores {
  if (gold.length !== pred.length) throw new InvalidInputError(`gold has ${gold.length} documents, predictions ${pred.length}`);
  const cp = (spans: readonly Span[]) => spans.map((e) => ({ start: e.cpStart, end: e.cpEnd, type: e.type }));
  const g = gold.map(cp);
  const s = scoreSpans(g, annotatedOnly(g, pred.map(cp)));
  return { precision: s.precision, recall: s.recall, f1: s.f1, per_type: s.perType };
}
