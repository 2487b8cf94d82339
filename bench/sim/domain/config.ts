// The simulation's configuration: every CLI flag with its default and unit, parsed and checked in one
// place before any work starts (every problem is listed at once). Pure: no file is touched here;
// paths stay as given and are resolved by the caller.
import { parseArgs } from 'node:util';
import { ConfigError } from '@zhner/core';
import { HYBRID, RANDOM, SCORE_NAMES, STRATEGY_NAMES, isScoreName, isStrategyName, type ScoreName, type StrategyName } from '@zhner/sampler';

/** Short names accepted by `--strategies` (a full versioned name such as sampler.max-entropy.v1 works too). */
export const STRATEGY_ALIASES: Readonly<Record<string, StrategyName>> = {
  random: RANDOM,
  entropy: 'sampler.entropy.v1',
  mnlp: 'sampler.mnlp.v1',
  hybrid: HYBRID,
  'least-confidence': 'sampler.least-confidence.v1',
  'max-entropy': 'sampler.max-entropy.v1',
  'entity-confidence': 'sampler.entity-confidence.v1',
};

/** Which model a round fine-tunes from: the previous round's model (the loop) or always the base model. */
export type InitFrom = 'previous' | 'base';
/** What a round trains on (besides replay): every label so far, or only the round's new labels. */
export type TrainOn = 'all' | 'new';

export interface SimStrategy {
  /** The key in the outputs (the alias given, e.g. "hybrid"). */
  readonly key: string;
  /** The sampler's versioned strategy name. */
  readonly name: StrategyName;
}

export interface SimConfig {
  /** Model the simulation starts from (default: the bundled model). */
  readonly baseModel: string;
  /** Unlabelled pool (corpora JSONL); gold labels are read but revealed only for selected documents. */
  readonly pool: string;
  /** Use only the first N pool sentences (0 = all); for tiny runs. */
  readonly poolLimit: number;
  /** Evaluation corpus; null = the pool sentences of `evalIds`, else a seeded hold-out of `evalHoldout`. */
  readonly eval: string | null;
  /**
   * Id file of the pool sentences held out as the evaluation set (relative to the repository root);
   * default: the CLUENER dev split of the default model (splits/cluener-dev.ids) when the pool is the
   * default one and neither --eval, --eval-holdout nor --holdout-seed is given; null otherwise.
   */
  readonly evalIds: string | null;
  /** Sentences held out of the pool as the evaluation set when `eval` is null. Default 1000. */
  readonly evalHoldout: number;
  /** Seed of the hold-out split (the same for every run seed, so every seed is scored on the same set). Default 0. */
  readonly holdoutSeed: number;
  /** In-domain corpus replayed beside the labels under the cap. */
  readonly replay: string;
  /** Use only the first N replay sentences (0 = all). */
  readonly replayLimit: number;
  /** Strategies compared (random is required: it is the reference). */
  readonly strategies: readonly SimStrategy[];
  /** Run seeds: each gives its own score subsamples, replay samples, selection and trainer seeds. */
  readonly seeds: readonly number[];
  /** Rounds after round 0 (the base model). */
  readonly rounds: number;
  /** Documents labelled per round (B). */
  readonly batch: number;
  /** Pool documents scored per round (seeded subsample shared by the strategies of a seed; 0 = the whole pool). */
  readonly scoreSample: number;
  /** Largest share of new labels in a training set (buildTrainingSet's cap). Default 0.15. */
  readonly cap: number;
  readonly initFrom: InitFrom;
  readonly trainOn: TrainOn;
  /** Fine-tuning epochs per round (a fixed count; the reported eval set never reaches the trainer). */
  readonly epochs: number;
  /** training.learning_rate of each fine-tune. */
  readonly learningRate: number;
  /** training.crf_lr_multiplier of each fine-tune. */
  readonly crfLrMultiplier: number;
  /** Further trainer overrides (`section.key=value`, JSON values), applied last. */
  readonly trainerSet: readonly string[];
  /** Trainer .cfg (relative to the repository root). */
  readonly trainerConfig: string;
  /** Python interpreter with the trainer's requirements. */
  readonly python: string;
  /** torch threads of the trainer and onnxruntime intra-op threads of the runtime. */
  readonly threads: number;
  /** Hybrid: k of k-means per round. */
  readonly hybridK: number;
  /** Hybrid: most documents per cluster per round. */
  readonly hybridPerCluster: number;
  /** Hybrid: weight of novelty (cosine distance to the nearest labelled document) in the priority. */
  readonly noveltyWeight: number;
  /** Hybrid: the uncertainty score it ranks by. */
  readonly baseScore: ScoreName;
  /** Run folder; null = artifacts/sim-al/<timestamp>. */
  readonly out: string | null;
  /** Keep every round's model directory (default: only each chain's last model is kept). */
  readonly keepModels: boolean;
}

