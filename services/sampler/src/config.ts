// The sampler's own environment variables (Kafka, PostgreSQL, HTTP come from the shared specs).
import { env, type ConfigOf } from '@zhner/core';
import { MNLP, SCORE_NAMES } from './domain/scores';
import { HYBRID, STRATEGY_NAMES } from './domain/selection';
import type { SamplerSettings } from './app/sampler';

export const configSpec = {
  strategy: env.oneOf('SAMPLER_STRATEGY', STRATEGY_NAMES, { default: HYBRID, doc: `Selection strategy: ${STRATEGY_NAMES.join(', ')}` }),
  baseScore: env.oneOf('SAMPLER_BASE_SCORE', SCORE_NAMES, { default: MNLP, doc: 'Uncertainty score that hybrid and random rank and report by' }),
  confidenceThreshold: env.number('SAMPLER_CONFIDENCE_THRESHOLD', { default: 0.85, min: 0, max: 1, doc: 'Gate: only predictions whose mean token confidence is below this are considered' }),
  windowSize: env.int('SAMPLER_WINDOW_SIZE', { default: 200, min: 1, max: 100_000, doc: 'Documents in the window that make it due (also the most read per flush)' }),
  windowIntervalMs: env.durationMs('SAMPLER_WINDOW_INTERVAL', { default: '30s', min: 1, doc: 'Age of the oldest waiting document that makes the window due' }),
  budget: env.int('SAMPLER_BUDGET', { default: 20, min: 0, max: 100_000, doc: 'Most candidates selected per window' }),
  clusters: env.int('SAMPLER_CLUSTERS', { default: 8, min: 1, max: 1000, doc: 'k of mini-batch k-means per window (hybrid)' }),
  perClusterMax: env.int('SAMPLER_PER_CLUSTER_MAX', { default: 3, min: 1, max: 100_000, doc: 'Most candidates per cluster per window (hybrid)' }),
  noveltyWeight: env.number('SAMPLER_NOVELTY_WEIGHT', { default: 0.5, min: 0, max: 1, doc: 'w in priority = score · (1 − w + w · novelty) (hybrid)' }),
  seed: env.int('SAMPLER_SEED', { default: 42, doc: 'Seed of k-means and random selection' }),
  kmeansBatchSize: env.int('SAMPLER_KMEANS_BATCH_SIZE', { default: 64, min: 1, max: 100_000, doc: 'Mini-batch size of k-means' }),
  kmeansIterations: env.int('SAMPLER_KMEANS_ITERATIONS', { default: 50, min: 1, max: 100_000, doc: 'Mini-batch iterations of k-means' }),
  labelledMax: env.int('SAMPLER_LABELLED_MAX', { default: 5000, min: 0, max: 1_000_000, doc: 'Most recent labelled embeddings used for novelty' }),
  labelledRefreshMs: env.durationMs('SAMPLER_LABELLED_REFRESH', { default: '60s', doc: 'How long the labelled-embeddings cache is used before reloading' }),
  tickMs: env.durationMs('SAMPLER_TICK', { default: '1s', min: 10, doc: 'How often the window is checked for being due without new input' }),
  queueMetricsIntervalMs: env.durationMs('SAMPLER_QUEUE_METRICS_INTERVAL', { default: '15s', min: 10, doc: 'Refresh period of the selections-by-state gauge' }),
  outboxIntervalMs: env.durationMs('SAMPLER_OUTBOX_INTERVAL', { default: '1s', min: 10, doc: 'Poll period of the outbox relay (events are also pushed right after each flush)' }),
  groupId: env.string('SAMPLER_GROUP_ID', { default: 'sampler', doc: 'Consumer group of the predictions subscription (model events use this id + "-model-events")' }),
  maxBatchSize: env.int('SAMPLER_MAX_BATCH', { default: 200, min: 1, max: 10_000, doc: 'Largest batch of predictions handled at once' }),
};

export type SamplerConfig = ConfigOf<typeof configSpec>;

export function settingsFrom(cfg: SamplerConfig): SamplerSettings {
  return {
    strategy: cfg.strategy,
    baseScore: cfg.baseScore,
    confidenceThreshold: cfg.confidenceThreshold,
    windowSize: cfg.windowSize,
    windowIntervalMs: cfg.windowIntervalMs,
    budget: cfg.budget,
    clusters: cfg.clusters,
    perClusterMax: cfg.perClusterMax,
    noveltyWeight: cfg.noveltyWeight,
    seed: cfg.seed,
    kmeansBatchSize: cfg.kmeansBatchSize,
    kmeansIterations: cfg.kmeansIterations,
    labelledMax: cfg.labelledMax,
    labelledRefreshMs: cfg.labelledRefreshMs,
  };
}
