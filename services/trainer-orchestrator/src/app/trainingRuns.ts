// One fine-tuning run, start to finish:
//   claim (one run at a time) → training set under the new-data cap → JSONL in the run directory →
//   training job (fine-tuning from the promoted model, progress recorded live) → gate (candidate vs
//   promoted on the dev set and the correction hold-out) → registered version + PUBLISHED, or
//   rejected version + REJECTED (one transaction with the outbox row announcing it).
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ModelEvent } from '@zhner/contracts';
import { errorMessage, textHash } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { goldToCorpusEntities, type CorpusExample, type Scores } from '@zhner/core';
import { errors } from '../errors';
import { decideGate, type GateDecision, type GatePolicy, type ModelScores } from '../domain/gate';
import type { TrainerResult } from '../domain/progress';
import { buildTrainingSet } from '../domain/trainingSet';
import type { RunTrigger } from '../domain/triggers';
import type { Clock, CorpusSource, Evaluator, ExampleRepository, ModelRepository, ModelVersionRecord, RunRecord, RunRepository, StoredExample, TrainingJob, Workspace } from './ports';

export interface TrainingRunSettings {
  /** Largest share of new examples in a training set (0..1]. */
  cap: number;
  /** Seed of the replay sample; the run id is mixed in so every run draws afresh. */
  seed: number;
  gate: GatePolicy;
  /** Dev file handed to the trainer for early stopping (and its sentence limit). */
  devFile: string;
  devLimit: number;
  /** Overrides handed to every job (TRAINER_SET), recorded in the run's config. */
  trainerOverrides: readonly string[];
  /** This process, recorded as the run's owner. */
  owner: string;
  /** A run whose heartbeat is older than this is considered dead. */
  staleAfterMs: number;
  /** How often a running run's heartbeat is refreshed. */
  heartbeatMs: number;
  /** Unused training corrections a manual run needs at least (TRAIN_MANUAL_MIN_CORRECTIONS). */
  manualMinCorrections: number;
}

/** Things worth counting (the metrics adapter implements it). */
export interface RunObserver {
  runStarted?(trigger: RunTrigger): void;
  runFinished(status: 'succeeded' | 'failed' | 'rejected', durationS: number): void;
  scored(model: 'candidate' | 'base', dataset: 'dev' | 'holdout', f1: number): void;
}

export interface TrainingRunsDeps {
  runs: RunRepository;
  examples: ExampleRepository;
  models: ModelRepository;
  job: TrainingJob;
  evaluator: Evaluator;
  workspace: Workspace;
  replay: CorpusSource;
  dev: CorpusSource;
  clock: Clock;
  logger: Logger;
  settings: TrainingRunSettings;
  observer?: RunObserver;
  /** Called after an outcome's event is in the outbox (e.g. flush the relay now). */
  onEventQueued?: () => void;
  newRunId?: () => string;
  /** The label set now (the registry's): a run extends the base model's types with the admitted ones. */
  labelSet?: () => readonly string[];
}

export interface StartedRun {
  run: RunRecord;
  /** Settles when the run has finished (never rejects: failures are recorded on the run). */
  done: Promise<RunRecord>;
}

export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function toCorpusExample(e: StoredExample): CorpusExample {
  return { id: e.correctionId, text: e.text, entities: goldToCorpusEntities(e.text, e.entities) };
}

/**
 * What each sentence of a run was annotated for. A run's types are the base model's plus every
 * type the label set admits now. A correction was annotated for the types it was offered (its
 * label set; rows stored before that was recorded: the base model's types); a replayed corpus
 * sentence for the types its corpus marks (those that occur in the pool). The other run types are
 * `unannotatedTypes` there: the trainer marginalises over them on O characters, scoring ignores
 * predictions of them. Spans of a type no longer in the label set (removed by an admin) are left
 * out and the type counts as not annotated.
 */
export function annotateCoverage(runTypes: readonly string[], baseTypes: readonly string[]) {
  const types = new Set(runTypes);
  const missing = (offered: Iterable<string>) => {
    const o = new Set(offered);
    return [...types].filter((t) => !o.has(t)).sort();
  };
  const mark = (ex: CorpusExample, offered: Iterable<string>): CorpusExample => {
    const entities = ex.entities.filter((e) => types.has(e.type));
    const removed = ex.entities.filter((e) => !types.has(e.type)).map((e) => e.type);
    const un = [...new Set([...missing(offered), ...removed])].sort();
    return { ...ex, entities, ...(un.length > 0 ? { unannotatedTypes: un } : {}) };
  };
  return {
    correction: (e: StoredExample): CorpusExample => mark(toCorpusExample(e), e.labelSet ?? baseTypes),
    replay: (pool: readonly CorpusExample[]): CorpusExample[] => {
      const marked = new Set(pool.flatMap((ex) => ex.entities.map((e) => e.type)));
      return pool.map((ex) => mark(ex, marked));
    },
  };
}

