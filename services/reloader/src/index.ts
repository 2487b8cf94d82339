// reloader: rolls a new model version out across tagger replicas (canary, then all) and rolls
// back on failure. Replica state comes from heartbeats; commands and ModelEvents (PROMOTED,
// ROLLED_BACK) leave through the outbox together with each persisted transition.
import { createHttpApp, Lifecycle, registerOpsRoutes, type HttpApp } from '@zhner/kit';
import { consumerGroup, RegistryClient } from '@zhner/contracts';
import { consumerServiceReadiness, type RunningService, type ServiceContext } from '@zhner/service';
import { OutboxRelay } from '@zhner/store';
import { configSpec, type ReloaderConfig } from './config';
import type { Clock, ModelRegistry } from './app/ports';
import { RolloutEngine } from './app/rolloutEngine';
import { registerReloaderRoutes } from './adapters/http';
import { createReloaderMetrics } from './adapters/metrics';
import { SqlReplicaRepository, SqlRolloutRepository } from './adapters/repository';

export { configSpec, type ReloaderConfig } from './config';
export { errors } from './errors';

export interface ReloaderOverrides {
  clock?: Clock;
  /** Where POST /rollouts resolves versions (default: the registry at REGISTRY_URL, when set). */
  registry?: ModelRegistry;
}

export interface RunningReloader extends RunningService {
  readonly engine: RolloutEngine;
  /** Publishes pending outbox rows now. */
  flushOutbox(): Promise<number>;
}

export async function startReloader(config: ReloaderConfig, ctx: ServiceContext, overrides: ReloaderOverrides = {}): Promise<RunningReloader> {
  const logger = ctx.logger;
  const lifecycle = new Lifecycle(logger);
  const clock = overrides.clock ?? { now: () => Date.now() };
  const replicas = new SqlReplicaRepository(ctx.db);
  const rollouts = new SqlRolloutRepository(ctx.db, ctx.topics, replicas, clock);
  const relay = new OutboxRelay(ctx.db, ctx.bus, logger);
  const policy = { staleAfterMs: config.staleAfterMs, stepTimeoutMs: config.stepTimeoutMs, canarySoakMs: config.canarySoakMs, canaryMaxErrors: config.canaryMaxErrors };
  const observer = createReloaderMetrics(ctx.registry, { replicas, rollouts, staleAfterMs: config.staleAfterMs, now: () => clock.now(), logger });
  const engine = new RolloutEngine({
    rollouts,
    replicas,
    clock,
    policy,
    logger,
    autoRollout: config.autoRollout,
    reconcile: config.reconcile,
    onOutbox: () => void relay.flush().catch(() => undefined),
    observer,
  });

  const app = createHttpApp({ logger });
  let subscribed = false;
  await lifecycle.start(async () => {
    const { topics } = ctx;
    await ctx.bus.ensureTopics([topics.modelEvents, topics.replicaCommands, topics.replicaHeartbeats, topics.deadLetters]);
    relay.start();
    lifecycle.onClose('outbox relay', () => relay.stop());
    const hb = await ctx.bus.subscribe({ groupId: consumerGroup(topics, 'reloader.heartbeats'), topics: [topics.replicaHeartbeats], handler: (batch) => engine.onHeartbeats(batch) });
    lifecycle.onClose('heartbeats consumer', () => hb.stop());
    const ev = await ctx.bus.subscribe({ groupId: consumerGroup(topics, 'reloader'), topics: [topics.modelEvents], handler: (batch) => engine.onModelEvents(batch) });
    lifecycle.onClose('model-events consumer', () => ev.stop());
    subscribed = true;
    engine.start(config.tickMs);
    lifecycle.onClose('rollout engine', () => engine.stop());
  });

  const plainApp = app as unknown as HttpApp;
  registerOpsRoutes(plainApp, {
    registry: ctx.registry,
    readiness: () => consumerServiceReadiness({ lifecycle, subscribed, db: ctx.db, bus: ctx.bus }),
    info: () => ({ service: 'reloader', autoRollout: config.autoRollout }),
  });
  registerReloaderRoutes(app, { engine, rollouts, replicas, staleAfterMs: config.staleAfterMs, now: () => clock.now(), registry: overrides.registry ?? (config.registryUrl ? new RegistryClient(config.registryUrl) : undefined), adminToken: config.adminToken, insecureOpenAdmin: config.insecureOpenAdmin, logger });

  return { name: 'reloader', app: plainApp, engine, flushOutbox: () => relay.flush(), close: () => lifecycle.close() };
}
