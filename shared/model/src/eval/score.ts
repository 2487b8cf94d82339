// Corpus reading (JSON Lines with code-point offsets) and strict entity scoring (exact span + type).
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import * as readline from 'node:readline';
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

function prf(tp: number, pred: number, gold: number): { precision: number; recall: number; f1: number } {
  const precision = pred ? tp / pred : 0;
  const recall = gold ? tp / gold : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}

/** Strict micro P/R/F1 and per type: a prediction counts only with exact (start, end, type). */
export function scoreDocuments(gold: ReadonlyArray<readonly Span[]>, pred: ReadonlyArray<readonly Span[]>): Scores {
  if (gold.length !== pred.length) throw new InvalidInputError(`gold has ${gold.length} documents, predictions ${pred.length}`);
  const per = new Map<string, [number, number, number]>();
  const bump = (t: string, k: 0 | 1 | 2): void => {
    const v = per.get(t) ?? [0, 0, 0];
    v[k]++;
    per.set(t, v);
  };
  gold.forEach((g, i) => {
    const gs = new Set(g.map((e) => `${e.cpStart}:${e.cpEnd}:${e.type}`));
    const ps = new Set(pred[i].map((e) => `${e.cpStart}:${e.cpEnd}:${e.type}`));
    for (const k of gs) bump(k.split(':').slice(2).join(':'), 2);
    for (const k of ps) {
      const t = k.split(':').slice(2).join(':');
      bump(t, 1);
      if (gs.has(k)) bump(t, 0);
    }
  });
  let tp = 0;
  let np = 0;
  let ng = 0;
  const perType: Record<string, TypeScores> = {};
  for (const t of Array.from(per.keys()).sort()) {
    const [a, b, c] = per.get(t) as [number, number, number];
    tp += a;
    np += b;
    ng += c;
    perType[t] = { ...prf(a, b, c), support: c, predicted: b, correct: a };
  }
  return { ...prf(tp, np, ng), per_type: perType };
}
