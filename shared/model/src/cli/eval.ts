// Evaluation CLI — the contract for everyone who measures this project:
//   npm run eval -- --data FILE.jsonl [--ids IDS] [--model DIR] [--int8|--fp32] [--convention NAME|auto]
//                   [--limit N] [--batch-size N] [--threads N] [--slices FILE|default]
//   npm run eval -- --list-conventions [--model DIR]      the model's conventions, one per line
// Reads JSON Lines with code-point offsets (--ids: only the sentences whose id an id file lists, e.g.
// the CLUENER dev split services/trainer-orchestrator/trainer/splits/cluener-dev.ids), runs the
// TypeScript runtime with one of the model's annotation conventions (--convention; default "auto": the
// convention named by the data file's corpus folder — weibo/dev.jsonl -> weibo, peoples_daily -> msra
// — else the model's default), prints per-type and micro strict P/R/F1 and docs/second, and as the
// LAST line a single JSON object:
//   {"f1":..,"precision":..,"recall":..,"per_type":{"<TYPE>":{"precision":..,"recall":..,"f1":..,"support":..}},
//    "docs":..,"docs_per_s":..,"model":"<version>","precision_mode":"int8","convention":"weibo","data":..,"batch_size":..}
// Scores are fractions (0..1). docs_per_s counts everything after the model is loaded (featurise,
// onnxruntime, CRF decoding) over all documents, batched by similar length. --slices adds bias
// slices (strict P/R/F1 of PER/LOC subsets defined by lexicons, shared/core/slices/default.json
// or a file of the same shape) and their gaps as "slices" in the JSON. Exit status: 0 ok, 2 bad arguments/data/model, 1 other.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_DIR, loadModel, readCorpus, scoreDocuments, ModelError, type Precision } from '../index';
import { chooseConvention } from '../eval/conventionChoice';
import { DEFAULT_SLICES_FILE, parseSliceFile, sliceReport, type SliceFile } from '@zhner/core';

const USAGE = 'usage: npm run eval -- --data FILE.jsonl [--ids IDS] [--model DIR] [--int8|--fp32] [--convention NAME|auto] [--limit N] [--batch-size N] [--threads N] [--slices FILE|default]\n'
  + '       npm run eval -- --list-conventions [--model DIR]';