/** The numbers carried in a ModelEvent's metrics map. */
export function eventMetrics(candidate: ModelScores, base: ModelScores | null): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (prefix: string, s: Scores | null | undefined) => {
    if (!s) return;
    out[`${prefix}_f1`] = s.f1;
    out[`${prefix}_precision`] = s.precision;
    out[`${prefix}_recall`] = s.recall;
    out[`${prefix}_docs`] = s.docs;
  };
  put('dev', candidate.dev);
  put('holdout', candidate.holdout);
  put('base_dev', base?.dev);
  put('base_holdout', base?.holdout);
  return out;
}

export class TrainingRuns {
  private current: { runId: string; abort: AbortController; done: Promise<RunRecord> } | undefined;
  private closed = false;

  constructor(private readonly deps: TrainingRunsDeps) {}

  /** The run this process is executing, if any. */
  get inFlight(): string | undefined {
    return this.current?.runId;
  }

  /**
   * Claims and starts a run in the background. Throws RUN_IN_PROGRESS (a run is active, here or
   * on another replica), NO_BASE_MODEL (nothing promoted) or NO_NEW_CORRECTIONS /
   * NOT_ENOUGH_CORRECTIONS (all 409 CONFLICT).
   */
  async start(trigger: RunTrigger): Promise<StartedRun> {
    if (this.closed) throw errors.create('NOT_READY');
    const { runs, models, examples, settings } = this.deps;
    const stale = await runs.failStale(settings.staleAfterMs);
    if (stale.length) this.deps.logger.warn({ runs: stale }, 'failed runs whose process stopped sending heartbeats');
    const base = await models.promoted();
    if (!base) throw errors.create('NO_BASE_MODEL', { reason: 'no_base_model' });
    const pending = await examples.unlearned();
    if (pending.length === 0) throw errors.create('NO_NEW_CORRECTIONS', { reason: 'nothing_to_train' });
    if (trigger === 'manual' && pending.length < settings.manualMinCorrections) {
      throw errors.create('NOT_ENOUGH_CORRECTIONS', { pending: pending.length, minimum: settings.manualMinCorrections, reason: 'not_enough_corrections' });
    }
    const runId = (this.deps.newRunId ?? (() => newRunId(new Date(this.deps.clock.now()))))();
    const paths = await this.deps.workspace.prepareRun(runId);
    const config = {
      cap: settings.cap,
      seed: settings.seed,
      gate: settings.gate,
      devFile: settings.devFile,
      devLimit: settings.devLimit,
      trainerOverrides: settings.trainerOverrides,
      initFrom: base.uri,
    };
    await runs.claim({ runId, trigger, baseVersion: base.version, config, runDir: paths.runDir, owner: settings.owner });
    this.deps.logger.info({ runId, trigger, base: base.version, pending: pending.length }, 'training run started');
    this.deps.observer?.runStarted?.(trigger);
    const abort = new AbortController();
    const done = this.execute(runId, base, pending, paths, abort.signal).then(async () => (await runs.get(runId))!);
    this.current = { runId, abort, done };
    void done.finally(() => {
      if (this.current?.runId === runId) this.current = undefined;
    });
    return { run: (await runs.get(runId))!, done };
  }

