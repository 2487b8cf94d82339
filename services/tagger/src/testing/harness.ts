// Starts a tagger on the in-process bus with fake model engines (unit tests of the wiring and the
// HTTP API). Model directories are named after their version: MODEL_DIR=/models/v1 serves "v1".
import { MemoryBus, createBusMetrics } from '@zhner/bus';
import { createTopics, type Topics } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createLogger, createMetricsRegistry, type Registry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { configSpec, startTagger, type RunningTagger } from '../index';
import { FakeLoader, FakeResolver, type FakeEngineOptions } from './fakeEngine';

export interface FakeTagger {
  tagger: RunningTagger;
  bus: MemoryBus;
  topics: Topics;
  loader: FakeLoader;
  resolver: FakeResolver;
  registry: Registry;
  close(): Promise<void>;
}

export async function startFakeTagger(
  env: Record<string, string> = {},
  engine: Omit<FakeEngineOptions, 'version' | 'location'> = {},
  /** Runs before the tagger starts (e.g. to make a directory fail to load). */
  prepare?: (loader: FakeLoader, resolver: FakeResolver) => void,
): Promise<FakeTagger> {
  const logger = createLogger('tagger-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const topics = createTopics({ prefix: 'unit.', partitions: 3 });
  const registry = createMetricsRegistry('tagger', { defaultMetrics: false });
  const bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry), stopGraceMs: 2000 });
  const loader = new FakeLoader(engine);
  const resolver = new FakeResolver();
  prepare?.(loader, resolver);
  const config = loadConfig(configSpec, { MODEL_DIR: '/models/v1', REPLICA_ID: 'r1', TAGGER_HEARTBEAT_INTERVAL: '1s', TAGGER_MAX_WAIT: '2ms', ...env });
  const db = {} as SqlClient; // the tagger keeps no state in the database
  const tagger = await startTagger(config, { logger, registry, bus, topics, db }, { loader, resolver });
  return {
    tagger,
    bus,
    topics,
    loader,
    resolver,
    registry,
    async close() {
      await tagger.close();
      await bus.close();
    },
  };
}

export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