export const DEFAULTS = {
  baseModel: 'models/zh-ner-default',
  pool: '../shared/data/cluener/train.jsonl',
  evalIds: 'services/trainer-orchestrator/trainer/splits/cluener-dev.ids',
  replay: '../shared/data/msra/train.jsonl',
  trainerConfig: 'services/trainer-orchestrator/trainer/configs/finetune.cfg',
  python: '.venv/bin/python',
  strategies: 'random,entropy,mnlp,hybrid',
  seeds: '1,2',
  rounds: 6,
  batch: 100,
  scoreSample: 3000,
  evalHoldout: 1000,
  holdoutSeed: 0,
  cap: 0.15,
  initFrom: 'previous' as InitFrom,
  trainOn: 'new' as TrainOn,
  epochs: 2,
  learningRate: 0.002,
  crfLrMultiplier: 5,
  threads: 2,
  hybridK: 25,
  noveltyWeight: 0.5,
  baseScore: 'sampler.mnlp.v1' as ScoreName,
} as const;

export const USAGE = `npm run sim:al -- [options]

Active-learning simulation: annotators are simulated with gold labels. Each round every strategy picks
--batch documents of the pool, their gold labels are revealed, the model is fine-tuned by the real
trainer job (replay under the new-data cap) and scored on the eval set with the TypeScript runtime.

  --base-model DIR        model to start from (default ${DEFAULTS.baseModel})
  --pool FILE             unlabelled pool, corpora JSONL (default ${DEFAULTS.pool})
  --pool-limit N          first N pool sentences only (0 = all; default 0)
  --eval FILE             evaluation corpus (default: the pool sentences of --eval-ids)
  --eval-ids FILE|none    id file of the pool sentences held out as the eval set (default with the default
                          pool: ${DEFAULTS.evalIds}, the default model's CLUENER dev split
                          = the hold-out of seed 0, 1000 sentences; none: a seeded hold-out instead)
  --eval-holdout N        pool sentences held out as the eval set without --eval / --eval-ids (default ${DEFAULTS.evalHoldout})
  --holdout-seed N        seed of that hold-out split (default ${DEFAULTS.holdoutSeed})
                          The pool never holds a sentence the base model was trained on (its manifest's
                          data ids); the run refuses to start with fewer than rounds × batch left.
  --replay FILE           in-domain replay corpus (default ${DEFAULTS.replay})
  --replay-limit N        first N replay sentences only (0 = all; default 0)
  --strategies LIST       comma-separated: random, entropy, mnlp, hybrid, least-confidence, max-entropy,
                          entity-confidence or a versioned name (default ${DEFAULTS.strategies}; random required)
  --seeds LIST            comma-separated run seeds (default ${DEFAULTS.seeds})
  --rounds R              rounds after round 0 (default ${DEFAULTS.rounds})
  --batch B               documents labelled per round (default ${DEFAULTS.batch})
  --score-sample N        pool documents scored per round, seeded, shared by a seed's strategies (0 = all; default ${DEFAULTS.scoreSample})
  --cap F                 largest share of new labels in a training set (default ${DEFAULTS.cap})
  --init previous|base    fine-tune from the previous round's model or from the base model (default ${DEFAULTS.initFrom})
  --train-on all|new      labels of a fine-tune: all so far, or the round's new ones (default ${DEFAULTS.trainOn})
  --epochs N              fine-tuning epochs per round (default ${DEFAULTS.epochs})
  --lr F                  training.learning_rate (default ${DEFAULTS.learningRate})
  --crf-lr-multiplier F   training.crf_lr_multiplier (default ${DEFAULTS.crfLrMultiplier})
  --trainer-set K=V       extra trainer override (section.key=value, JSON value); repeatable
  --trainer-config FILE   trainer .cfg (default ${DEFAULTS.trainerConfig})
  --python PATH           interpreter with the trainer's requirements (default ${DEFAULTS.python})
  --threads N             trainer torch threads and runtime intra-op threads (default ${DEFAULTS.threads})
  --hybrid-k N            hybrid: k-means clusters per round (default ${DEFAULTS.hybridK})
  --hybrid-per-cluster N  hybrid: most documents per cluster (default ceil(2·B/k))
  --novelty-weight F      hybrid: w in priority = score·(1 − w + w·novelty) (default ${DEFAULTS.noveltyWeight})
  --base-score NAME       hybrid: uncertainty score it ranks by (default ${DEFAULTS.baseScore})
  --out DIR               run folder (default artifacts/sim-al/<timestamp>)
  --keep-models           keep every round's model directory (default: the last of each chain only)
  --help                  this text

Relative paths are resolved against the repository root (as the trainer and the orchestrator do).
The last line on stdout is the summary JSON (also written to <out>/summary.json).`;