  private async execute(runId: string, base: ModelVersionRecord, pending: StoredExample[], paths: { runDir: string; dataDir: string; modelDir: string }, signal: AbortSignal): Promise<void> {
    const { runs, settings, logger } = this.deps;
    const started = this.deps.clock.now();
    const heartbeat = setInterval(() => void runs.heartbeat(runId).catch((err) => logger.warn({ runId, err: errorMessage(err) }, 'heartbeat failed')), settings.heartbeatMs);
    heartbeat.unref?.();
    let status: 'succeeded' | 'failed' | 'rejected' = 'failed';
    try {
      const [replayPool, dev, holdoutRows] = await Promise.all([this.deps.replay.load(), this.deps.dev.load(), this.deps.examples.holdout()]);
      // the run learns the base model's types and every type admitted now (an admin added one)
      const runTypes = [...new Set([...base.entityTypes, ...(this.deps.labelSet?.() ?? [])])].sort();
      const coverage = annotateCoverage(runTypes, base.entityTypes);
      const holdout = holdoutRows.map(coverage.correction);
      const replay = coverage.replay(replayPool);
      const set = buildTrainingSet({
        newExamples: pending.map(coverage.correction),
        replayPool: replay,
        cap: settings.cap,
        seed: `${settings.seed}:${runId}`,
        excludeTextHashes: [...holdout, ...dev].map((d) => textHash(d.text)),
      });
      if (set.stats.nNew === 0) throw errors.create('REPLAY_POOL_TOO_SMALL', { replayEligible: set.stats.replayEligible, cap: settings.cap, reason: 'nothing_to_train' });
      const trainFile = path.join(paths.dataDir, 'train.jsonl');
      await this.deps.workspace.writeCorpus(trainFile, set.examples);
      await this.deps.workspace.writeCorpus(path.join(paths.dataDir, 'holdout.jsonl'), holdout);
      const partial = set.examples.filter((e) => e.unannotatedTypes).length;
      const stats = { ...set.stats, nHoldout: holdout.length, nDev: dev.length, trainFile, entityTypes: runTypes, partiallyAnnotated: partial };
      await this.deps.workspace.writeJson(path.join(paths.dataDir, 'stats.json'), stats);
      await runs.recordData(runId, stats, set.newExamples.map((e) => e.id));
      this.throwIfAborted(signal);

      const result = await this.deps.job.run({
        runId,
        trainFile,
        devFile: settings.devFile,
        devLimit: settings.devLimit,
        outDir: paths.modelDir,
        initFrom: base.uri,
        overrides: settings.trainerOverrides,
        onProgress: (p) => runs.appendProgress(runId, p),
        signal,
      });
      if (!result.version) throw errors.create('TRAINER_EXPORTED_NOTHING', { runId });
      const manifest = await this.deps.workspace.readManifest(result.outDir);
      await runs.setMetrics(runId, { trainer: trainerMetrics(result) });
      this.throwIfAborted(signal);

      const candidate = { ...(await this.score(result.outDir, dev, holdout, 'candidate')), entityTypes: manifest.entityTypes };
      const baseScores = { ...(await this.score(base.uri, dev, holdout, 'base')), entityTypes: base.entityTypes };
      const gate = decideGate(candidate, baseScores, settings.gate);
      // held: evidence is missing (GATE_MISSING_EVIDENCE=hold): registered, not published
      status = gate.outcome === 'failed' ? 'rejected' : 'succeeded';
      const metrics = { dev: candidate.dev, holdout: candidate.holdout, base: { version: base.version, dev: baseScores.dev, holdout: baseScores.holdout }, trainer: trainerMetrics(result) };
      const event: ModelEvent | null = gate.outcome === 'held' ? null : {
        eventId: randomUUID(),
        type: gate.passed ? 'PUBLISHED' : 'REJECTED',
        modelVersion: manifest.version,
        previousVersion: base.version,
        modelUri: result.outDir,
        manifestSha256: manifest.sha256,
        metrics: eventMetrics(candidate, baseScores),
        reason: gate.passed ? null : gate.reasons.join('; '),
        at: this.deps.clock.now(),
      };
      await runs.complete(runId, {
        status,
        gate,
        metrics,
        event,
        model: {
          version: manifest.version,
          name: manifest.name,
          uri: result.outDir,
          manifestSha256: manifest.sha256,
          parentVersion: base.version,
          status: gate.outcome === 'failed' ? 'rejected' : 'candidate',
          metrics: { dev: candidate.dev, holdout: candidate.holdout, gate: summarizeGate(gate) },
          entityTypes: manifest.entityTypes,
          trainingRunId: runId,
        },
      });
      this.deps.onEventQueued?.();
      logger.info({ runId, version: manifest.version, outcome: gate.outcome, reasons: gate.reasons }, gate.outcome === 'held' ? 'training run finished: held by the gate (evidence missing), not published' : 'training run finished');
    } catch (err) {
      status = 'failed';
      const message = signal.aborted ? `interrupted: ${errorMessage(signal.reason ?? err)}` : errorMessage(err);
      logger.error({ runId, err: message }, 'training run failed');
      await runs.fail(runId, message).catch((e) => logger.error({ runId, err: errorMessage(e) }, 'cannot record the failed run'));
    } finally {
      clearInterval(heartbeat);
      this.deps.observer?.runFinished(status, (this.deps.clock.now() - started) / 1000);
    }
  }

  private throwIfAborted(signal: AbortSignal): void {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
  }

  private async score(modelDir: string, dev: CorpusExample[], holdout: CorpusExample[], which: 'candidate' | 'base'): Promise<ModelScores> {
    const devScores = await this.deps.evaluator.evaluate(modelDir, dev, 'dev');
    const holdoutScores = holdout.length > 0 ? await this.deps.evaluator.evaluate(modelDir, holdout, 'holdout') : null;
    this.deps.observer?.scored(which, 'dev', devScores.f1);
    if (holdoutScores) this.deps.observer?.scored(which, 'holdout', holdoutScores.f1);
    return { dev: devScores, holdout: holdoutScores };
  }

  /** Stops the run in flight (its job is aborted and the run recorded as failed), then waits for it. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const cur = this.current;
    if (!cur) return;
    cur.abort.abort(new Error('the orchestrator is shutting down'));
    await cur.done.catch(() => undefined);
  }
}

function trainerMetrics(r: TrainerResult): Record<string, unknown> {
  return { version: r.version, bestEpoch: r.bestEpoch, dev: r.dev, elapsedS: r.elapsedS };
}

function summarizeGate(g: GateDecision): Record<string, unknown> {
  return { passed: g.passed, reasons: g.reasons, checks: g.checks.map((c) => ({ name: c.name, candidateF1: c.candidateF1, baseF1: c.baseF1, deltaPoints: c.deltaPoints, skipped: c.skipped })), biasFlags: g.biasFlags };
}
