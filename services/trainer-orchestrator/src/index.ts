// trainer-orchestrator: stores corrections, builds training sets under the 15% new-data cap,
// triggers fine-tuning (cron, backlog threshold, manual), gates on held-out F1 and registers
// model versions (announced on the model-events topic through the outbox).
import { createHttpApp, Lifecycle, registerOpsRoutes, type HttpApp } from '@zhner/kit';
import { consumerGroup } from '@zhner/contracts';
import { consumerServiceReadiness, type RunningService, type ServiceContext } from '@zhner/service';
import { OutboxRelay } from '@zhner/store';
import { configSpec, splitOverrides, type OrchestratorConfig } from './config';
import { IngestCorrections } from './app/ingestCorrections';
import type { Clock, Evaluator, TrainingJob } from './app/ports';
import { ModelRegistry } from './app/registry';
import { TrainingRuns } from './app/trainingRuns';
import { Triggers, type ScheduleFactory } from './app/triggers';
import { nodeCronSchedule } from './adapters/cron';
import { CorpusFiles, FileWorkspace, resolveRepoPath } from './adapters/files';
import { registerOrchestratorRoutes } from './adapters/http';
import { createOrchestratorMetrics } from './adapters/metrics';
import { loadSlices, RuntimeEvaluator, zhnerModelLoader } from './adapters/modelEvaluator';
import { PythonTrainingJob } from './adapters/pythonTrainingJob';
import { SqlExampleRepository, SqlLabelTypeRepository, SqlModelRepository, SqlRunRepository } from './adapters/repository';

// Public surface: the service, and what the active-learning simulation (bench/sim) reuses to fine-tune
// the way the service does (training sets under the cap, the Python job, its workspace).
export { configSpec, type OrchestratorConfig } from './config';
export { errors } from './errors';
export { buildTrainingSet, type TrainingSet, type TrainingSetInput } from './domain/trainingSet';
export { scoreSpans, type CorpusExample, type Scores } from '@zhner/core'; // re-exported for bench/sim
export type { TrainingProgress, TrainerResult } from './domain/progress';
export { PythonTrainingJob } from './adapters/pythonTrainingJob';
export { FileWorkspace, readCorpusFile, readManifest, resolveRepoPath } from './adapters/files';

/** Replaceable parts (tests use a fake job and evaluator, a fixed clock, a manual schedule). */
export interface OrchestratorOverrides {
  job?: TrainingJob;
  evaluator?: Evaluator;
  clock?: Clock;
  schedule?: ScheduleFactory;
}

export interface RunningOrchestrator extends RunningService {
  readonly trainingRuns: TrainingRuns;
  readonly triggers: Triggers;
  /** Publishes pending outbox rows now. */
  flushOutbox(): Promise<number>;
}

/** The PythonTrainingJob configured from the orchestrator's settings. */
export function trainingJobFromConfig(config: OrchestratorConfig, logger?: ServiceContext['logger']): PythonTrainingJob {
  return new PythonTrainingJob({
    python: resolveRepoPath(config.python),
    trainerDir: resolveRepoPath(config.trainerDir),
    configFile: resolveRepoPath(config.trainerConfig),
    overrides: splitOverrides(config.trainerSet),
    timeoutMs: config.trainerTimeoutMs,
    logger,
  });
}

