// The gate's evaluator on the TypeScript model runtime (@zhner/model): load a model directory,
// predict the documents in batches, score strict entity F1 in code points (and the bias slices
// when a slice file is configured).
import { readFileSync } from 'node:fs';
import type { LoadModelOptions } from '@zhner/model';
import { ConfigError, DEFAULT_SLICES_FILE, parseSliceFile, sliceReport, utf16ToCodePointOffsets, type SliceFile } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { errors } from '../errors';
import { annotatedOnly, scoreSpans, type CorpusExample, type Scores, type ScoredSpan as SpanLike } from '@zhner/core';
import type { Evaluator } from '../app/ports';
import type { SetScores } from '../domain/gate';

/** What the evaluator needs from a predicted entity: UTF-16 offsets, code points when given. */
export interface RuntimeEntity {
  start: number;
  end: number;
  cpStart?: number;
  cpEnd?: number;
  type: string;
}

/** What the evaluator needs from a loaded model (structural: @zhner/model's model satisfies it). */
export interface RuntimeModel {
  predict(texts: string[]): Promise<ReadonlyArray<readonly RuntimeEntity[] | { entities: readonly RuntimeEntity[] }>>;
  dispose?(): Promise<void> | void;
  close?(): Promise<void> | void;
}

export type RuntimeLoader = (modelDir: string) => Promise<RuntimeModel>;

/** GATE_SLICES: `off`, `default` or a slice file; read and checked once at start. */
export function loadSlices(setting: string): SliceFile | undefined {
  if (setting === 'off') return undefined;
  const file = setting === 'default' ? DEFAULT_SLICES_FILE : setting;
  try {
    return parseSliceFile(JSON.parse(readFileSync(file, 'utf8')), 'GATE_SLICES');
  } catch (err) {
    throw new ConfigError([`GATE_SLICES=${setting}: ${(err as Error).message}`]);
  }
}

/**
 * The default loader: `loadModel(dir, opts)` of @zhner/model (checksums verified), imported when
 * first used: the runtime is a native ONNX Runtime binding that a service which never evaluates
 * need not load.
 */
export function zhnerModelLoader(opts: LoadModelOptions = {}): RuntimeLoader {
  return async (dir) => {
    const { loadModel } = await import('@zhner/model');
    return loadModel(dir, { verifyChecksums: true, ...opts });
  };
}

function toCodePointSpans(text: string, entities: readonly RuntimeEntity[]): SpanLike[] {
  const needsTable = entities.some((e) => e.cpStart === undefined || e.cpEnd === undefined);
  const table = needsTable ? utf16ToCodePointOffsets(text) : undefined;
  return entities.map((e) => ({
    start: e.cpStart ?? table![e.start],
    end: e.cpEnd ?? table![e.end],
    type: e.type,
  }));
}

export class RuntimeEvaluator implements Evaluator {
  constructor(
    private readonly load: RuntimeLoader,
    private readonly opts: { batchSize?: number; logger?: Logger; slices?: SliceFile } = {},
  ) {}

  async evaluate(modelDir: string, docs: readonly CorpusExample[], dataset: string): Promise<SetScores> {
    let model: RuntimeModel;
    try {
      model = await this.load(modelDir);
    } catch (err) {
      throw errors.create('EVALUATION_LOAD_FAILED', { modelDir, dataset, detail: (err as Error).message }, { cause: err });
    }
    const started = Date.now();
    try {
      const batch = this.opts.batchSize ?? 32;
      const pred: SpanLike[][] = [];
      for (let i = 0; i < docs.length; i += batch) {
        const texts = docs.slice(i, i + batch).map((d) => d.text);
        const out = await model.predict(texts);
        if (out.length !== texts.length) throw errors.create('EVALUATION_COUNT_MISMATCH', { modelDir, dataset, returned: out.length, expected: texts.length });
        out.forEach((o, k) => pred.push(toCodePointSpans(texts[k], Array.isArray(o) ? (o as readonly RuntimeEntity[]) : (o as { entities: readonly RuntimeEntity[] }).entities)));
      }
      // a set is scored on the types it annotates (a news dev set says nothing about TIME)
      const gold = docs.map((d) => d.entities);
      const kept = annotatedOnly(gold, pred, docs.map((d) => d.unannotatedTypes));
      const scores: SetScores = scoreSpans(gold, kept);
      if (this.opts.slices) {
        const cp = (spans: readonly SpanLike[]) => spans.map((e) => ({ cpStart: e.start, cpEnd: e.end, type: e.type }));
        scores.slices = sliceReport(this.opts.slices, docs.map((d) => d.text), docs.map((d) => cp(d.entities)), kept.map(cp));
      }
      this.opts.logger?.info({ modelDir, dataset, docs: docs.length, f1: scores.f1, seconds: (Date.now() - started) / 1000 }, 'model scored');
      return scores;
    } catch (err) {
      if (errors.is(err, 'EVALUATION_COUNT_MISMATCH')) throw err;
      throw errors.create('EVALUATION_FAILED', { modelDir, dataset, detail: (err as Error).message }, { cause: err });
    } finally {
      await (model.dispose ?? model.close)?.call(model);
    }
  }
}