const OPTIONS = {
  'base-model': { type: 'string' },
  pool: { type: 'string' },
  'pool-limit': { type: 'string' },
  eval: { type: 'string' },
  'eval-ids': { type: 'string' },
  'eval-holdout': { type: 'string' },
  'holdout-seed': { type: 'string' },
  replay: { type: 'string' },
  'replay-limit': { type: 'string' },
  strategies: { type: 'string' },
  seeds: { type: 'string' },
  rounds: { type: 'string' },
  batch: { type: 'string' },
  'score-sample': { type: 'string' },
  cap: { type: 'string' },
  init: { type: 'string' },
  'train-on': { type: 'string' },
  epochs: { type: 'string' },
  lr: { type: 'string' },
  'crf-lr-multiplier': { type: 'string' },
  'trainer-set': { type: 'string', multiple: true },
  'trainer-config': { type: 'string' },
  python: { type: 'string' },
  threads: { type: 'string' },
  'hybrid-k': { type: 'string' },
  'hybrid-per-cluster': { type: 'string' },
  'novelty-weight': { type: 'string' },
  'base-score': { type: 'string' },
  out: { type: 'string' },
  'keep-models': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** `--help` was given: the caller prints USAGE. */
export class HelpRequested extends Error {}

/**
 * Parses the CLI arguments (without `node script`). Throws HelpRequested for --help and ConfigError
 * listing every invalid or unknown flag, e.g. `--batch 0`, `--strategies entropy` (random missing),
 * or a hybrid whose clusters × per-cluster cap cannot fill the batch.
 */
export function parseSimArgs(argv: readonly string[]): SimConfig {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (err) {
    throw new ConfigError([`${(err as Error).message} (see --help)`]);
  }
  if (values.help) throw new HelpRequested();
  const problems: string[] = [];
  const str = (k: string, d: string): string => (values[k] as string | undefined) ?? d;
  const num = (k: string, d: number, ok: (n: number) => boolean, what: string): number => {
    const raw = values[k] as string | undefined;
    if (raw === undefined) return d;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || !ok(n)) {
      problems.push(`--${k} ${JSON.stringify(raw)} must be ${what}`);
      return d;
    }
    return n;
  };
  const int = (k: string, d: number, min: number) => num(k, d, (n) => Number.isInteger(n) && n >= min, `an integer >= ${min}`);

  const strategies: SimStrategy[] = [];
  for (const s of str('strategies', DEFAULTS.strategies).split(',').map((x) => x.trim()).filter(Boolean)) {
    const name = STRATEGY_ALIASES[s] ?? (isStrategyName(s) ? s : undefined);
    if (!name) problems.push(`--strategies: unknown strategy ${JSON.stringify(s)}; one of ${[...Object.keys(STRATEGY_ALIASES), ...STRATEGY_NAMES].join(', ')}`);
    else if (strategies.some((x) => x.name === name)) problems.push(`--strategies: ${s} is given twice`);
    else strategies.push({ key: s, name });
  }
  if (!strategies.some((s) => s.name === RANDOM)) problems.push('--strategies must include random: it is the reference of labels_to_match_random');

  const seeds: number[] = [];
  for (const s of str('seeds', DEFAULTS.seeds).split(',').map((x) => x.trim()).filter(Boolean)) {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) problems.push(`--seeds: ${JSON.stringify(s)} must be an integer >= 0`);
    else if (seeds.includes(n)) problems.push(`--seeds: ${n} is given twice`);
    else seeds.push(n);
  }
  if (seeds.length === 0) problems.push('--seeds needs at least one seed');

  const initFrom = str('init', DEFAULTS.initFrom);
  if (initFrom !== 'previous' && initFrom !== 'base') problems.push(`--init ${JSON.stringify(initFrom)} must be previous or base`);
  const trainOn = str('train-on', DEFAULTS.trainOn);
  if (trainOn !== 'all' && trainOn !== 'new') problems.push(`--train-on ${JSON.stringify(trainOn)} must be all or new`);
  const baseScore = str('base-score', DEFAULTS.baseScore);
  if (!isScoreName(baseScore)) problems.push(`--base-score ${JSON.stringify(baseScore)} must be one of ${SCORE_NAMES.join(', ')}`);
  const trainerSet = ((values['trainer-set'] as string[] | undefined) ?? []).map((s) => s.trim());
  for (const s of trainerSet) if (!/^[a-z_]+\.[a-z_0-9]+=/.test(s)) problems.push(`--trainer-set ${JSON.stringify(s)} must look like section.key=value`);

  const batch = int('batch', DEFAULTS.batch, 1);
  const hybridK = int('hybrid-k', DEFAULTS.hybridK, 1);
  const hybridPerCluster = int('hybrid-per-cluster', Math.ceil((2 * batch) / hybridK), 1);
  if (strategies.some((s) => s.name === HYBRID) && hybridK * hybridPerCluster < batch) {
    problems.push(`--hybrid-k ${hybridK} × --hybrid-per-cluster ${hybridPerCluster} < --batch ${batch}: hybrid could not fill a round (raise either)`);
  }
  const evalFile = (values.eval as string | undefined) ?? null;
  const pool = str('pool', DEFAULTS.pool);
  const evalIdsFlag = values['eval-ids'] as string | undefined;
  if (evalIdsFlag !== undefined && evalFile !== null) problems.push('give --eval or --eval-ids, not both');
  const evalIds = evalIdsFlag !== undefined
    ? (evalIdsFlag === 'none' ? null : evalIdsFlag)
    : evalFile === null && pool === DEFAULTS.pool && values['eval-holdout'] === undefined && values['holdout-seed'] === undefined ? DEFAULTS.evalIds : null;

  const config: SimConfig = {
    baseModel: str('base-model', DEFAULTS.baseModel),
    pool,
    poolLimit: int('pool-limit', 0, 0),
    eval: evalFile,
    evalIds,
    evalHoldout: int('eval-holdout', DEFAULTS.evalHoldout, 1),
    holdoutSeed: int('holdout-seed', DEFAULTS.holdoutSeed, 0),
    replay: str('replay', DEFAULTS.replay),
    replayLimit: int('replay-limit', 0, 0),
    strategies,
    seeds,
    rounds: int('rounds', DEFAULTS.rounds, 1),
    batch,
    scoreSample: int('score-sample', DEFAULTS.scoreSample, 0),
    cap: num('cap', DEFAULTS.cap, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    initFrom: initFrom as InitFrom,
    trainOn: trainOn as TrainOn,
    epochs: int('epochs', DEFAULTS.epochs, 1),
    learningRate: num('lr', DEFAULTS.learningRate, (n) => n > 0, 'a number > 0'),
    crfLrMultiplier: num('crf-lr-multiplier', DEFAULTS.crfLrMultiplier, (n) => n > 0, 'a number > 0'),
    trainerSet,
    trainerConfig: str('trainer-config', DEFAULTS.trainerConfig),
    python: str('python', DEFAULTS.python),
    threads: int('threads', DEFAULTS.threads, 1),
    hybridK,
    hybridPerCluster,
    noveltyWeight: num('novelty-weight', DEFAULTS.noveltyWeight, (n) => n >= 0 && n <= 1, 'a number in [0, 1]'),
    baseScore: baseScore as ScoreName,
    out: (values.out as string | undefined) ?? null,
    keepModels: Boolean(values['keep-models']),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * The trainer overrides of one fine-tune, in order (later wins): a fixed epoch count without early
 * stopping, no INT8 export or INT8 check (the simulation scores the FP32 model), the run's seed and
 * threads, then the user's --trainer-set.
 */
export function fineTuneOverrides(config: SimConfig, seed: number): string[] {
  return [
    `training.epochs=${config.epochs}`,
    'training.patience=0',
    `training.learning_rate=${config.learningRate}`,
    `training.crf_lr_multiplier=${config.crfLrMultiplier}`,
    `system.seed=${seed}`,
    `system.threads=${config.threads}`,
    'export.onnx=true',
    'export.quantize=false',
    'export.int8_check_docs=0',
    ...config.trainerSet,
  ];
}
