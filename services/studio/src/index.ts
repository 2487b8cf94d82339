// The web studio: live tagging, the review queue, corrections (validated, stored and published
// through the outbox), adjudication, model history and annotator figures, over a REST API with an
// OpenAPI document, plus the built web page. See ../README.md.
import path from 'node:path';
import { ConfigError, env, errorMessage, type ConfigOf } from '@zhner/core';
import { consumerGroup, DEFAULT_ENTITY_TYPES } from '@zhner/contracts';
import { Lifecycle, type HttpApp } from '@zhner/kit';
import { busReadiness, type RunningService, type ServiceContext } from '@zhner/service';
import { OutboxRelay } from '@zhner/store';
import { AdjudicationService } from './app/adjudication';
import { Authenticator } from './app/auth';
import { CorrectionService } from './app/corrections';
import { Dashboard } from './app/dashboard';
import { AuditLog } from './app/audit';
import { DataTransferService } from './app/dataTransfer';
import { EntityTypeService } from './app/entityTypes';
import { LabelProvider } from './app/labels';
import { LiveUpdates } from './app/live';
import type { ModelActions, NerClient, RegistryReader, RolloutReader } from './app/ports';
import { ModelAdmin } from './app/modelAdmin';
import { ReviewQueue } from './app/queue';
import { QueueFeed } from './app/queueFeed';
import { TagService } from './app/tagging';
import { buildStudioApp } from './adapters/http/app';
import { createStudioMetrics } from './adapters/metrics';
import { SqlAdjudicationStore } from './adapters/sql/adjudicationRepository';
import { SqlAuthRepository } from './adapters/sql/authRepository';
import { SqlCorrectionStore } from './adapters/sql/correctionRepository';
import { SqlAuditStore } from './adapters/sql/auditRepository';
import { SqlDataStore } from './adapters/sql/dataRepository';
import { SqlEntityTypeStore } from './adapters/sql/entityTypeRepository';
import { SqlStatsRepository } from './adapters/sql/statsRepository';
import { SqlQueueRepository } from './adapters/sql/queueRepository';
import { HttpModelActions, HttpNerClient, HttpRegistryReader, HttpRolloutReader } from './adapters/upstream';

export type { NerClient, NerResponse, TaggedEntity, ModelActions, Principal } from './app/ports';
export { inProcessNerClient, type InProcessTagged } from './adapters/inProcessNer';
export { errors } from './errors';

const LABEL = /^[A-Za-z][A-Za-z0-9_-]*$/;

export const configSpec = {
  taggerUrl: env.url('TAGGER_URL', { default: 'http://127.0.0.1:8081', doc: "Tagger base URL (its POST /ner backs the Tag page); unused when an in-process nerClient is passed" }),
  orchestratorUrl: env.url('ORCHESTRATOR_URL', { default: 'http://127.0.0.1:8083', doc: 'Trainer-orchestrator base URL: its registry API (GET /models, /runs: the Models page and the label set) and POST /runs (admin "train now")' }),
  reloaderUrl: env.url('RELOADER_URL', { default: 'http://127.0.0.1:8084', doc: 'Reloader base URL: GET /replicas, /rollouts (the Models page), POST /rollouts, POST /rollouts/:id/rollback' }),
  orchestratorToken: env.optional(env.string('ORCHESTRATOR_TOKEN', { doc: "The orchestrator's ADMIN_TOKEN, if it has one (sent with admin model actions)" })),
  reloaderToken: env.optional(env.string('RELOADER_TOKEN', { doc: "The reloader's ADMIN_TOKEN, if it has one" })),
  upstreamTimeoutMs: env.durationMs('UPSTREAM_TIMEOUT', { default: '10s', min: 100, doc: 'Timeout of each call to the tagger, orchestrator or reloader' }),
  labels: env.list('LABELS', { default: [...DEFAULT_ENTITY_TYPES], doc: 'UI order of the entity types (colours and keys 1..9 follow it); the types themselves come from the registry, these only while it cannot be reached' }),
  labelsFromModel: env.bool('LABELS_FROM_MODEL', { default: true, doc: "Take the label set from the registry (GET /models labelSet: what the orchestrator accepts); false = LABELS only" }),
  queueGroupId: env.string('STUDIO_QUEUE_GROUP_ID', { default: 'studio-queue', doc: 'Consumer group (prefixed with TOPIC_PREFIX) of the queue feed: review candidates and model events' }),
  queueMetricsIntervalMs: env.durationMs('STUDIO_QUEUE_METRICS_INTERVAL', { default: '15s', min: 100, doc: 'Refresh period of the queue-depth gauge' }),
  publicReads: env.bool('STUDIO_PUBLIC_READS', { default: false, doc: 'Open the reads that expose document texts or people (queue, corrections, annotators) to callers without a token' }),
  claimTtlMs: env.durationMs('CLAIM_TTL', { default: '15m', min: 1000, doc: 'How long a claim on a queue item holds before others may take it' }),
  agreementShare: env.number('AGREEMENT_SHARE', { default: 0, min: 0, max: 1, doc: 'Share of queue items (stable by item id) that go to two annotators, blind, for ongoing agreement figures (ANNOTATIONS_PER_ITEM=1 otherwise)' }),
  reviewFirst: env.int('REVIEW_FIRST', { default: 50, min: 0, max: 100_000, doc: "Every one of an annotator's first N corrections goes to review (Adjudicate page, spot checks: mode=required)" }),
  reviewShare: env.number('REVIEW_SHARE', { default: 0.05, min: 0, max: 1, doc: 'Share of the later corrections (stable by id) that goes to review' }),
  annotationsPerItem: env.int('ANNOTATIONS_PER_ITEM', { default: 1, min: 1, max: 10, doc: 'Distinct annotators an item needs before it is done (2+ yields agreement figures and conflicts to adjudicate)' }),
  eventsIntervalMs: env.durationMs('EVENTS_INTERVAL', { default: '2s', min: 100, doc: 'Poll interval of the live updates (SSE) while clients are connected' }),
  outboxIntervalMs: env.durationMs('OUTBOX_INTERVAL', { default: '250ms', min: 10, doc: 'Poll interval of the outbox relay publishing corrections' }),
  webDir: env.string('STUDIO_WEB_DIR', { default: path.resolve(__dirname, '..', 'web', 'dist'), doc: 'Directory of the built web page (npm run studio:build)' }),
  docsUi: env.bool('API_DOCS_UI', { default: true, doc: 'Serve swagger-ui at /api/docs' }),
};
export type StudioConfig = ConfigOf<typeof configSpec>;

