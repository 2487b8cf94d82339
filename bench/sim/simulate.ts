// Active-learning simulation: `npm run sim:al -- [options]` (see --help and ./README.md).
//
// Annotators are simulated by gold labels that stay hidden until a document is selected. Everything
// else is the platform's own code: the sampler's scores and selection (@zhner/sampler), the
// training set under the 15 % new-data cap (buildTrainingSet), the Python training job
// (PythonTrainingJob), the TypeScript runtime (@zhner/model) and the strict F1 (scoreSpans).
//
// The recipe, per seed:
//   round 0   the base model, scored on the eval set (labels 0);
//   round r   for each strategy (its own chain of models):
//               score a seeded subsample of the pool with the chain's current model (the same
//               subsample for every strategy of the seed; random needs no scores),
//               select B documents (selectCandidates), reveal their gold labels (the corrections),
//               build the training set: the chain's labels so far (--train-on all) or this round's
//               (--train-on new) + replay, new share ≤ cap (buildTrainingSet, seeded per seed/round),
//               fine-tune from the chain's current model (--init previous) or the base (--init base),
//               score the new model on the eval set.
// Outputs (run folder): curves.csv, curves.svg, summary.json (= the JSON line printed last),
// rounds.jsonl (per-round log), config.json, eval-ids.txt, runs/s<seed>/<strategy>/r<round>/{data,model}.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, errorMessage, textHash } from '@zhner/core';
import { RANDOM, HYBRID, SCORE_NAMES, selectCandidates, type Scores as UncertaintyScores } from '@zhner/sampler';
import { buildTrainingSet, PythonTrainingJob, readCorpusFile, resolveRepoPath, type CorpusExample } from '@zhner/trainer-orchestrator';
import { USAGE, HelpRequested, parseSimArgs, fineTuneOverrides, type SimConfig, type SimStrategy } from './domain/config';
import { curvesCsv, meanCurves, summariseCurves, type CurvePoint } from './domain/curves';
import { excludeTrained, holdOut, mixSeed, poolShortfall, roundCandidates, splitByIds } from './domain/pool';
import { trainedOnPool } from './adapters/baseData';
import { learningCurveSvg } from './domain/svg';
import { RuntimeModel, type PoolDoc } from './adapters/runtime';
import { RunFolder } from './adapters/runFolder';
import { SimTrainer } from './adapters/trainer';

const TRAINER_DIR = 'services/trainer-orchestrator/trainer';
/** Most labelled documents handed to the trainer as its dev set (its best-epoch choice). */
const TRAINER_DEV_MAX = 200;
/** Random needs no model scores: every score is 0 and its draw decides. */
const NO_SCORES = Object.fromEntries(SCORE_NAMES.map((n) => [n, 0])) as UncertaintyScores;

const say = (line: string): void => void process.stdout.write(`[sim] ${line}\n`);
const pct = (x: number): string => (x * 100).toFixed(2);
const secs = (ms: number): number => Math.round(ms / 100) / 10;

/** A pool document before scoring: its gold stays in `example` until it is selected. */
interface PoolEntry {
  readonly id: string;
  readonly textHash: string;
  readonly example: CorpusExample;
}

/** One strategy's chain of models within a seed. */
interface Chain {
  readonly strategy: SimStrategy;
  model: string;
  readonly labelled: CorpusExample[];
  readonly labelledHashes: Set<string>;
}

