// The tagger service: raw texts from Kafka and HTTP → dynamic batching → model runtime → one
// entity event and one prediction event per document; hot swap of model versions on command.
import type { Subscription } from '@zhner/bus';
import { consumerGroup, RegistryClient, type TopicSpec } from '@zhner/contracts';
import { errorMessage, retry } from '@zhner/core';
import { Lifecycle, type HttpApp, type Logger } from '@zhner/kit';
import { busReadiness, type RunningService, type ServiceContext } from '@zhner/service';
import { DynamicBatcher } from './app/batcher';
import { ModelManager } from './app/modelManager';
import type { EngineLoader, ModelResolver } from './app/ports';
import { ReplicaControl, withoutPaths, type CommandOutcome } from './app/replicaControl';
import type { TaggedDoc } from './domain/events';
import { StreamTagger } from './app/streamTagger';
import { TagService } from './app/tagService';
import { buildHttpApp } from './adapters/http';
import { createTaggerMetrics } from './adapters/metrics';
import { REPO_ROOT, type TaggerConfig } from './config';
import { INPUT_ERRORS } from './domain/input';
import { errors } from './errors';

export { configSpec, REPO_ROOT, type TaggerConfig } from './config';
export { errors } from './errors';
export type { InferenceEngine, EngineLoader, LoadOptions, ModelResolver, Precision, ResolvedModel, TaggerMetrics } from './app/ports';
// the batching engine on its own, for the tagger benchmark (bench/tagger)
export { DynamicBatcher } from './app/batcher';
export { OnnxEngineLoader } from './adapters/modelEngine';
export { noMetrics } from './app/ports';
export type { DocPrediction } from './domain/prediction';
export type { SwapResult, LoadRequest, ModelState } from './app/modelManager';
export type { CommandOutcome } from './app/replicaControl';

/** Texts run through every new model version before it serves. */
export const WARMUP_TEXTS = [
  '新华社北京十二月一日电',
  '国务院总理李鹏今天在人民大会堂会见了日本客人，双方就中日经济合作交换了意见。',
  '据中央气象台预报，未来三天华北、东北地区将有一次明显的降温过程，北京、天津、河北北部的最低气温将降到零下十度左右；请有关部门做好防寒准备。上海、江苏、浙江等地以多云天气为主。',
];

export interface TaggerDeps {
  /** How model directories are loaded (default: the @zhner/model runtime, in TAGGER_INFERENCE_WORKERS worker threads). */
  loader?: EngineLoader;
  /** Where model versions are resolved (default: the registry at REGISTRY_URL, when set). */
  resolver?: ModelResolver;
}

export interface RunningTagger extends RunningService {
  /** The HTTP app, built, not listening (the caller decides the port; tests may also listen on port 0). */
  readonly app: HttpApp;
  readonly replicaId: string;
  /** The version serving now (undefined before the first load). */
  readonly modelVersion: string | undefined;
  /** Resolves once a model serves and the raw-text consumer has joined its group. */
  whenReady(): Promise<void>;
  /** Hot swap to a registered version (same path as a LOAD_MODEL command addressed to this replica). */
  loadModel(req: { modelVersion: string }): Promise<CommandOutcome>;
  rollback(): Promise<CommandOutcome>;
  /** Tags texts in-process through the shared queue (what POST /ner does, without HTTP). */
  tag(texts: readonly string[]): Promise<TaggedDoc[]>;
  /** Publishes a heartbeat now. */
  heartbeat(): Promise<void>;
}

async function defaultLoader(config: TaggerConfig, logger: Logger): Promise<EngineLoader> {
  if (config.inferenceWorkers > 0) {
    const { WorkerEngineLoader } = await import('./adapters/workerEngine');
    return new WorkerEngineLoader({ workers: config.inferenceWorkers, logger });
  }
  const { OnnxEngineLoader } = await import('./adapters/modelEngine');
  return new OnnxEngineLoader();
}

/**
 * Starts a tagger replica: subscribes to its replica commands, starts loading MODEL_DIR in the
 * background (the raw-text consumer joins its group once a model serves), starts heartbeats and
 * builds the HTTP app (not listening). Throws only for unusable configuration; a model that cannot
 * be loaded leaves the replica up and not ready (see /readyz and the heartbeats).
 */
