// Corpus reading (JSON Lines with code-point offsets) and strict entity scoring (exact span + type).
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import * as readline from 'node:readline';
import { annotatedOnly, errorMessage, parseCorpusLine, scoreSpans, type CorpusExample } from '@zhner/core';
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
    // the one corpus-line rule (@zhner/core): JSON, text, entities in range, surface = slice
    let ex: CorpusExample;
    try {
      ex = parseCorpusLine(line, `${file}:${lineNo}`);
    } catch (err) {
      rl.close();
      throw corpusError(file, lineNo, errorMessage(err).replace(`${file}:${lineNo}: `, ''));
    }
    const { offsets } = toCodePoints(ex.text);
    const ents: GoldEntity[] = ex.entities.map((e) => ({ start: offsets[e.start], end: offsets[e.end], cpStart: e.start, cpEnd: e.end, type: e.type }));
    docs.push({ id: ex.id === `${file}:${lineNo}` ? `line-${lineNo}` : ex.id, text: ex.text, entities: ents, line: lineNo });
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