export interface StudioOptions {
  /** The tagger port; default: HTTP to TAGGER_URL. The one-machine platform passes the in-process tagger. */
  nerClient?: NerClient;
  /** Model actions port; default: HTTP to ORCHESTRATOR_URL / RELOADER_URL. */
  modelActions?: ModelActions;
  /** The registry's published API; default: HTTP to ORCHESTRATOR_URL. */
  registry?: RegistryReader;
  /** The reloader's published API; default: HTTP to RELOADER_URL. */
  rollouts?: RolloutReader;
  clock?: () => number;
}

export interface RunningStudio extends RunningService {
  readonly app: HttpApp;
  /** Publishes pending outbox rows now; returns how many (tests, shutdown). */
  flushOutbox(): Promise<number>;
}

/**
 * Starts the studio on `ctx` (bus, db, logger, registry are the caller's and are not closed here).
 * The returned app is built, not listening. close() ends live-update streams, closes the app,
 * stops the live poller and stops the outbox relay after publishing what is pending.
 * @throws ConfigError for an invalid label set.
 */
export async function startStudio(config: StudioConfig, ctx: ServiceContext, options: StudioOptions = {}): Promise<RunningStudio> {
  const bad = config.labels.filter((l) => !LABEL.test(l));
  if (bad.length) throw new ConfigError([`LABELS: ${bad.map((b) => JSON.stringify(b)).join(', ')} must be letters, digits, _ or - (starting with a letter)`]);
  const logger = ctx.logger.child({ component: 'studio' });
  const lifecycle = new Lifecycle(logger);
  const metrics = createStudioMetrics(ctx.registry);
  const statsRepo = new SqlStatsRepository(ctx.db);
  const queueRepo = new SqlQueueRepository(ctx.db);
  const correctionStore = new SqlCorrectionStore(ctx.db, ctx.topics);
  const registryReader = options.registry ?? new HttpRegistryReader(config.orchestratorUrl, config.upstreamTimeoutMs);
  const rolloutReader = options.rollouts ?? new HttpRolloutReader(config.reloaderUrl, config.upstreamTimeoutMs);
  const labels = new LabelProvider({ configured: config.labels, registry: config.labelsFromModel ? async () => (await registryReader.models(1)).labelSet : undefined, logger });
  const modelActions =
    options.modelActions ??
    new HttpModelActions({ orchestratorUrl: config.orchestratorUrl, reloaderUrl: config.reloaderUrl, timeoutMs: config.upstreamTimeoutMs, orchestratorToken: config.orchestratorToken, reloaderToken: config.reloaderToken });
  const live = new LiveUpdates(
    {
      snapshot: async () => {
        const [depth, rollouts, replicas] = await Promise.all([queueRepo.depth(), rolloutReader.rollouts(10).catch(() => []), rolloutReader.replicas().catch(() => [])]);
        return { queue: { depth }, rollouts: { rollouts, replicas } };
      },
    },
    logger,
    config.eventsIntervalMs,
  );
  const onChange = () => live.poke();
  const audit = new AuditLog(new SqlAuditStore(ctx.db), logger, { registry: registryReader, rollouts: rolloutReader });
  const types = new EntityTypeService(new SqlEntityTypeStore(ctx.db), labels, modelActions, onChange, audit);
  const feed = new QueueFeed({ queue: queueRepo, metrics, logger, onChange });
  const relay = new OutboxRelay(ctx.db, ctx.bus, logger, { intervalMs: config.outboxIntervalMs });
  let app!: HttpApp;

  await lifecycle.start(async () => {
    try {
      await Promise.race([ctx.bus.ensureTopics([ctx.topics.corrections]), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 15 s')), 15_000).unref())]);
    } catch (err) {
      logger.warn({ err: errorMessage(err), topic: ctx.topics.corrections.name }, 'could not ensure the corrections topic; the outbox relay keeps retrying');
    }
    relay.start();
    lifecycle.onClose('outbox relay', () => relay.stop());

    // the queue feed: the sampler's selections in, promotions age them out
    await ctx.bus.ensureTopics([ctx.topics.reviewCandidates, ctx.topics.modelEvents, ctx.topics.deadLetters]);
    const candidatesSub = await ctx.bus.subscribe({
      groupId: consumerGroup(ctx.topics, config.queueGroupId),
      topics: [ctx.topics.reviewCandidates],
      maxBatchSize: 200,
      handler: async (batch) => {
        await feed.onCandidates(batch.map((e) => e.value));
      },
    });
    lifecycle.onClose('review-candidates subscription', () => candidatesSub.stop());
    const modelEventsSub = await ctx.bus.subscribe({
      groupId: consumerGroup(ctx.topics, `${config.queueGroupId}-model-events`),
      topics: [ctx.topics.modelEvents],
      maxBatchSize: 50,
      handler: async (batch) => {
        await feed.onModelEvents(batch.map((e) => e.value));
      },
    });
    lifecycle.onClose('model-events subscription', () => modelEventsSub.stop());
    const refreshDepth = () => queueRepo.depth().then(metrics.queueDepth, (err: unknown) => logger.warn({ err: errorMessage(err) }, 'queue depth refresh failed'));
    const depthTimer = setInterval(() => void refreshDepth(), config.queueMetricsIntervalMs);
    depthTimer.unref();
    lifecycle.onClose('queue depth timer', () => clearInterval(depthTimer));
    await refreshDepth();
    lifecycle.onClose('live updates', () => live.close());
    const built = await buildStudioApp(
      {
        logger,
        auth: new Authenticator(new SqlAuthRepository(ctx.db), logger),
        labels,
        tagger: new TagService(options.nerClient ?? new HttpNerClient(config.taggerUrl, config.upstreamTimeoutMs)),
        queue: new ReviewQueue(queueRepo, { claimTtlMs: config.claimTtlMs, metrics, onChange, audit }),
        corrections: new CorrectionService({ queue: queueRepo, store: correctionStore, labels, types, audit, metrics, annotationsPerItem: config.annotationsPerItem, routing: { agreementShare: config.agreementShare, reviewFirst: config.reviewFirst, reviewShare: config.reviewShare }, clock: options.clock, onChange }),
        correctionStore,
        adjudication: new AdjudicationService(new SqlAdjudicationStore(ctx.db, ctx.topics), labels, metrics, options.clock, audit),
        data: new DataTransferService(new SqlDataStore(ctx.db, ctx.topics), labels, metrics, options.clock, onChange, audit),
        audit,
        dashboard: new Dashboard(registryReader, rolloutReader, statsRepo, statsRepo),
        modelAdmin: new ModelAdmin(modelActions, registryReader, onChange, audit),
        types,
        live,
        metrics,
        settings: { claimTtlMs: config.claimTtlMs, annotationsPerItem: config.annotationsPerItem },
        publicReads: config.publicReads,
      },
      {
        registry: ctx.registry,
        webDir: config.webDir,
        docsUi: config.docsUi,
        readiness: async () => {
          const reasons = busReadiness(ctx.bus.health());
          try {
            await ctx.db.query('SELECT 1');
          } catch (err) {
            reasons.push(`database: ${errorMessage(err)}`);
          }
          return reasons;
        },
      },
    );
    app = built.app;
    lifecycle.onClose('http app', async () => {
      built.closeStreams();
      await app.close();
    });
  });

  return {
    name: 'studio',
    app,
    flushOutbox: () => relay.flush(),
    close: () => lifecycle.close(),
  };
}

export { runTokenCli } from './cli/token';