export async function startTagger(config: TaggerConfig, ctx: ServiceContext, deps: TaggerDeps = {}): Promise<RunningTagger> {
  const logger = ctx.logger.child({ replicaId: config.replicaId });
  const lifecycle = new Lifecycle(logger);
  const metrics = createTaggerMetrics(ctx.registry);
  const loader = deps.loader ?? (await defaultLoader(config, logger));
  const resolver = deps.resolver ?? (config.registryUrl ? new RegistryClient(config.registryUrl) : undefined);
  const startedAt = Date.now();
  const rawTopics: TopicSpec<'RawText'>[] = [ctx.topics.rawText, ...(config.extraTopics ?? []).filter((n) => n !== ctx.topics.rawText.name).map((name) => ({ ...ctx.topics.rawText, name }))];

  let rawSubscription: Subscription | undefined;
  let subscribing: Promise<void> | undefined;
  let closing = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));

  const models = new ModelManager(
    loader,
    { load: { precision: config.precision, intraOpThreads: config.intraOpThreads, interOpThreads: config.interOpThreads, convention: config.convention }, warmupTexts: WARMUP_TEXTS, baseDir: REPO_ROOT },
    { logger, metrics, onSwap: () => void startConsuming() },
  );
  const batcher = new DynamicBatcher(
    models,
    { maxBatchSize: config.batchSize, maxWaitMs: config.maxWaitMs, maxTokensPerBatch: config.maxTokensPerBatch, maxInflightBatches: config.maxInflightBatches, windowBatches: config.bucketWindow, maxHttpQueuedChars: config.httpMaxQueuedChars },
    metrics,
  );
  const tags = new TagService(batcher, () => models.version, metrics, { cacheSize: config.cacheSize });
  const stream = new StreamTagger(tags, ctx.bus, ctx.topics, { replicaId: config.replicaId }, { logger, metrics });
  const control = new ReplicaControl(
    models,
    ctx.bus,
    ctx.topics.replicaHeartbeats,
    () => tags.stats(),
    { replicaId: config.replicaId, service: 'tagger', startedAt, commandGraceMs: config.commandGraceMs },
    logger,
    resolver,
  );

  // Join the raw-text group only once a model serves: nothing is consumed (or committed) before.
  function startConsuming(): Promise<void> {
    if (subscribing || closing) return subscribing ?? Promise.resolve();
    subscribing = retry(
      async () => {
        if (closing) return;
        rawSubscription = await ctx.bus.subscribe({
          groupId: consumerGroup(ctx.topics, config.groupId),
          topics: rawTopics,
          handler: stream.handle,
          maxBatchSize: config.consumerBatchSize,
          partitionsConsumedConcurrently: config.partitionsConcurrently,
          // KAFKA_DELIVERY: entity and prediction events commit with the offsets in one transaction
          // (exactly-once); the transactional id is stable per replica, so a restarted replica
          // fences its previous incarnation and aborts its open transaction at once
          delivery: ctx.bus.delivery,
          transactionalId: `${consumerGroup(ctx.topics, config.groupId)}.${config.replicaId}`,
          // the documented maximum raw-text size on Kafka: TAGGER_MAX_TEXT_LENGTH UTF-16 code units
          // are at most 3 UTF-8 bytes each, plus 64 KiB for id, source and metadata; larger records
          // are dead-lettered (cut to fit) before they are decoded
          maxPayloadBytes: 3 * config.maxTextLength + 64 * 1024,
          validate: (doc) => {
            if (doc.text.length > config.maxTextLength) {
              metrics.rejected(INPUT_ERRORS.tooLong, 'kafka');
              tags.countRejected();
              throw errors.create('TEXT_TOO_LONG', { field: 'text', docId: doc.id, length: doc.text.length, limit: config.maxTextLength });
            }
          },
        });
        logger.info({ group: config.groupId, topics: rawTopics.map((t) => t.name) }, 'raw-text consumer started');
        markReady();
      },
      { retries: Number.MAX_SAFE_INTEGER, initialDelayMs: 500, maxDelayMs: 10_000, isRetriable: () => !closing, onRetry: (err) => logger.warn({ err: errorMessage(err) }, 'cannot join the raw-text group yet; retrying') },
    ).catch((err: unknown) => {
      if (!closing) logger.error({ err }, 'raw-text consumer could not start');
    });
    return subscribing;
  }

  const app = buildHttpApp({
    logger,
    registry: ctx.registry,
    metrics,
    tags,
    models,
    control,
    replicaId: config.replicaId,
    readiness: () => {
      const reasons: string[] = [];
      if (bootReason) reasons.push(bootReason);
      if (!models.version) reasons.push(models.lastError ? `no model loaded (${models.lastError.code}: ${withoutPaths(models.lastError.message, models.lastError.modelUri, '')})` : 'no model loaded yet');
      else if (!rawSubscription) reasons.push('raw-text consumer not started yet');
      // the broker connection, group membership and progress of every subscription (stall = no
      // commit for the stall timeout while lag > 0)
      reasons.push(...busReadiness(ctx.bus.health()));
      if (closing) reasons.push('stopping');
      return reasons;
    },
    limits: { maxLength: config.httpMaxTextLength, maxTexts: config.httpMaxTexts },
    adminToken: config.adminToken,
    insecureOpenAdmin: config.insecureOpenAdmin,
  });

  /**
   * The first model: with a registry, the PROMOTED version (asked until the registry answers, so a
   * restarted replica never tags a backlog with a superseded version); without one, or when the
   * registry has no promoted version, MODEL_DIR.
   */
  let bootReason: string | undefined = resolver ? 'waiting for the registry (REGISTRY_URL) to name the promoted version' : undefined;
  async function bootModel(): Promise<void> {
    let target: { modelUri: string; manifestSha256?: string; modelVersion?: string } = { modelUri: config.modelDir };
    if (resolver) {
      const promoted = await retry(() => resolver.promoted(), {
        retries: Number.MAX_SAFE_INTEGER,
        initialDelayMs: 250,
        maxDelayMs: 5_000,
        isRetriable: () => !closing,
        onRetry: (err) => logger.warn({ err: errorMessage(err) }, 'the registry does not answer yet; not consuming until it names the promoted version'),
      }).catch(() => undefined);
      if (closing) return;
      if (promoted) target = { modelUri: promoted.uri, manifestSha256: promoted.manifestSha256, modelVersion: promoted.version };
      else logger.info({ modelDir: config.modelDir }, 'the registry has no promoted version: serving MODEL_DIR');
      bootReason = undefined;
    }
    await models.load(target).catch(() => undefined);
  }

  let commandSubscription: Subscription | undefined;
  await lifecycle.start(async () => {
    await ctx.bus.ensureTopics([...rawTopics, ctx.topics.entities, ctx.topics.predictions, ctx.topics.deadLetters, ctx.topics.replicaCommands, ctx.topics.replicaHeartbeats]);
    lifecycle.onClose('http', () => app.close());
    lifecycle.onClose('model', () => models.close());
    // A fresh group per replica id, read from the beginning: a command published while this
    // replica starts is not missed; older ones are skipped by their issuedAt (commandGraceMs).
    commandSubscription = await ctx.bus.subscribe({
      groupId: consumerGroup(ctx.topics, `tagger-commands-${config.replicaId}`),
      topics: [ctx.topics.replicaCommands],
      handler: control.handleCommands,
      fromBeginning: true,
    });
    lifecycle.onClose('commands', () => commandSubscription?.stop());
    lifecycle.onClose('heartbeats', () => control.stop());
    lifecycle.onClose('batcher', () => batcher.close());
    lifecycle.onClose('raw-text consumer', async () => {
      closing = true;
      await subscribing;
      await rawSubscription?.stop();
    });
    control.startHeartbeats(config.heartbeatIntervalMs);
    // the initial model loads in the background: /healthz answers, /readyz says why not ready;
    // nothing is consumed before it serves (the raw-text consumer starts on the first swap)
    void bootModel();
  });

  return {
    name: 'tagger',
    app: app as unknown as HttpApp,
    replicaId: config.replicaId,
    get modelVersion() {
      return models.version;
    },
    whenReady: () => ready,
    loadModel: (req) => control.operatorCommand('LOAD_MODEL', req),
    rollback: () => control.operatorCommand('ROLLBACK', {}),
    tag: (texts) => Promise.all(texts.map((t) => tags.tag(t, 'http'))),
    heartbeat: () => control.heartbeat(),
    close: () => lifecycle.close(),
  };
}
