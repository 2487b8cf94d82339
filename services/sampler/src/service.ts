// Wiring: subscriptions, timers, outbox relay, HTTP app. `startSampler` returns once the
// subscriptions run; `close()` stops intake first and releases only what it opened.
import { consumerGroup } from '@zhner/contracts';
import { errorMessage } from '@zhner/core';
import { Lifecycle } from '@zhner/kit';
import { OutboxRelay } from '@zhner/store';
import { busReadiness, type RunningService, type ServiceContext } from '@zhner/service';
import { Sampler } from './app/sampler';
import { buildSamplerApp } from './adapters/http';
import { createSamplerMetrics } from './adapters/metrics';
import { SqlSamplerRepository } from './adapters/repository';
import { settingsFrom, type SamplerConfig } from './config';

export interface RunningSampler extends RunningService {
  /** The use cases (tests and tools: force a flush, read the promotion). */
  readonly sampler: Sampler;
}

export async function startSampler(config: SamplerConfig, ctx: ServiceContext): Promise<RunningSampler> {
  const logger = ctx.logger.child({ component: 'sampler' });
  const lifecycle = new Lifecycle(logger);
  const settings = settingsFrom(config);
  if (settings.strategy === 'sampler.hybrid.v1' && settings.clusters * settings.perClusterMax < settings.budget) {
    logger.warn({ clusters: settings.clusters, perClusterMax: settings.perClusterMax, budget: settings.budget }, 'SAMPLER_CLUSTERS × SAMPLER_PER_CLUSTER_MAX is below SAMPLER_BUDGET: windows can never fill the budget');
  }
  const repo = new SqlSamplerRepository(ctx.db, ctx.topics.reviewCandidates);
  const metrics = createSamplerMetrics(ctx.registry);
  const relay = new OutboxRelay(ctx.db, ctx.bus, logger, { intervalMs: config.outboxIntervalMs });
  const sampler = new Sampler({ repo, metrics, relay, logger, settings });
  const timers: NodeJS.Timeout[] = [];
  let subscribed = false;

  const app = buildSamplerApp({
    logger,
    registry: ctx.registry,
    repo,
    readiness: async () => {
      const reasons: string[] = [];
      if (lifecycle.state !== 'RUNNING' || !subscribed) reasons.push(`sampler is ${lifecycle.state}`);
      reasons.push(...busReadiness(ctx.bus.health()));
      try {
        await repo.ping();
      } catch (err) {
        reasons.push(`database: ${errorMessage(err)}`);
      }
      return reasons;
    },
    info: () => ({ strategy: settings.strategy, baseScore: settings.baseScore, promotedModel: sampler.promotion?.modelVersion ?? null }),
  });

  await lifecycle.start(async () => {
    await sampler.init();
    await ctx.bus.ensureTopics([ctx.topics.predictions, ctx.topics.modelEvents, ctx.topics.corrections, ctx.topics.reviewCandidates, ctx.topics.deadLetters]);
    relay.start();
    lifecycle.onClose('outbox relay', () => relay.stop());

    const every = (name: string, ms: number, fn: () => Promise<unknown>) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        fn()
          .catch((err: unknown) => logger.warn({ err: errorMessage(err), task: name }, 'periodic task failed; will retry'))
          .finally(() => (busy = false));
      }, ms);
      t.unref();
      timers.push(t);
    };
    lifecycle.onClose('timers', () => timers.forEach(clearInterval));

    // model events first, so a promotion recorded before a restart is applied before predictions flow
    const modelSub = await ctx.bus.subscribe({
      groupId: consumerGroup(ctx.topics, `${config.groupId}-model-events`),
      topics: [ctx.topics.modelEvents],
      maxBatchSize: 50,
      handler: async (batch) => {
        await sampler.onModelEvents(batch.map((e) => e.value));
      },
    });
    lifecycle.onClose('model-events subscription', () => modelSub.stop());

    // corrections: what annotators labelled (novelty reference, never selected again)
    const correctionSub = await ctx.bus.subscribe({
      groupId: consumerGroup(ctx.topics, `${config.groupId}-corrections`),
      topics: [ctx.topics.corrections],
      maxBatchSize: 200,
      handler: async (batch) => {
        await sampler.onCorrections(batch.map((e) => e.value));
      },
    });
    lifecycle.onClose('corrections subscription', () => correctionSub.stop());

    const predictionSub = await ctx.bus.subscribe({
      groupId: consumerGroup(ctx.topics, config.groupId),
      topics: [ctx.topics.predictions],
      maxBatchSize: config.maxBatchSize,
      handler: async (batch, bctx) => {
        // 1. make the batch durable in the persisted window (offsets are committed after this resolves)
        const out = await sampler.ingest(batch.map((e) => e.value));
        // 2. flush if due; the window is durable, so a failing flush is left to the next tick
        //    instead of redelivering (or dead-lettering) good predictions
        await sampler.flushDue().catch((err: unknown) => bctx.logger.warn({ err: errorMessage(err) }, 'window flush failed; the next tick retries'));
        return { rejected: out.rejected.map((r) => ({ envelope: batch[r.index], error: r.error })) };
      },
    });
    lifecycle.onClose('predictions subscription', () => predictionSub.stop());
    subscribed = true;

    every('window', config.tickMs, () => sampler.flushDue());
    every('selection counts', config.queueMetricsIntervalMs, () => sampler.refreshCounts());
    await sampler.refreshCounts();
  });

  return {
    name: 'sampler',
    app,
    sampler,
    close: () => lifecycle.close(),
  };
}