async function main(argv: readonly string[]): Promise<number> {
  let config: SimConfig;
  try {
    config = parseSimArgs(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    process.stderr.write(`${errorMessage(err)}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  const started = Date.now();
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort(new Error(`${sig} received`)));

  const folder = new RunFolder(resolveRepoPath(config.out ?? path.join('artifacts', 'sim-al', new Date().toISOString().replace(/[:.]/g, '-'))));
  await folder.create();
  const baseModel = resolveRepoPath(config.baseModel);

  // 1. Data: the pool (gold hidden until selected), the evaluation set, the replay corpus.
  const poolFile = await readCorpusFile(resolveRepoPath(config.pool), config.poolLimit);
  let evalSet: CorpusExample[];
  let poolExamples: CorpusExample[];
  let evaluation: string;
  if (config.eval) {
    evalSet = await readCorpusFile(resolveRepoPath(config.eval));
    const evalHashes = new Set(evalSet.map((e) => textHash(e.text)));
    poolExamples = poolFile.filter((e) => !evalHashes.has(textHash(e.text)));
    evaluation = `${config.eval} (${evalSet.length} sentences; ${poolFile.length - poolExamples.length} pool sentences with an eval text removed)`;
  } else if (config.evalIds) {
    const text = await readFile(resolveRepoPath(config.evalIds), 'utf8');
    const ids = new Set(text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    const split = splitByIds(poolFile, ids, (e) => e.id, (e) => textHash(e.text));
    evalSet = split.heldOut;
    poolExamples = split.rest;
    evaluation = `held out of the pool by ${config.evalIds}: ${evalSet.length} sentences, never selectable; ${split.droppedAsDuplicates} pool sentences with the same text as a held-out one removed`;
  } else {
    const split = holdOut(poolFile, config.evalHoldout, config.holdoutSeed, (e) => textHash(e.text));
    evalSet = split.heldOut;
    poolExamples = split.rest;
    evaluation = `held out of the pool: ${evalSet.length} sentences (seed ${config.holdoutSeed}), never selectable; ${split.droppedAsDuplicates} pool sentences with the same text as a held-out one removed`;
  }
  // The pool never offers a sentence the base model was trained on (its labels are known to it).
  const trained = await trainedOnPool(baseModel, resolveRepoPath(config.pool));
  const unseen = trained.wholeFile
    ? { rest: [] as CorpusExample[], excludedById: poolExamples.length, excludedBySameText: 0 }
    : excludeTrained(poolExamples, trained.ids, (e) => e.id, (e) => textHash(e.text));
  poolExamples = unseen.rest;
  const pool: PoolEntry[] = poolExamples.map((e) => ({ id: e.id, textHash: textHash(e.text), example: e }));
  if (new Set(pool.map((d) => d.id)).size !== pool.length) throw new ConfigError([`--pool ${config.pool}: document ids are not unique`]);
  say(`pool: ${unseen.excludedById} sentences the base model was trained on and ${unseen.excludedBySameText} with the same text removed (${trained.source}); ${pool.length} remain`);
  const shortfall = poolShortfall(config.rounds, config.batch, pool.length, trained.source);
  if (shortfall) throw new ConfigError([shortfall]);
  const replay = await readCorpusFile(resolveRepoPath(config.replay), config.replayLimit);
  const evalHashes = [...new Set(evalSet.map((e) => textHash(e.text)))];

  const echo = {
    ...config,
    baseModel,
    strategies: Object.fromEntries(config.strategies.map((s) => [s.key, s.name])),
    evaluation,
    poolSize: pool.length,
    poolExcludedAsTrained: { byId: unseen.excludedById, bySameText: unseen.excludedBySameText, source: trained.source },
    evalSize: evalSet.length,
    replaySize: replay.length,
    trainerOverrides: fineTuneOverrides(config, config.seeds[0]).map((o) => (o.startsWith('system.seed=') ? 'system.seed=<seed>' : o)),
    trainerDev: `the chain's labelled documents (latest ${TRAINER_DEV_MAX}); the eval set never reaches the trainer`,
    outDir: folder.dir,
  };
  await folder.writeJson('config.json', echo);
  await folder.writeText('eval-ids.txt', evalSet.map((e) => e.id).join('\n') + '\n');
  say(`run folder ${folder.dir}`);
  say(`pool ${pool.length} selectable sentences; eval ${evaluation}; replay ${replay.length} sentences`);
  say(`strategies ${config.strategies.map((s) => s.key).join(', ')}; seeds ${config.seeds.join(', ')}; ${config.rounds} rounds × ${config.batch} documents`);

  // 2. The platform's training job (one Python process per fine-tune) and the runtime.
  const trainer = new SimTrainer(
    new PythonTrainingJob({ python: resolveRepoPath(config.python), trainerDir: resolveRepoPath(TRAINER_DIR), configFile: resolveRepoPath(config.trainerConfig) }),
  );
  const points: CurvePoint[] = [];
  const labels = Array.from({ length: config.rounds + 1 }, (_, r) => r * config.batch);
  const randomKey = config.strategies.find((s) => s.name === RANDOM)!.key;
  const writeCurves = async () => {
    await folder.writeText('curves.csv', curvesCsv(points));
    await folder.writeText('curves.svg', plot(config, points));
  };

  // 3. Round 0: the base model, shared by every strategy and seed.
  const t0 = Date.now();
  const base = await RuntimeModel.open(baseModel, config.threads);
  const baseScores = await base.evaluate(evalSet).finally(() => base.dispose());
  say(`round 0 base ${base.version}: F1 ${pct(baseScores.f1)} (P ${pct(baseScores.precision)} R ${pct(baseScores.recall)}) on ${evalSet.length} eval sentences in ${secs(Date.now() - t0)}s`);
  for (const seed of config.seeds) {
    for (const s of config.strategies) points.push({ strategy: s.key, seed, round: 0, labels: 0, f1: baseScores.f1, precision: baseScores.precision, recall: baseScores.recall });
  }
  await writeCurves();

  // 4. The rounds: every strategy of a seed shares score subsamples, replay samples and trainer seed.
  for (const seed of config.seeds) {
    const chains: Chain[] = config.strategies.map((strategy) => ({ strategy, model: baseModel, labelled: [], labelledHashes: new Set<string>() }));
    for (let round = 1; round <= config.rounds; round++) {
      const sampleSeed = mixSeed(seed, round, 'score-sample');
      for (const chain of chains) {
        if (abort.signal.aborted) throw abort.signal.reason;
        const { key, name } = chain.strategy;
        const timing = { score: 0, select: 0, train: 0, eval: 0 };

        // score the round's candidates with the chain's current model
        let t = Date.now();
        const candidates = roundCandidates(pool, config.scoreSample, sampleSeed, (d) => chain.labelledHashes.has(d.textHash));
        let scored: PoolDoc[];
        let labelledEmbeddings: number[][] = [];
        if (name === RANDOM) scored = candidates.map((d) => ({ ...d, scores: NO_SCORES, embedding: [] }));
        else {
          const model = await RuntimeModel.open(chain.model, config.threads);
          try {
            scored = await model.score(candidates, name === HYBRID);
            if (name === HYBRID) labelledEmbeddings = await model.embed(chain.labelled.map((e) => e.text));
          } finally {
            await model.dispose();
          }
        }
        timing.score = Date.now() - t;

        // select B documents and reveal their gold labels (the simulated annotators' corrections)
        t = Date.now();
        const selection = selectCandidates(scored, {
          strategy: name,
          budget: config.batch,
          baseScore: config.baseScore,
          k: config.hybridK,
          perClusterMax: config.hybridPerCluster,
          noveltyWeight: config.noveltyWeight,
          labelledEmbeddings,
          seed: mixSeed(seed, round, 'select'),
        });
        const batch = selection.selected.map((s) => s.doc.example);
        for (const s of selection.selected) chain.labelledHashes.add(s.doc.textHash!);
        chain.labelled.push(...batch);
        timing.select = Date.now() - t;

        // training set under the new-data cap, then one fine-tune through the trainer job
        t = Date.now();
        const set = buildTrainingSet({
          newExamples: config.trainOn === 'all' ? chain.labelled : batch,
          replayPool: replay,
          cap: config.cap,
          seed: `${seed}:${round}`,
          excludeTextHashes: evalHashes,
        });
        if (set.deferred.length) say(`warning: ${set.deferred.length} labels deferred: the replay corpus is too small for the cap`);
        const ft = await trainer.fineTune({
          dir: folder.roundDir(seed, key, round),
          runId: `sim-s${seed}-${key}-r${round}`,
          initFrom: config.initFrom === 'previous' ? chain.model : baseModel,
          train: set.examples,
          dev: chain.labelled.slice(-TRAINER_DEV_MAX),
          overrides: fineTuneOverrides(config, seed),
          signal: abort.signal,
        });
        timing.train = Date.now() - t;

        // score the new model on the eval set
        t = Date.now();
        const model = await RuntimeModel.open(ft.modelDir, config.threads);
        const scores = await model.evaluate(evalSet).finally(() => model.dispose());
        timing.eval = Date.now() - t;
        if (!config.keepModels && chain.model !== baseModel) await trainer.discard(chain.model);
        chain.model = ft.modelDir;

        const point: CurvePoint = { strategy: key, seed, round, labels: chain.labelled.length, f1: scores.f1, precision: scores.precision, recall: scores.recall };
        points.push(point);
        await folder.appendJsonLine('rounds.jsonl', {
          seed,
          strategy: key,
          strategyName: name,
          round,
          labels: point.labels,
          eval: { precision: scores.precision, recall: scores.recall, f1: scores.f1, tp: scores.tp, fp: scores.fp, fn: scores.fn, perType: scores.perType },
          selection: {
            candidates: candidates.length,
            clusters: selection.clusters,
            selected: selection.selected.map((s) => ({ id: s.doc.id, rank: s.rank, priority: s.priority, score: s.score, cluster: s.cluster, novelty: s.novelty, goldEntities: s.doc.example.entities.length })),
          },
          trainingSet: set.stats,
          trainer: { initFrom: config.initFrom === 'previous' ? 'previous' : 'base', version: ft.result.version, bestEpoch: ft.result.bestEpoch, dev: ft.result.dev, progress: ft.progress, elapsedS: ft.result.elapsedS },
          seconds: { score: secs(timing.score), select: secs(timing.select), train: secs(timing.train), eval: secs(timing.eval) },
        });
        const withEntities = batch.filter((e) => e.entities.length > 0).length;
        say(
          `seed ${seed} round ${round}/${config.rounds} ${key}: +${batch.length} (${withEntities} with entities) → ${point.labels} labels, ` +
            `train ${set.stats.nNew}+${set.stats.nReplay} replay; F1 ${pct(scores.f1)} (P ${pct(scores.precision)} R ${pct(scores.recall)}) ` +
            `| score ${secs(timing.score)}s train ${secs(timing.train)}s eval ${secs(timing.eval)}s | ${secs(Date.now() - started)}s total`,
        );
      }
      await writeCurves();
    }
  }

  // 5. Summary: the JSON line printed last (also summary.json).
  const summary = {
    ...summariseCurves(points, randomKey, labels),
    seeds: config.seeds,
    base: { version: base.version, f1: baseScores.f1, precision: baseScores.precision, recall: baseScores.recall },
    wall_s: secs(Date.now() - started),
    out_dir: folder.dir,
    files: { csv: path.join(folder.dir, 'curves.csv'), svg: path.join(folder.dir, 'curves.svg'), rounds: path.join(folder.dir, 'rounds.jsonl') },
    config: echo,
  };
  await folder.writeJson('summary.json', summary);
  process.stdout.write(JSON.stringify(summary) + '\n');
  return 0;
}

/** The learning-curve SVG: mean F1 (± std over seeds) per strategy vs labelled documents. */
function plot(config: SimConfig, points: readonly CurvePoint[]): string {
  const curves = meanCurves(points);
  return learningCurveSvg({
    title: 'Active learning: strict entity F1 vs labelled documents',
    subtitle: `pool ${path.basename(path.dirname(config.pool))}/${path.basename(config.pool)}, B=${config.batch}, ${config.rounds} rounds, seeds ${config.seeds.join(',')}, replay ${path.basename(path.dirname(config.replay))} (cap ${config.cap}), init ${config.initFrom}, train on ${config.trainOn}, ${config.epochs} epoch(s)`,
    xLabel: 'labelled documents',
    yLabel: 'F1 (%) on the eval set',
    series: [...curves].map(([name, c]) => ({ name, points: c.map((p) => ({ x: p.labels, y: p.f1, yStd: p.f1Std })) })),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[sim] failed: ${errorMessage(err)}\n`);
    const tail = (err as { context?: unknown }).context;
    if (tail) process.stderr.write(`[sim] context: ${JSON.stringify(tail)}\n`);
    process.exit(1);
  },
);