function positiveInt(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

class UsageError extends Error {}

/** Ids of an id file: one per line, blank lines and # comments skipped. */
async function readIds(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--ids ${file}: ${(err as Error).message}`);
  }
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        ids: { type: 'string' },
        model: { type: 'string' },
        int8: { type: 'boolean' },
        fp32: { type: 'boolean' },
        convention: { type: 'string' },
        'list-conventions': { type: 'boolean' },
        limit: { type: 'string' },
        'batch-size': { type: 'string' },
        threads: { type: 'string' },
        slices: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = path.resolve(args.model ?? DEFAULT_MODEL_DIR);
  if (args['list-conventions']) {
    const model = await loadModel(modelDir, { precision: 'fp32', intraOpThreads: 1, interOpThreads: 1 });
    try {
      for (const c of model.conventions) console.log(c);
      console.error(`default: ${model.defaultConvention}`);
    } finally {
      await model.dispose();
    }
    return 0;
  }
  if (!args.data) throw new UsageError('--data FILE.jsonl is required');
  if (args.int8 && args.fp32) throw new UsageError('give --int8 or --fp32, not both');
  const limit = positiveInt('limit', args.limit, 0, 0);
  const batchSize = positiveInt('batch-size', args['batch-size'], 32);
  const threads = args.threads === undefined ? undefined : positiveInt('threads', args.threads, 1);
  const precision: Precision | undefined = args.int8 ? 'int8' : args.fp32 ? 'fp32' : undefined;

  let slices: SliceFile | undefined;
  if (args.slices) {
    const file = args.slices === 'default' ? DEFAULT_SLICES_FILE : path.resolve(args.slices);
    try {
      slices = parseSliceFile(JSON.parse(await readFile(file, 'utf8')), `--slices ${args.slices}`);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  let docs = await readCorpus(path.resolve(args.data));
  if (args.ids) {
    const keep = await readIds(path.resolve(args.ids));
    docs = docs.filter((d) => keep.has(d.id));
    if (docs.length === 0) throw new UsageError(`--ids ${args.ids}: no sentence of ${args.data} has a listed id`);
  }
  if (limit > 0) docs = docs.slice(0, limit);
  const probe = await loadModel(modelDir, { precision, intraOpThreads: threads, interOpThreads: threads === undefined ? undefined : 1 });
  let choice;
  try {
    choice = chooseConvention(args.data, args.convention, probe);
  } catch (err) {
    await probe.dispose();
    throw new UsageError((err as Error).message);
  }
  const model = choice.convention === probe.convention ? probe
    : (await probe.dispose(), await loadModel(modelDir, { precision, convention: choice.convention, intraOpThreads: threads, interOpThreads: threads === undefined ? undefined : 1 }));
  try {
    // Batches of similar lengths (as a dynamic batcher would form them): less padding.
    const order = docs.map((d, i) => i).sort((a, b) => docs[a].text.length - docs[b].text.length || a - b);
    const preds = new Array<ReadonlyArray<{ cpStart: number; cpEnd: number; type: string }>>(docs.length);
    const t0 = performance.now();
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = order.slice(i, i + batchSize);
      const out = await model.predict(idx.map((k) => docs[k].text));
      out.forEach((p, j) => {
        preds[idx[j]] = p.entities;
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    const scores = scoreDocuments(docs.map((d) => d.entities), preds);
    const docsPerS = docs.length / Math.max(seconds, 1e-9);
    const pct = (x: number): string => (100 * x).toFixed(2).padStart(6);
    console.log(`model ${model.version} (${model.precision}, convention ${model.convention}: ${choice.reason}) on ${args.data}${args.ids ? ` (ids ${args.ids})` : ''}: ${docs.length} docs in ${seconds.toFixed(2)} s = ${docsPerS.toFixed(1)} docs/s (batch ${batchSize})`);
    console.log('type        P       R       F1   support');
    for (const [t, s] of Object.entries(scores.per_type)) console.log(`${t.padEnd(8)} ${pct(s.precision)}  ${pct(s.recall)}  ${pct(s.f1)}  ${String(s.support).padStart(7)}`);
    console.log(`${'micro'.padEnd(8)} ${pct(scores.precision)}  ${pct(scores.recall)}  ${pct(scores.f1)}`);
    const perType: Record<string, { precision: number; recall: number; f1: number; support: number }> = {};
    for (const [t, s] of Object.entries(scores.per_type)) perType[t] = { precision: r5(s.precision), recall: r5(s.recall), f1: r5(s.f1), support: s.support };
    const report = slices && sliceReport(slices, docs.map((d) => d.text), docs.map((d) => d.entities), preds);
    if (report) {
      console.log('slice                                     support     P       R       F1');
      for (const [group, g] of Object.entries(report)) {
        for (const [name, x] of Object.entries(g.slices)) console.log(`${`${group} · ${name}`.padEnd(40)} ${String(x.support).padStart(7)}  ${pct(x.precision)}  ${pct(x.recall)}  ${pct(x.f1)}`);
        console.log(`${`${group}: F1 gap`.padEnd(40)} ${g.f1Gap === null ? '   (too little support)' : pct(g.f1Gap)}`);
      }
    }
    console.log(JSON.stringify({
      f1: r5(scores.f1), precision: r5(scores.precision), recall: r5(scores.recall), per_type: perType,
      docs: docs.length, docs_per_s: Math.round(docsPerS * 10) / 10, model: model.version, precision_mode: model.precision,
      convention: model.convention, data: args.data, ids: args.ids ?? null, batch_size: batchSize,
      ...(report ? { slices: report } : {}),
    }));
  } finally {
    await model.dispose();
  }
  return 0;
}

function r5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof ModelError) {
      console.error(`error [${err.code}]: ${err.message}`);
      process.exit(err.retriable ? 1 : 2);
    }
    console.error(err);
    process.exit(1);
  },
);
