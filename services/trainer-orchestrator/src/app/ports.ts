// The ports the orchestrator's use cases depend on. Adapters: SQL repositories
// (adapters/repository.ts), the Python child process (adapters/pythonTrainingJob.ts), the model
// runtime evaluator (adapters/modelEvaluator.ts) and the file workspace (adapters/workspace.ts).
import type { CorrectionOrigin, GoldEntity, ModelEvent } from '@zhner/contracts';
import type { CorpusExample, Scores } from '@zhner/core';
import type { GateDecision, SetScores } from '../domain/gate';
import type { Split } from '../domain/examples';
import type { TrainerResult, TrainingProgress } from '../domain/progress';
import type { TrainingSetStats } from '../domain/trainingSet';
import type { RunTrigger } from '../domain/triggers';

// ---- training examples --------------------------------------------------------------------

/** A validated correction on its way into `training_examples`. Entities keep UTF-16 offsets. */
export interface NewTrainingExample {
  correctionId: string;
  textHash: string;
  docId: string;
  text: string;
  entities: GoldEntity[];
  annotator: string;
  origin: CorrectionOrigin;
  revision: number;
  /** Correction.createdAt, epoch ms. */
  correctedAt: number;
  modelVersion: string | null;
  split: Split;
  /** The types the annotator could mark (Correction.labelSet, else the label set on arrival). */
  labelSet: string[];
}

export interface StoredExample {
  correctionId: string;
  textHash: string;
  docId: string;
  text: string;
  /** UTF-16 offsets, as on the topic. */
  entities: GoldEntity[];
  annotator: string;
  origin: string;
  split: Split;
  firstUsedIn: string | null;
  /** The types the annotator could mark; null for rows stored before it was recorded (the base model's types). */
  labelSet: string[] | null;
}

export interface ExampleRepository {
  /**
   * Inserts the examples (a correction id already stored is skipped: idempotent redelivery) and
   * re-decides, for every text touched, which of its corrections is active (domain chooseActive);
   * the others get `superseded_by`. One transaction. Returns how many rows were new.
   */
  ingest(examples: readonly NewTrainingExample[]): Promise<{ inserted: number }>;
  /** Active training-split examples never used by any run (what the backlog trigger counts). */
  backlog(): Promise<number>;
  /** Active training-split examples that no promoted model has learned yet, oldest first. */
  unlearned(): Promise<StoredExample[]>;
  /** Active hold-out examples. */
  holdout(): Promise<StoredExample[]>;
}

// ---- runs -----------------------------------------------------------------------------------

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'rejected';

export interface RunRecord {
  runId: string;
  status: RunStatus;
  trigger: RunTrigger;
  baseVersion: string | null;
  newVersion: string | null;
  config: Record<string, unknown>;
  dataStats: Record<string, unknown>;
  progress: TrainingProgress[];
  metrics: Record<string, unknown>;
  gate: GateDecision | null;
  error: string | null;
  runDir: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
}

export interface NewRun {
  runId: string;
  trigger: RunTrigger;
  baseVersion: string;
  config: Record<string, unknown>;
  runDir: string;
  owner: string;
}

/** A model version row. `metrics` is {"dev": Scores, "holdout": Scores | null, ...}. */
export interface ModelVersionRecord {
  version: string;
  name: string;
  uri: string;
  manifestSha256: string;
  parentVersion: string | null;
  status: 'registered' | 'candidate' | 'promoted' | 'rejected' | 'rolled_back' | 'retired';
  metrics: Record<string, unknown>;
  /** Entity types of the version's manifest ([] when not known yet: filled at start-up). */
  entityTypes: string[];
  trainingRunId: string | null;
  createdAt: string;
  promotedAt: string | null;
}

export interface RunOutcome {
  status: 'succeeded' | 'rejected';
  gate: GateDecision;
  metrics: Record<string, unknown>;
  model: Omit<ModelVersionRecord, 'createdAt' | 'promotedAt'>;
  /** PUBLISHED (passed) or REJECTED: enqueued in the outbox in the same transaction; null when held. */
  event: ModelEvent | null;
}

export interface RunRepository {
  /** Inserts a running run; throws RUN_IN_PROGRESS (409 CONFLICT) when one is queued or running (any replica). */
  claim(run: NewRun): Promise<void>;
  active(): Promise<RunRecord | null>;
  /** Fails runs whose heartbeat is older than `olderThanMs` (their process died); returns their ids. */
  failStale(olderThanMs: number): Promise<string[]>;
  /** Records the training-set stats and which corrections the run uses (sets first_used_in). */
  recordData(runId: string, stats: TrainingSetStats & Record<string, unknown>, correctionIds: readonly string[]): Promise<void>;
  appendProgress(runId: string, progress: TrainingProgress): Promise<void>;
  heartbeat(runId: string): Promise<void>;
  setMetrics(runId: string, metrics: Record<string, unknown>): Promise<void>;
  fail(runId: string, error: string): Promise<void>;
  /** Registers the model version, enqueues its event and closes the run: one transaction. */
  complete(runId: string, outcome: RunOutcome): Promise<void>;
  get(runId: string): Promise<RunRecord | null>;
  list(opts: { limit: number; status?: RunStatus }): Promise<RunRecord[]>;
  countsByStatus(): Promise<Record<string, number>>;
}