export async function startOrchestrator(config: OrchestratorConfig, ctx: ServiceContext, overrides: OrchestratorOverrides = {}): Promise<RunningOrchestrator> {
  const logger = ctx.logger;
  const lifecycle = new Lifecycle(logger);
  const clock = overrides.clock ?? { now: () => Date.now() };
  const examples = new SqlExampleRepository(ctx.db);
  const runRepo = new SqlRunRepository(ctx.db, ctx.topics.modelEvents);
  const models = new SqlModelRepository(ctx.db);
  const workspace = new FileWorkspace(resolveRepoPath(config.modelsDir));
  const metrics = createOrchestratorMetrics(ctx.registry, { runCounts: () => runRepo.countsByStatus(), backlog: () => examples.backlog(), exampleCounts: () => examples.exampleCounts(), logger });
  const labelTypes = new SqlLabelTypeRepository(ctx.db);
  const registry = new ModelRegistry({ models, workspace, logger, labelOverride: config.labelSet, labelTypes });
  const relay = new OutboxRelay(ctx.db, ctx.bus, logger);
  const trainingRuns = new TrainingRuns({
    runs: runRepo,
    examples,
    models,
    job: overrides.job ?? trainingJobFromConfig(config, logger),
    evaluator: overrides.evaluator ?? new RuntimeEvaluator(zhnerModelLoader(config.gatePrecision === 'auto' ? {} : { precision: config.gatePrecision }), { batchSize: config.evalBatchSize, logger, slices: loadSlices(config.gateSlices) }),
    workspace,
    replay: new CorpusFiles(config.replayFiles.map(resolveRepoPath)),
    dev: new CorpusFiles([resolveRepoPath(config.devFile)], config.devLimit),
    clock,
    logger,
    observer: metrics,
    onEventQueued: () => void relay.flush().catch(() => undefined),
    labelSet: () => registry.labelSet(),
    settings: {
      cap: config.newDataCap,
      seed: config.trainSeed,
      gate: { maxDevDropPoints: config.gateMaxDevDrop, maxHoldoutDropPoints: config.gateMaxHoldoutDrop, minHoldoutDocs: config.gateMinHoldoutDocs, missingEvidence: config.gateMissingEvidence, bias: { tolerancePoints: config.gateBiasTolerance, action: config.gateBiasAction }, perType: { maxDropPoints: config.gateMaxTypeDrop, minSupport: config.gateMinTypeSupport, newTypeMinF1Points: config.gateNewTypeMinF1 } },
      manualMinCorrections: config.manualMinCorrections,
      devFile: resolveRepoPath(config.devFile),
      devLimit: config.devLimit,
      trainerOverrides: splitOverrides(config.trainerSet),
      owner: config.instanceId,
      staleAfterMs: config.runStaleAfterMs,
      heartbeatMs: config.runHeartbeatMs,
    },
  });
  const triggers = new Triggers({
    runs: trainingRuns,
    runRepo,
    examples,
    logger,
    backlogThreshold: config.backlogThreshold,
    backlogCheckMs: config.backlogCheckMs,
    cron: config.trainCron || null,
    schedule: overrides.schedule ?? nodeCronSchedule,
  });
  const ingest = new IngestCorrections({
    examples,
    labelSet: () => registry.labelSet(),
    refreshLabelSet: () => registry.refreshAdmitted(),
    holdoutShare: config.holdoutShare,
    onIngested: (c) => {
      metrics.corrections('stored', c.inserted);
      metrics.corrections('duplicate', c.accepted - c.inserted);
      metrics.corrections('rejected', c.rejected);
      if (c.inserted > 0) void triggers.check('backlog');
    },
  });

  const app = createHttpApp({ logger });
  let subscribed = false;
  await lifecycle.start(async () => {
    const { topics } = ctx;
    await ctx.bus.ensureTopics([topics.corrections, topics.modelEvents, topics.deadLetters]);
    await registry.bootstrap(resolveRepoPath(config.modelDir));
    const stale = await runRepo.failStale(config.runStaleAfterMs);
    if (stale.length) logger.warn({ runs: stale }, 'failed runs left running by a stopped process');
    relay.start();
    lifecycle.onClose('outbox relay', () => relay.stop());
    lifecycle.onClose('training runs', () => trainingRuns.close());
    const modelSub = await ctx.bus.subscribe({ groupId: consumerGroup(topics, 'trainer-orchestrator.model-events'), topics: [topics.modelEvents], handler: (batch) => registry.handle(batch) });
    lifecycle.onClose('model-events consumer', () => modelSub.stop());
    const corrSub = await ctx.bus.subscribe({ groupId: consumerGroup(topics, 'trainer-orchestrator'), topics: [topics.corrections], maxBatchSize: 200, handler: (batch) => ingest.handle(batch) });
    lifecycle.onClose('corrections consumer', () => corrSub.stop());
    subscribed = true;
    triggers.start();
    lifecycle.onClose('triggers', () => triggers.stop());
  });

  // createHttpApp's app carries the TypeBox type provider; the kit's helpers take the plain instance
  const plainApp = app as unknown as HttpApp;
  registerOpsRoutes(plainApp, {
    registry: ctx.registry,
    readiness: () => consumerServiceReadiness({ lifecycle, subscribed, db: ctx.db, bus: ctx.bus }),
    info: () => ({ service: 'trainer-orchestrator', instance: config.instanceId, runInFlight: trainingRuns.inFlight ?? null, schedule: config.trainCron || 'off' }),
  });
  registerOrchestratorRoutes(app, { runs: runRepo, models, trainingRuns, labelSet: () => registry.labelSet(), labelTypes: registry, examples, adminToken: config.adminToken, insecureOpenAdmin: config.insecureOpenAdmin, logger });

  return {
    name: 'trainer-orchestrator',
    app: plainApp,
    trainingRuns,
    triggers,
    flushOutbox: () => relay.flush(),
    close: () => lifecycle.close(),
  };
}