// ---- label types ----------------------------------------------------------------------------

/** A type an admin admitted to the label set before any model knows it. */
export interface AdmittedType {
  type: string;
  admittedAt: number;
  admittedBy: string;
  note: string | null;
}

/** label_types: admitted types (one writer: this service). */
export interface LabelTypeRepository {
  /** Admitted and not removed, oldest first. */
  admitted(): Promise<AdmittedType[]>;
  /** 'exists' when the type is admitted already (a removed one is admitted again). */
  admit(t: { type: string; by: string; note: string | null }): Promise<'admitted' | 'exists'>;
  /** 'unknown' when the type is not admitted. */
  remove(type: string, by: string): Promise<'removed' | 'unknown'>;
}

// ---- model registry -------------------------------------------------------------------------

export interface ModelRepository {
  promoted(): Promise<ModelVersionRecord | null>;
  get(version: string): Promise<ModelVersionRecord | null>;
  list(limit: number): Promise<ModelVersionRecord[]>;
  /** Inserts `model` as promoted only when the registry is empty; returns whether it did. */
  registerInitial(model: Omit<ModelVersionRecord, 'createdAt' | 'promotedAt' | 'status'>): Promise<boolean>;
  /**
   * The shipped default model directory now holds another version (the repository was updated):
   * `model` becomes the promoted version (inserted, or its record refreshed) and the others are
   * retired, in one transaction.
   */
  adoptBundled(model: Omit<ModelVersionRecord, 'createdAt' | 'promotedAt' | 'status'>): Promise<void>;
  /**
   * PROMOTED: the version becomes 'promoted' (inserted from the event when unknown), the previously
   * promoted one 'retired', and the corrections its run used are marked learned. An event older
   * than the current promotion is ignored ('stale').
   */
  applyPromoted(event: ModelEvent): Promise<'applied' | 'stale'>;
  setEntityTypes(version: string, entityTypes: readonly string[]): Promise<void>;
  /** ROLLED_BACK: the version becomes 'rolled_back'; if it was promoted, `previousVersion` is promoted again. */
  applyRolledBack(event: ModelEvent): Promise<'applied' | 'unknown'>;
}

// ---- training job and evaluation ------------------------------------------------------------

export interface TrainingJobSpec {
  runId: string;
  /** Training set, corpora JSONL (code-point offsets). */
  trainFile: string;
  /** Dev file for early stopping (corpora JSONL) and how many sentences of it (0 = all). */
  devFile: string;
  devLimit: number;
  /** Becomes the exported model directory. */
  outDir: string;
  /** Model directory to fine-tune from; null = train from scratch. */
  initFrom: string | null;
  /** Further `section.key=value` overrides for this run. */
  overrides?: readonly string[];
  /** Called for each PROGRESS line, in order. */
  onProgress?: (progress: TrainingProgress) => void | Promise<void>;
  /** Aborting stops the job (the child process is terminated). */
  signal?: AbortSignal;
}

/** Fine-tunes (or trains) a model. Throws a TRAINING_FAILED error (src/errors.ts) on failure. */
export interface TrainingJob {
  run(spec: TrainingJobSpec): Promise<TrainerResult>;
}

/** Scores a model directory on documents (strict entity F1, code-point spans). Throws an EVALUATION_FAILED error (src/errors.ts). */
export interface Evaluator {
  /** Strict scores, with bias slices when the evaluator has a slice file. */
  evaluate(modelDir: string, docs: readonly CorpusExample[], dataset: string): Promise<SetScores>;
}

// ---- files ----------------------------------------------------------------------------------

export interface ModelManifest {
  version: string;
  name: string;
  parentVersion: string | null;
  entityTypes: string[];
  metrics: Record<string, unknown>;
  /** sha256 of manifest.json's bytes (what replicas verify). */
  sha256: string;
}

export interface RunPaths {
  runDir: string;
  dataDir: string;
  modelDir: string;
}

export interface Workspace {
  /** The directory layout of a run under MODELS_DIR/runs/<runId> (created). */
  prepareRun(runId: string): Promise<RunPaths>;
  writeCorpus(file: string, examples: readonly CorpusExample[]): Promise<void>;
  writeJson(file: string, value: unknown): Promise<void>;
  /** Reads a model directory's manifest.json; throws when it is missing or unreadable. */
  readManifest(modelDir: string): Promise<ModelManifest>;
}

/** A corpus file (JSONL) read once and cached. */
export interface CorpusSource {
  load(): Promise<CorpusExample[]>;
}

export interface Clock {
  now(): number;
}
